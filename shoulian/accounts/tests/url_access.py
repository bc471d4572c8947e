from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import PUBLIC, STAFF, Rule

ADMIN = frozenset({Role.ADMIN})


def _self(user, own, other):
    return {"pk": user.pk}


def _foreign_user(user, own, other):
    from shoulian.accounts.models import User

    return {"pk": User.objects.filter(unit__path__startswith=other.bureau.path).first().pk}


ACCESS = {
    # An authenticated user is sent on from the login and OTP pages.
    "accounts:login": Rule(PUBLIC, ok=302, anonymous=200),
    "accounts:otp": Rule(STAFF, ok=302),
    "accounts:logout": Rule(STAFF, ok=405),
    "accounts:password_change": Rule(STAFF),
    "accounts:directory": Rule(STAFF),
    "accounts:directory_detail": Rule(STAFF, kwargs=_self, foreign=_foreign_user),
    "users:list": Rule(ADMIN),
    "users:create": Rule(ADMIN),
    "users:detail": Rule(ADMIN, kwargs=_self, foreign=_foreign_user),
    "users:unlock": Rule(ADMIN, kwargs=_self, foreign=_foreign_user, ok=405),
    "users:disable": Rule(ADMIN, kwargs=_self, foreign=_foreign_user, ok=405),
    "users:enable": Rule(ADMIN, kwargs=_self, foreign=_foreign_user, ok=405),
    "users:reset_password": Rule(ADMIN, kwargs=_self, foreign=_foreign_user, ok=405),
    "users:reset_otp": Rule(ADMIN, kwargs=_self, foreign=_foreign_user, ok=405),
}

APPROVERS = frozenset({Role.INSPECTOR})


def _change(user, own, other):
    return {"pk": 1}


def _user_change(user, own, other):
    return {"pk": user.pk, "change": 1}


ACCESS.update(
    {
        "accounts:approvals": Rule(APPROVERS),
        "accounts:approval_approve": Rule(APPROVERS, kwargs=_change, ok=405),
        "accounts:approval_reject": Rule(APPROVERS, kwargs=_change, ok=405),
        "users:withdraw": Rule(ADMIN, kwargs=_user_change, ok=405),
    }
)
