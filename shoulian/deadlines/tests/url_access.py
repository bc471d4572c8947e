import datetime as dt
import itertools

from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule
from shoulian.deadlines.choices import APPROVER_ROLES, REQUESTER_ROLES

READERS = frozenset(Role.values) - {Role.ADMIN}
ADMIN = frozenset({Role.ADMIN})
LEGAL = frozenset({Role.LEGAL_BRIGADE})
_serial = itertools.count(1)


def _start(unit):
    from shoulian.deadlines.services import deadline_start

    return deadline_start(
        actor=None,
        rule_code="criminal_filing_review",
        obj=("matrix", f"m{next(_serial)}"),
        unit=unit,
        started_at=timezone.now() - dt.timedelta(hours=2),
        title="矩阵测试事项",
    )


def _own_deadline(user, own, other):
    # In the persona's own unit: every reader's scope covers it.
    return {"pk": _start(user.unit).pk}


def _foreign_deadline(user, own, other):
    return {"pk": _start(other.station).pk}


def _extension(unit):
    from shoulian.conftest import make_user
    from shoulian.deadlines.services import deadline_extension_request

    requester = make_user(f"req{next(_serial)}", unit, Role.OFFICER)
    return deadline_extension_request(
        actor=requester, deadline=_start(unit), length=27, reason="重大复杂"
    )


def _own_extension(user, own, other):
    return {"pk": _extension(own.station).pk}


def _foreign_extension(user, own, other):
    return {"pk": _extension(other.station).pk}


def _rule(user, own, other):
    return {"code": "public_order_case"}


def _year(user, own, other):
    return {"year": 2025}


def _day(user, own, other):
    return {"year": 2025, "day": "2025-10-01"}


ACCESS = {
    "deadlines:my": Rule(READERS),
    "deadlines:detail": Rule(READERS, kwargs=_own_deadline, foreign=_foreign_deadline),
    "deadlines:extension_request": Rule(
        REQUESTER_ROLES, kwargs=_own_deadline, foreign=_foreign_deadline, ok=405
    ),
    "deadlines:extension_decide": Rule(
        APPROVER_ROLES, kwargs=_own_extension, foreign=_foreign_extension, ok=405
    ),
    "deadlines:rule_list": Rule(READERS),
    "deadlines:rule_detail": Rule(READERS, kwargs=_rule),
    "deadlines:rule_edit": Rule(LEGAL, kwargs=_rule),
    "deadlines:calendar": Rule(ADMIN),
    "deadlines:calendar_year": Rule(ADMIN, kwargs=_year),
    "deadlines:calendar_publish": Rule(ADMIN, kwargs=_year, ok=405),
    "deadlines:calendar_day_remove": Rule(ADMIN, kwargs=_day, ok=405),
}
