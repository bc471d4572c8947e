"""Access rules of the supervision pages for the URL matrix (Z1, Z3)."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

READERS = frozenset(Role.values) - {Role.ADMIN}
RUN_READERS = frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR})
LEGAL = frozenset({Role.LEGAL_BRIGADE})
FOLLOW_UP_READERS = frozenset(
    {
        Role.CENTER_HEAD,
        Role.LEGAL_BRIGADE,
        Role.OFFICER,
        Role.LEADER,
        Role.LEGAL_OFFICER,
        Role.INSPECTOR,
        Role.BUREAU_HEAD,
    }
)
_serial = itertools.count(1)


def _finding(unit: Any, officer: Any) -> Any:
    """A finding of ``unit`` addressed to ``officer``. The patrol is the only writer of findings
    and it needs months of alerts; the matrix needs one row per persona, so it writes it."""
    from shoulian.supervision.models import Finding, PatrolRule

    rule = PatrolRule.objects.get(code="bounced_alert", bureau=None, version=1)
    now = timezone.now()
    return Finding.objects.create(
        rule_code=rule.code,
        rule=rule,
        kind="finding",
        subject_type="matrix",
        subject_id=str(next(_serial)),
        bureau=unit.bureau(),
        unit=unit,
        officer=officer,
        base_level=rule.level,
        level=rule.level,
        summary="矩阵测试巡查发现",
        opened_at=now,
        last_seen_at=now,
    )


def _own(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _finding(user.unit, user).pk}


def _foreign(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _finding(other.station, None).pk}


def _rule(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"code": "bounced_alert"}


ACCESS = {
    "supervision:findings": Rule(READERS),
    "supervision:finding": Rule(READERS, kwargs=_own, foreign=_foreign),
    "supervision:follow_ups": Rule(FOLLOW_UP_READERS),
    "supervision:inbox": Rule(READERS),
    "supervision:rules": Rule(READERS),
    "supervision:rule": Rule(READERS, kwargs=_rule),
    "supervision:rule_edit": Rule(LEGAL, kwargs=_rule),
    "supervision:runs": Rule(RUN_READERS),
}
