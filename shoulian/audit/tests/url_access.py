from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import STAFF, Rule

INSPECTOR = frozenset({Role.INSPECTOR})


def _own_account(user: Any, own: Any, other: Any) -> dict[str, str]:
    # Every member of staff may see its own account, so its own timeline.
    return {"object_type": "user", "object_id": str(user.pk)}


def _foreign_account(user: Any, own: Any, other: Any) -> dict[str, str]:
    from shoulian.accounts.models import User

    foreign = User.objects.filter(unit__path__startswith=other.bureau.path).first()
    assert foreign is not None
    return {"object_type": "user", "object_id": str(foreign.pk)}


ACCESS = {
    "audit:journal": Rule(INSPECTOR),
    "audit:journal_export": Rule(INSPECTOR),
    "audit:timeline": Rule(STAFF, kwargs=_own_account, foreign=_foreign_account),
}
