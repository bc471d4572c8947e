"""Writes of the platform: its rollups, its warning feed and the acknowledgement of a warning.

The rollups move in the transaction of the change (``fact_refresh``, called by the subscribers);
``rollups_rederive`` is the nightly check that re-derives them from the source rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from shoulian.audit import journal
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.dashboard.choices import BOUNCE_WARNING_FROM, WarningKind
from shoulian.dashboard.facts import FIELDS, Fact, derive
from shoulian.dashboard.models import (
    AlertFact,
    DailyCount,
    NodeCount,
    RiskWarning,
    SatisfactionCount,
)
from shoulian.intake.models import Alert
from shoulian.supervision.choices import ACTIVE_STATUSES, FindingKind, Level
from shoulian.supervision.models import Finding

# --- counters ----------------------------------------------------------------------------------

DailyKey = tuple[int, int, dt.date, str, str]  # bureau, unit, day, channel, group
NodeKey = tuple[int, int, str]  # bureau, unit, node
SatisfactionKey = tuple[int, int, dt.date]  # bureau, unit, day


@dataclass
class Deltas:
    daily: Counter[tuple[DailyKey, str]] = field(default_factory=Counter)
    node: Counter[NodeKey] = field(default_factory=Counter)
    satisfaction: Counter[tuple[SatisfactionKey, str]] = field(default_factory=Counter)

    def add(self, fact: Fact, sign: int) -> None:
        key: DailyKey = (fact.bureau_id, fact.unit_id, fact.day, fact.channel, fact.group)
        self.daily[(key, "n")] += sign
        if fact.on_spot is not None:
            self.daily[(key, "spot_total")] += sign
            if fact.on_spot:
                self.daily[(key, "spot_ok")] += sign
        if fact.node:
            self.node[(fact.bureau_id, fact.unit_id, fact.node)] += sign
        if fact.satisfied is not None and fact.followed_day is not None:
            column = "satisfied" if fact.satisfied else "dissatisfied"
            self.satisfaction[((fact.bureau_id, fact.unit_id, fact.followed_day), column)] += sign


def _bump(model: Any, lookup: dict[str, Any], bureau_id: int, changes: dict[str, int]) -> None:
    """Add ``changes`` to the counter row ``lookup``, creating it at zero first if needed. The
    create ignores a conflict, so two transactions creating the same row both end up adding."""
    updates = {column: F(column) + d for column, d in changes.items()}
    if model.objects.filter(**lookup).update(**updates):
        return
    model.objects.bulk_create([model(bureau_id=bureau_id, **lookup)], ignore_conflicts=True)
    model.objects.filter(**lookup).update(**updates)


def _apply(deltas: Deltas) -> None:
    daily: dict[DailyKey, dict[str, int]] = {}
    for (key, column), d in deltas.daily.items():
        if d:
            daily.setdefault(key, {})[column] = d
    for (bureau, unit, day, channel, group), changes in daily.items():
        lookup = {"unit_id": unit, "day": day, "channel": channel, "group": group}
        _bump(DailyCount, lookup, bureau, changes)
    for (bureau, unit, node), d in deltas.node.items():
        if d:
            _bump(NodeCount, {"unit_id": unit, "node": node}, bureau, {"n": d})
    satisfaction: dict[SatisfactionKey, dict[str, int]] = {}
    for (sat_key, column), d in deltas.satisfaction.items():
        if d:
            satisfaction.setdefault(sat_key, {})[column] = d
    for (bureau, unit, day), changes in satisfaction.items():
        _bump(SatisfactionCount, {"unit_id": unit, "day": day}, bureau, changes)


def _stored(alert_ids: list[int]) -> dict[int, Fact]:
    return {
        row["alert_id"]: Fact(**row)
        for row in AlertFact.objects.filter(alert_id__in=alert_ids).values("alert_id", *FIELDS)
    }


def fact_refresh(alert_ids: Iterable[int]) -> dict[int, Fact]:
    """Bring the facts of ``alert_ids`` and the counters up to date with the source rows.

    Called inside the transaction of the change; a replay of the same change finds nothing to
    move (the stored fact already says what the new one says)."""
    ids = list(alert_ids)
    new = derive(ids)
    old = _stored(ids)
    deltas = Deltas()
    changed: list[Fact] = []
    for pk, fact in new.items():
        before = old.get(pk)
        if before == fact:
            continue
        if before is not None:
            deltas.add(before, -1)
        deltas.add(fact, +1)
        changed.append(fact)
    if not changed:
        return new
    _apply(deltas)
    rows = [
        AlertFact(**{"alert_id": f.alert_id, **{k: getattr(f, k) for k in FIELDS}}) for f in changed
    ]
    existing = [r for r in rows if r.alert_id in old]
    fresh = [r for r in rows if r.alert_id not in old]
    if fresh:
        AlertFact.objects.bulk_create(fresh)
    if existing:
        AlertFact.objects.bulk_update(existing, list(FIELDS))
    return new


# --- the warning feed --------------------------------------------------------------------------


def warnings_for_bounces(facts: Iterable[Fact], *, at: dt.datetime) -> int:
    """An alert passed on ``BOUNCE_WARNING_FROM`` times or more goes into the feed, once per
    count (a third bounce after an acknowledged second is news again)."""
    rows = [
        RiskWarning(
            bureau_id=f.bureau_id,
            unit_id=f.unit_id,
            alert_id=f.alert_id,
            kind=WarningKind.BOUNCING,
            summary=f"退回、移交合计 {f.bounces} 次",
            key=f"bounce:{f.alert_id}:{f.bounces}",
            raised_at=at,
        )
        for f in facts
        if f.bounces >= BOUNCE_WARNING_FROM
    ]
    return _add_warnings(rows)


def _add_warnings(rows: list[RiskWarning]) -> int:
    """Insert the warnings not in the feed yet; the number inserted. ``ignore_conflicts`` covers
    a concurrent writer of the same key."""
    if not rows:
        return 0
    known = set(
        RiskWarning.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True)
    )
    new = [r for r in rows if r.key not in known]
    RiskWarning.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def warnings_from_findings(*, alert_ids: Iterable[int] | None = None, at: dt.datetime) -> int:
    """New red findings and escalated ones (active only) go into the feed, once each.

    Called by the transition subscriber for the alert that moved (the incremental patrol runs in
    the same transaction, before it) and by the minute job for what the daily patrol and the
    escalation job write."""
    qs = Finding.objects.filter(kind=FindingKind.FINDING, status__in=ACTIVE_STATUSES).filter(
        Q(level=Level.RED) | Q(escalation__gt=0)
    )
    if alert_ids is not None:
        qs = qs.filter(alert_id__in=list(alert_ids))
    rows: list[RiskWarning] = []
    for f in qs.values(
        "pk", "bureau_id", "unit_id", "alert_id", "level", "escalation", "summary", "opened_at"
    ):
        if f["escalation"]:
            rows.append(
                RiskWarning(
                    bureau_id=f["bureau_id"],
                    unit_id=f["unit_id"],
                    alert_id=f["alert_id"],
                    finding_id=f["pk"],
                    kind=WarningKind.ESCALATION,
                    summary=f"逾期未整改，第 {f['escalation']} 次升级：{f['summary']}"[:300],
                    key=f"escalation:{f['pk']}:{f['escalation']}",
                    raised_at=at,
                )
            )
        elif f["level"] == Level.RED:
            rows.append(
                RiskWarning(
                    bureau_id=f["bureau_id"],
                    unit_id=f["unit_id"],
                    alert_id=f["alert_id"],
                    finding_id=f["pk"],
                    kind=WarningKind.RED_FINDING,
                    summary=f["summary"][:300],
                    key=f"red:{f['pk']}",
                    raised_at=f["opened_at"],
                )
            )
    return _add_warnings(rows)


class AlreadyAcknowledged(Exception):
    """Somebody acknowledged the warning first."""


def warning_acknowledge(*, actor: Any, warning: RiskWarning) -> RiskWarning:
    """Mark ``warning`` as seen by ``actor``; the caller has fetched it through the scoped
    selector. Compare-and-set: of two people acknowledging at once, one wins."""
    now = timezone.now()
    with transaction.atomic():
        won = RiskWarning.objects.filter(pk=warning.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor
        )
        if not won:
            raise AlreadyAcknowledged
        journal.record(
            EventType.RISK_WARNING_ACKNOWLEDGED,
            obj=("alert", warning.alert_id) if warning.alert_id else ("risk_warning", warning.pk),
            data={"warning": warning.pk, "kind": warning.kind, "key": warning.key},
            actor=actor,
        )
    warning.acknowledged_at, warning.acknowledged_by = now, actor
    return warning


# --- the nightly re-derivation -----------------------------------------------------------------

CHUNK = 2000


@dataclass
class DriftReport:
    alerts: int = 0
    facts: int = 0  # facts missing, extra or different
    daily: int = 0  # counter rows that differ
    node: int = 0
    satisfaction: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.facts + self.daily + self.node + self.satisfaction

    def note(self, text: str) -> None:
        if len(self.examples) < 10:
            self.examples.append(text)


def _facts_drift(report: DriftReport, *, repair: bool) -> None:
    last = 0
    while True:
        ids = list(
            Alert.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            break
        last = ids[-1]
        report.alerts += len(ids)
        new, old = derive(ids), _stored(ids)
        bad = [pk for pk in ids if new.get(pk) != old.get(pk)]
        for pk in bad:
            report.facts += 1
            report.note(f"警情 {pk} 的事实行与源数据不符")
        if repair and bad:
            AlertFact.objects.filter(alert_id__in=bad).delete()
            AlertFact.objects.bulk_create(
                [
                    AlertFact(alert_id=pk, **{k: getattr(new[pk], k) for k in FIELDS})
                    for pk in bad
                    if pk in new
                ]
            )
    # Facts of alerts that no longer exist go with them (CASCADE); nothing else to look for.


def _counter_drift(
    report: DriftReport,
    *,
    model: Any,
    name: str,
    keys: tuple[str, ...],
    columns: dict[str, Any],
    facts: Any,
    repair: bool,
    fact_keys: tuple[str, ...] = (),
) -> None:
    fact_keys = fact_keys or keys
    # Aliased: a counter column may share its name with a fact field (``satisfied``).
    expected = {
        tuple(row[k] for k in fact_keys): {c: row[f"c_{c}"] for c in columns}
        for row in facts.values(*fact_keys)
        .annotate(**{f"c_{c}": agg for c, agg in columns.items()})
        .order_by()
    }
    actual = {tuple(row[k] for k in keys): row for row in model.objects.values(*keys, *columns)}
    differing = []
    for key in expected.keys() | actual.keys():
        want = expected.get(key)
        have = actual.get(key)
        want_values = {c: (want or {}).get(c) or 0 for c in columns}
        have_values = {c: (have or {}).get(c) or 0 for c in columns}
        if want_values != have_values:
            differing.append(key)
            report.note(f"{name} {key}：应为 {want_values}，实为 {have_values}")
    setattr(report, name, len(differing))
    if repair and differing:
        with transaction.atomic():
            for key in differing:
                lookup = dict(zip(keys, key, strict=True))
                model.objects.filter(
                    **{k: v for k, v in lookup.items() if k != "bureau_id"}
                ).delete()
                if key in expected:
                    model.objects.create(**lookup, **{c: expected[key][c] or 0 for c in columns})


def rollups_rederive(*, repair: bool = True) -> DriftReport:
    """Re-derive every fact from the source rows and every counter from the facts; journal the
    check, and the drift if there is any (with up to ten examples). ``repair`` rewrites what
    differs, so the platform is right again after the night's run."""
    report = DriftReport()
    _facts_drift(report, repair=repair)
    _counter_drift(
        report,
        model=DailyCount,
        name="daily",
        keys=("bureau_id", "unit_id", "day", "channel", "group"),
        columns={
            "n": Count("pk"),
            "spot_total": Count("pk", filter=Q(on_spot__isnull=False)),
            "spot_ok": Count("pk", filter=Q(on_spot=True)),
        },
        facts=AlertFact.objects.all(),
        repair=repair,
    )
    _counter_drift(
        report,
        model=NodeCount,
        name="node",
        keys=("bureau_id", "unit_id", "node"),
        columns={"n": Count("pk")},
        facts=AlertFact.objects.exclude(node=""),
        repair=repair,
    )
    _counter_drift(
        report,
        model=SatisfactionCount,
        name="satisfaction",
        keys=("bureau_id", "unit_id", "day"),
        columns={
            "satisfied": Count("pk", filter=Q(satisfied=True)),
            "dissatisfied": Count("pk", filter=Q(satisfied=False)),
        },
        facts=AlertFact.objects.filter(followed_day__isnull=False, satisfied__isnull=False),
        fact_keys=("bureau_id", "unit_id", "followed_day"),
        repair=repair,
    )
    with transaction.atomic():
        data = {
            "alerts": report.alerts,
            "facts": report.facts,
            "daily": report.daily,
            "node": report.node,
            "satisfaction": report.satisfaction,
            "repaired": repair,
        }
        journal.record(EventType.ROLLUPS_CHECKED, data=data)
        if report.total:
            journal.record(
                EventType.ROLLUP_DRIFT,
                outcome=Outcome.FAILURE,
                data={**data, "examples": report.examples},
            )
    return report
