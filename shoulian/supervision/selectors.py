"""Reads of supervision. Every read goes through ``visible_to``: a station sees its own findings,
the center, the legal brigade and the bureau head the bureau's, the inspector reads the bureau's;
a clerk sees only findings addressed to the clerk; the administrator none."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shoulian.core.paging import capped_count, count_label
from shoulian.deadlines.counting import LEGAL_TZ, band_for
from shoulian.deadlines.versions import bureau_id_of, legal_date
from shoulian.org.models import Unit
from shoulian.supervision import registry, versions
from shoulian.supervision.choices import (
    ACTIVE_STATUSES,
    AWAITING_RECTIFICATION,
    FindingKind,
    FindingStatus,
    StepStatus,
)
from shoulian.supervision.models import (
    Finding,
    InboxMessage,
    PatrolRule,
    PatrolRun,
    Rectification,
    ReviewStep,
)


@dataclass(frozen=True)
class Window:
    """Dates narrowing the findings list (Asia/Shanghai days, both ends inclusive), the moment
    at which still-open findings were overdue, and one responsible unit (with its sub-units):
    what a figure of a report drills down to."""

    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    # Overdue at the start of this day: due before it, opened before it, not closed before it.
    overdue_on: dt.date | None = None
    unit_id: int | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__dataclass_fields__)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LEGAL_TZ)


def _narrow(qs: QuerySet[Finding], window: Window) -> QuerySet[Finding]:
    one = dt.timedelta(days=1)
    if window.opened_from:
        qs = qs.filter(opened_at__gte=_midnight(window.opened_from))
    if window.opened_to:
        qs = qs.filter(opened_at__lt=_midnight(window.opened_to + one))
    if window.closed_from:
        qs = qs.filter(closed_at__gte=_midnight(window.closed_from))
    if window.closed_to:
        qs = qs.filter(closed_at__lt=_midnight(window.closed_to + one))
    if window.overdue_on:
        end = _midnight(window.overdue_on)
        qs = qs.filter(opened_at__lt=end, due_at__lt=end).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=end)
        )
    if window.unit_id is not None:
        unit = Unit.objects.filter(pk=window.unit_id).only("path").first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit is not None else qs.none()
    return qs


def findings(
    user: Any,
    *,
    status: str = "",
    level: str = "",
    rule: str = "",
    kind: str = FindingKind.FINDING,
    window: Window | None = None,
) -> QuerySet[Finding]:
    """Newest first; the scope and the filters are checked along the ``(kind, opened_at, id)``
    index, so a page of the list stops after its rows (issue 14)."""
    qs: QuerySet[Finding] = Finding.objects.visible_by_order(user).select_related(
        "unit", "officer", "alert"
    )
    if window:
        qs = _narrow(qs, window)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if rule:
        qs = qs.filter(rule_code=rule)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-pk")


def finding_counts(user: Any, *, rule: str = "") -> dict[str, int]:
    """Active findings by colour, warnings and closed ones, for the list header (of one rule
    when ``rule`` is given). Each a capped count (``core.paging``, shown as "1000+") that an
    index answers, not one pass over every finding of the bureau."""
    qs = Finding.objects.visible_to(user)
    if rule:
        qs = qs.filter(rule_code=rule)
    active = qs.filter(kind=FindingKind.FINDING, status__in=ACTIVE_STATUSES)
    return {
        "red": capped_count(active.filter(level="red")),
        "orange": capped_count(active.filter(level="orange")),
        "yellow": capped_count(active.filter(level="yellow")),
        "warnings": capped_count(qs.filter(kind=FindingKind.WARNING, status=FindingStatus.OPEN)),
        "closed": capped_count(qs.filter(status=FindingStatus.CLOSED)),
    }


def finding_for_detail(user: Any, pk: int) -> Finding:
    finding = (
        Finding.objects.visible_to(user)
        .select_related("unit", "bureau", "officer", "rule", "alert", "alert__handling_unit")
        .prefetch_related(
            Prefetch(
                "rectifications",
                queryset=Rectification.objects.select_related("submitted_by")
                .prefetch_related(
                    Prefetch(
                        "steps",
                        queryset=ReviewStep.objects.select_related("unit", "decided_by").order_by(
                            "position"
                        ),
                    ),
                    "files",
                )
                .order_by("round"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise Http404("巡查发现不存在")
    return finding


def my_findings(user: Any, limit: int = 8) -> list[Finding]:
    """What waits for this user: findings to rectify (own or own unit's) and review steps the
    user holds. For the home page."""
    visible = Finding.objects.visible_to(user)
    own = visible.filter(status__in=AWAITING_RECTIFICATION, kind=FindingKind.FINDING).filter(
        Q(officer=user) | Q(unit_id=user.unit_id)
    )
    reviewing = visible.filter(
        status=FindingStatus.REVIEWING,
        rectifications__steps__status=StepStatus.PENDING,
        rectifications__steps__unit_id=user.unit_id,
        rectifications__steps__role__in=list(user.role_set),
    )
    ids = list(own.values_list("pk", flat=True)[:limit]) + list(
        reviewing.values_list("pk", flat=True)[:limit]
    )
    return list(
        Finding.objects.filter(pk__in=ids)
        .select_related("unit", "alert")
        .order_by("due_at", "-opened_at")[:limit]
    )


def due_band(finding: Finding, now: dt.datetime | None = None) -> str:
    """The rectification period's colour (green … red), counted like every deadline."""
    if finding.due_at is None or finding.status not in AWAITING_RECTIFICATION:
        return ""
    now = now or timezone.now()
    total = (finding.due_at - finding.opened_at).total_seconds()
    share = (now - finding.opened_at).total_seconds() / total if total > 0 else 1.0
    return band_for(due=finding.due_at, now=now, share=share, paused=False)


# --- inbox -----------------------------------------------------------------------------------------
def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[InboxMessage]:
    qs = InboxMessage.objects.for_user(user).select_related("finding")
    if unread_only:
        qs = qs.unread()
    return qs.order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    return InboxMessage.objects.for_user(user).unread().count()


# --- rules and runs --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleRow:
    definition: registry.RuleDef
    current: PatrolRule | None
    upcoming: PatrolRule | None
    active_findings: int

    @property
    def active_label(self) -> str:
        return count_label(self.active_findings)


def rules_overview(user: Any, today: dt.date | None = None) -> list[RuleRow]:
    """Every registered rule with the version in force for the user's bureau."""
    today = today or legal_date(timezone.now())
    bureau_id = bureau_id_of(user.unit) if user.unit_id else None
    own = Q(bureau__isnull=True) | Q(bureau_id=bureau_id)
    by_code: dict[str, list[PatrolRule]] = {}
    for rule in PatrolRule.objects.filter(own).order_by("effective_from", "id"):
        by_code.setdefault(rule.code, []).append(rule)
    # Per rule, a count that stops after COUNT_CAP + 1 rows of the (rule_code, status) index
    # (issue 14): one GROUP BY over every active finding of the bureau grew with them.
    active = Finding.objects.visible_to(user).filter(status__in=ACTIVE_STATUSES)
    rows = []
    for code, defn in registry.REGISTRY.items():
        history = by_code.get(code, [])
        current = versions.pick(history, today)
        upcoming = next((r for r in history if r.effective_from > today), None)
        rows.append(RuleRow(defn, current, upcoming, capped_count(active.filter(rule_code=code))))
    return rows


def rule_history(user: Any, code: str) -> list[PatrolRule]:
    if code not in registry.REGISTRY:
        raise Http404("巡查规则不存在")
    bureau_id = bureau_id_of(user.unit) if user.unit_id else None
    return list(
        versions.chain(code, bureau_id)
        .select_related("created_by", "bureau")
        .order_by("-effective_from", "-id")
    )


def runs(user: Any) -> QuerySet[PatrolRun]:
    return PatrolRun.objects.visible_to(user).select_related("bureau", "triggered_by")
