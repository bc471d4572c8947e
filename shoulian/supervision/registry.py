"""The one code registry of patrol-rule predicates (``@patrol_rule("code")``).

A predicate is code: given a ``PatrolContext`` (the bureau, the moment, the parameters of the rule
version in force, and optionally the alerts that just changed) it returns the hits, computed with
set-based queries. Everything the legal brigade tunes — parameters, level, recipients, the
rectification period and review chain, on/off — is data (``PatrolRule`` versions), seeded from
the defaults declared here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from shoulian.intake.models import Alert
from shoulian.org.models import Unit
from shoulian.supervision.choices import DEFAULT_CHAIN, FindingKind, Level, Recipient


@dataclass(frozen=True)
class Param:
    """One tunable number of a rule (days, counts, percentages)."""

    name: str
    label: str
    default: int
    minimum: int = 0
    maximum: int = 3650
    help: str = ""


@dataclass(frozen=True)
class Hit:
    """One match: the object the rule speaks about, where it belongs, and why (no personal data)."""

    subject_type: str
    subject_id: int | str
    alert_id: int | None
    unit_id: int
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    officer_id: int | None = None
    # Warnings choose their colour by the share of the period used; findings take the rule's.
    level: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.subject_type, str(self.subject_id))


@dataclass
class PatrolContext:
    bureau: Unit
    now: dt.datetime
    params: dict[str, int]
    # None: a full patrol of the bureau; else only these alerts (incremental evaluation).
    alert_ids: frozenset[int] | None = None

    def param(self, name: str) -> int:
        return int(self.params[name])

    def alerts(self) -> QuerySet[Alert]:
        """The alerts this evaluation covers: the bureau's (by registering desk), or the changed
        ones among them."""
        # As of ``now``: a patrol laid out over past days (the demo) sees only what existed then.
        qs = Alert.objects.filter(
            registering_unit__path__startswith=self.bureau.path, registered_at__lte=self.now
        )
        if self.alert_ids is not None:
            qs = qs.filter(pk__in=self.alert_ids)
        return qs

    def alert_filter(self, qs: QuerySet[Any], prefix: str = "alert") -> QuerySet[Any]:
        """Narrow a queryset of rows belonging to an alert (``prefix`` names the foreign key)."""
        qs = qs.filter(
            **{
                f"{prefix}__registering_unit__path__startswith": self.bureau.path,
                f"{prefix}__registered_at__lte": self.now,
            }
        )
        if self.alert_ids is not None:
            qs = qs.filter(**{f"{prefix}_id__in": self.alert_ids})
        return qs


Predicate = Callable[[PatrolContext], Iterable[Hit]]


@dataclass(frozen=True)
class RuleDef:
    code: str
    name: str
    description: str
    kind: str
    level: str
    params: tuple[Param, ...]
    recipients: tuple[str, ...]
    review_chain: tuple[str, ...]
    rectify_days: int
    basis: str
    predicate: Predicate
    # Evaluated for one changed alert by the transition subscriber (False: only by the patrol).
    incremental: bool = True
    # Re-evaluated by the band watcher, since its hits change with the clock, not with steps.
    clock_driven: bool = False
    # Its hits are findings to escalate, not new findings (finding not rectified in time).
    escalates: bool = False

    def defaults(self) -> dict[str, Any]:
        """The settings of version 1 (what the seeding migration writes)."""
        return {
            "name": self.name,
            "level": self.level,
            "params": {p.name: p.default for p in self.params},
            "recipients": list(self.recipients),
            "review_chain": list(self.review_chain),
            "rectify_days": self.rectify_days,
        }


REGISTRY: dict[str, RuleDef] = {}

UNIT_RECIPIENTS = (Recipient.OFFICER, Recipient.LEADER, Recipient.LEGAL_OFFICER)


def patrol_rule(
    code: str,
    *,
    name: str,
    description: str,
    basis: str,
    level: str = Level.ORANGE,
    kind: str = FindingKind.FINDING,
    params: tuple[Param, ...] = (),
    recipients: tuple[str, ...] = UNIT_RECIPIENTS,
    review_chain: tuple[str, ...] = DEFAULT_CHAIN,
    rectify_days: int = 7,
    incremental: bool = True,
    clock_driven: bool = False,
    escalates: bool = False,
) -> Callable[[Predicate], Predicate]:
    def decorator(func: Predicate) -> Predicate:
        if code in REGISTRY and REGISTRY[code].predicate is not func:
            raise ValueError(f"patrol rule {code!r} registered twice")
        REGISTRY[code] = RuleDef(
            code=code,
            name=name,
            description=description,
            kind=kind,
            level=level,
            params=params,
            recipients=recipients,
            review_chain=review_chain,
            rectify_days=rectify_days,
            basis=basis,
            predicate=func,
            incremental=incremental,
            clock_driven=clock_driven,
            escalates=escalates,
        )
        return func

    return decorator


def get(code: str) -> RuleDef:
    return REGISTRY[code]


def codes() -> list[str]:
    return list(REGISTRY)
