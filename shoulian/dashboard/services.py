"""Writes of the platform: its rollups, its warning feed and the acknowledgement of a warning.

The rollups move in the transaction of the change (``fact_refresh``, called by the subscribers);
``rollups_rederive`` is the nightly check that re-derives them from the source rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.dashboard.choices import BOUNCE_WARNING_FROM, Band, Span, WarningKind
from shoulian.dashboard.facts import (
    FIELDS,
    FINDING_FIELDS,
    FINDING_ROW,
    Fact,
    FindingValues,
    derive,
    derive_findings,
    finding_fact,
    finding_rows,
)
from shoulian.dashboard.models import (
    AlertFact,
    DailyCount,
    DisplayLink,
    FindingCount,
    FindingFact,
    NodeCount,
    RiskWarning,
    SatisfactionCount,
    WarningCount,
)
from shoulian.intake.models import Alert
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.supervision.choices import ACTIVE_STATUSES, FindingKind, Level
from shoulian.supervision.models import Finding

# --- counters ----------------------------------------------------------------------------------

DailyKey = tuple[int, int, str, dt.date, str, str]  # bureau, unit, span, start, channel, group
NodeKey = tuple[int, int, str]  # bureau, unit, node
SatisfactionKey = tuple[int, int, dt.date]  # bureau, unit, day
# The node counters' columns of each band (期限内 is the rest: ``n`` minus these).
BAND_COLUMNS: dict[str, str] = {Band.NEAR: "near", Band.OVERDUE: "overdue", Band.NONE: "no_period"}


def spans_of(day: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """The periods a day counts in, each by its first day: the day, its week (from Monday), its
    month."""
    return (
        (Span.DAY, day),
        (Span.WEEK, day - dt.timedelta(days=day.weekday())),
        (Span.MONTH, day.replace(day=1)),
    )


@dataclass
class Deltas:
    daily: Counter[tuple[DailyKey, str]] = field(default_factory=Counter)
    node: Counter[tuple[NodeKey, str]] = field(default_factory=Counter)
    satisfaction: Counter[tuple[SatisfactionKey, str]] = field(default_factory=Counter)

    def add(self, fact: Fact, sign: int) -> None:
        for span, start in spans_of(fact.day):
            key: DailyKey = (fact.bureau_id, fact.unit_id, span, start, fact.channel, fact.group)
            self.daily[(key, "n")] += sign
            if fact.on_spot is not None:
                self.daily[(key, "spot_total")] += sign
                if fact.on_spot:
                    self.daily[(key, "spot_ok")] += sign
        if fact.node:
            self.add_band(fact, fact.band, sign)
            self.node[((fact.bureau_id, fact.unit_id, fact.node), "n")] += sign
        if fact.satisfied is not None and fact.followed_day is not None:
            column = "satisfied" if fact.satisfied else "dissatisfied"
            self.satisfaction[((fact.bureau_id, fact.unit_id, fact.followed_day), column)] += sign

    def add_band(self, fact: Fact, band: str, sign: int) -> None:
        if band in BAND_COLUMNS:
            self.node[((fact.bureau_id, fact.unit_id, fact.node), BAND_COLUMNS[band])] += sign


def _by_key(deltas: Counter[tuple[Any, str]]) -> dict[tuple[Any, ...], dict[str, int]]:
    rows: dict[tuple[Any, ...], dict[str, int]] = {}
    for (key, column), d in deltas.items():
        if d:
            rows.setdefault(key, {})[column] = d
    return rows


Statement = tuple[str, list[Any]]


def _execute(statements: list[Statement | None]) -> None:
    """Run a step's writes. On PostgreSQL as one statement (the first ones as data-modifying
    ``WITH`` parts of the last): one round trip instead of one per table. The parts touch
    different tables and the server runs them in the same order every time (the last, then the
    ``WITH`` parts in order), so concurrent steps take their locks in one order as before."""
    todo = [s for s in statements if s is not None]
    if not todo:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(todo) > 1:
            *parts, (last, last_params) = todo
            sql = "WITH " + ", ".join(f"w{i} AS ({part})" for i, (part, _) in enumerate(parts))
            params = [p for _, part_params in parts for p in part_params]
            cursor.execute(f"{sql} {last}", [*params, *last_params])
        else:
            for sql, params in todo:
                cursor.execute(sql, params)


def _upsert(
    model: Any,
    keys: tuple[str, ...],
    columns: tuple[str, ...],
    rows: dict[tuple[Any, ...], dict[str, int]],
    *,
    fixed: dict[str, Any] | None = None,
) -> None:
    _execute([_upsert_sql(model, keys, columns, rows, fixed=fixed)])


def _upsert_sql(
    model: Any,
    keys: tuple[str, ...],
    columns: tuple[str, ...],
    rows: dict[tuple[Any, ...], dict[str, int]],
    *,
    fixed: dict[str, Any] | None = None,
) -> Statement | None:
    """Add each row's changes to its counter in one statement: ``INSERT … ON CONFLICT DO UPDATE
    SET c = c + excluded.c``. The database adds under the row's lock, so two transactions moving
    the same counter both count (a read-then-write would let the later one overwrite the earlier
    one's increment), a missing row is created by whichever comes first, and the rows are written
    in key order, so two transactions moving the same counters in opposite directions (an alert
    routed to a station while another is returned from it) queue instead of deadlocking.

    ``bureau_id`` is written, not matched: the unit decides the row. A unit lies in one bureau for
    good (units are not moved; desks sit in a bureau; routes, transfers and designations stay
    within the registering unit's bureau), so no two bureaus' counts share a unit's key."""
    rows = {key: changes for key, changes in rows.items() if any(changes.values())}
    if not rows:
        return None
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    fixed = fixed or {}
    fields = ("bureau_id", *fixed, *keys, *columns)
    values, params = [], []
    for key in sorted(rows):
        bureau_id, *key_values = key
        changes = rows[key]
        values.append(f"({', '.join(['%s'] * len(fields))})")
        params.extend(
            [bureau_id, *fixed.values(), *key_values, *(changes.get(c, 0) for c in columns)]
        )
    # Only identifiers from the model's own metadata and placeholders go into the text.
    columns_sql = ", ".join(q(f) for f in fields)
    conflict_sql = ", ".join(q(k) for k in (*fixed, *keys))
    set_sql = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in columns)
    sql = f"INSERT INTO {table} ({columns_sql}) VALUES {', '.join(values)} "  # noqa: S608
    sql += f"ON CONFLICT ({conflict_sql}) DO UPDATE SET {set_sql}"
    return sql, params


def _apply(deltas: Deltas) -> list[Statement | None]:
    """The counter statements of ``deltas`` (``_execute`` runs them)."""
    return [
        _upsert_sql(
            DailyCount,
            ("unit_id", "span", "day", "channel", "group"),
            ("n", "spot_total", "spot_ok"),
            _by_key(deltas.daily),
        ),
        _upsert_sql(NodeCount, ("unit_id", "node"), NODE_COLUMNS, _by_key(deltas.node)),
        _upsert_sql(
            SatisfactionCount,
            ("unit_id", "day"),
            ("satisfied", "dissatisfied"),
            _by_key(deltas.satisfaction),
        ),
    ]


def _row_values(model: Any, names: tuple[str, ...], row: Any) -> tuple[list[str], list[Any]]:
    meta = model._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    return (
        [connection.ops.quote_name(f.column) for f in fields],
        [
            f.get_db_prep_save(getattr(row, name), connection)
            for f, name in zip(fields, names, strict=True)
        ],
    )


def _row_writes(
    model: Any, names: tuple[str, ...], fresh: list[Any], existing: list[Any]
) -> list[Statement | None]:
    """The INSERT of the new fact rows and an UPDATE per changed one, as statements (``names``:
    the key first, then the columns)."""
    table = connection.ops.quote_name(model._meta.db_table)
    out: list[Statement | None] = []
    if fresh:
        values, params = [], []
        for row in fresh:
            columns, row_params = _row_values(model, names, row)
            values.append(f"({', '.join(['%s'] * len(row_params))})")
            params.extend(row_params)
        # Only identifiers from the model's own metadata and placeholders go into the text.
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(values)}"  # noqa: S608
        out.append((sql, params))
    for row in existing:
        columns, row_params = _row_values(model, names, row)
        set_sql = ", ".join(f"{c} = %s" for c in columns[1:])
        sql = f"UPDATE {table} SET {set_sql} WHERE {columns[0]} = %s"  # noqa: S608
        out.append((sql, [*row_params[1:], row_params[0]]))
    return out


def _fact_writes(fresh: list[Fact], existing: list[Fact]) -> list[Statement | None]:
    return _row_writes(AlertFact, ("alert_id", *FIELDS), fresh, existing)


NODE_COLUMNS = ("n", *BAND_COLUMNS.values())


def _stored(alert_ids: list[int], *, lock: bool = False) -> dict[int, Fact]:
    qs = AlertFact.objects.filter(alert_id__in=alert_ids)
    if lock:
        qs = qs.select_for_update().order_by("alert_id")
    return {row["alert_id"]: Fact(**row) for row in qs.values("alert_id", *FIELDS)}


def fact_refresh(alert_ids: Iterable[int], *, registered: bool = False) -> dict[int, Fact]:
    """Bring the facts of ``alert_ids`` and the counters up to date with the source rows.

    Called inside the transaction of the change; a replay of the same change finds nothing to
    move (the stored fact already says what the new one says). ``registered``: the alerts were
    created in this transaction, so no fact can be stored yet (one read fewer per registration;
    a fact that did exist would fail the insert and roll the registration back, not be
    counted twice)."""
    ids = list(alert_ids)
    # The stored facts are locked before the source rows are read: a second transaction moving
    # the same alert waits here until the first has committed, then derives from what that one
    # wrote and subtracts the fact it left. Read the other way round, both would subtract the
    # same old fact and the later one would overwrite the earlier one's fact row (a counter
    # moved twice, or a move lost). SQLite serialises writers (BEGIN IMMEDIATE): no lock needed.
    old = {} if registered else _stored(ids, lock=True)
    new = derive(ids, now=timezone.now())
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
    # The counters, then the fact rows (last: on PostgreSQL the statement the counters' parts
    # hang on, so a step's writes are one round trip).
    _execute(
        _apply(deltas)
        + _fact_writes(
            [f for f in changed if f.alert_id not in old],
            [f for f in changed if f.alert_id in old],
        )
    )
    return new


def stale_facts(
    now: dt.datetime, *, bureau_id: int, unit_id: int | None = None
) -> QuerySet[AlertFact, dict[str, Any]]:
    """The facts of a bureau (or of one unit of it) whose counted band the clock has passed since
    they were written: counted 期限内 with the warning time past (the due time may have passed
    too), counted 临期 with the due time past. Two range reads of partial indexes holding only
    the facts counted 期限内 and 临期: as many rows as moved since the minute job's last pass
    (``bands_advance``), whatever the number of alerts."""
    columns = ("alert_id", *FIELDS)
    facts = AlertFact.objects.filter(bureau_id=bureau_id)
    if unit_id is not None:
        facts = facts.filter(unit_id=unit_id)
    return (
        facts.filter(band=Band.OK, warn_at__lte=now)
        .values(*columns)
        .union(facts.filter(band=Band.NEAR, due_at__lte=now).values(*columns))
    )


def band_moves(rows: Iterable[dict[str, Any]], now: dt.datetime) -> tuple[Deltas, list[Fact]]:
    """The node counters' moves that bring ``rows`` (stored facts) to their band at ``now``, and
    the facts that moved, with that band."""
    deltas = Deltas()
    moved = []
    for row in rows:
        fact = Fact(**row)
        current = fact.at(now)
        if current.band != fact.band:
            deltas.add_band(fact, fact.band, -1)
            deltas.add_band(fact, current.band, +1)
            moved.append(current)
    return deltas, moved


def bands_advance(*, now: dt.datetime | None = None, batch: int = 2000, batches: int = 50) -> int:
    """The minute job: move the facts the clock has passed to their band now, node counters and
    fact rows together, a batch of a bureau per transaction; the number moved. A fact a step
    holds is skipped (the step writes its band at its own time); one behind the clock meanwhile
    is added by the platform's read (``stale_facts``)."""
    total = 0
    bureaus = NodeCount.objects.order_by().values_list("bureau_id", flat=True).distinct()
    for bureau_id in sorted(bureaus):
        for _ in range(batches):
            at = now or timezone.now()
            with transaction.atomic():
                ids = [r["alert_id"] for r in stale_facts(at, bureau_id=bureau_id)[:batch]]
                rows = (
                    AlertFact.objects.filter(alert_id__in=ids)
                    .select_for_update(skip_locked=True)
                    .order_by("alert_id")
                    .values("alert_id", *FIELDS)
                )
                deltas, moved = band_moves(rows, at)
                _upsert(NodeCount, ("unit_id", "node"), NODE_COLUMNS, _by_key(deltas.node))
                for band in (Band.NEAR, Band.OVERDUE):
                    AlertFact.objects.filter(
                        alert_id__in=[f.alert_id for f in moved if f.band == band]
                    ).update(band=band)
            total += len(moved)
            if len(ids) < batch:
                break
    return total


FindingKey = tuple[int, int, str, str, dt.date]  # bureau, unit, status, level, month


def _finding_key(f: FindingValues) -> FindingKey:
    return (f.bureau_id, f.unit_id, f.status, f.level, f.month)


def _stored_findings(finding_ids: list[int], *, lock: bool = False) -> dict[int, FindingValues]:
    qs = FindingFact.objects.filter(finding_id__in=finding_ids)
    if lock:
        qs = qs.select_for_update().order_by("finding_id")
    return {
        row["finding_id"]: FindingValues(**row) for row in qs.values("finding_id", *FINDING_FIELDS)
    }


def finding_refresh(finding_ids: Iterable[int]) -> None:
    """Bring the facts of ``finding_ids`` and the findings counters up to date with supervision's
    rows, in the transaction of the change (``supervision.hooks``); locked and moved by the
    difference like ``fact_refresh``, so a replay moves nothing."""
    ids = list(finding_ids)
    old = _stored_findings(ids, lock=True)
    rows = finding_rows(ids)
    new = {row["pk"]: finding_fact(row) for row in rows}
    # A red or escalated finding enters the feed with the change that made it so (the minute
    # job only catches up on findings written without this hook).
    _add_warnings(_finding_warnings(rows, at=timezone.now()))
    moves: Counter[FindingKey] = Counter()
    for pk in ids:
        before, after = old.get(pk), new.get(pk)
        if before == after:
            continue
        if before is not None:
            moves[_finding_key(before)] -= 1
        if after is not None:
            moves[_finding_key(after)] += 1
    if not moves:
        return
    gone = [pk for pk in old if pk not in new]
    if gone:
        FindingFact.objects.filter(finding_id__in=gone).delete()
    changed = [f for pk, f in new.items() if old.get(pk) != f]
    # The counters and the fact rows in one round trip on PostgreSQL, as for an alert's step.
    _execute(
        [
            _upsert_sql(
                FindingCount,
                ("unit_id", "status", "level", "month"),
                ("n",),
                {key: {"n": d} for key, d in moves.items() if d},
            ),
            *_row_writes(
                FindingFact,
                ("finding_id", *FINDING_FIELDS),
                [f for f in changed if f.finding_id not in old],
                [f for f in changed if f.finding_id in old],
            ),
        ]
    )


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
    """Insert the warnings not in the feed yet and count them in their units' open warnings;
    the number inserted. One ``INSERT … ON CONFLICT (key) DO NOTHING RETURNING``: a replay or
    a concurrent writer of the same key inserts and counts nothing."""
    if not rows:
        return 0
    q = connection.ops.quote_name
    meta = RiskWarning._meta
    fields: list[Any] = [meta.get_field(name) for name in WARNING_COLUMNS]
    values: list[str] = []
    params: list[Any] = []
    for row in sorted(rows, key=lambda r: r.key):
        values.append(f"({', '.join(['%s'] * len(fields))})")
        params.extend(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields)
    # Only identifiers from the model's own metadata and placeholders go into the text.
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES {', '.join(values)} ON CONFLICT ({q('key')}) DO NOTHING "
        f"RETURNING {q('bureau_id')}, {q('unit_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        added = Counter((b, u) for b, u in cursor.fetchall())
    _upsert(WarningCount, ("unit_id",), ("n",), {k: {"n": n} for k, n in added.items()})
    return sum(added.values())


WARNING_COLUMNS = (
    "bureau",
    "unit",
    "alert",
    "finding",
    "kind",
    "summary",
    "key",
    "raised_at",
)


def _finding_warnings(rows: Iterable[dict[str, Any]], *, at: dt.datetime) -> list[RiskWarning]:
    """The feed's entries for supervision's rows: an escalated active finding (once per level of
    escalation) and a red one (once)."""
    out: list[RiskWarning] = []
    for f in rows:
        if f["status"] not in ACTIVE_STATUSES:
            continue
        if f["escalation"]:
            out.append(
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
            out.append(
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
    return out


def warnings_from_findings(*, alert_ids: Iterable[int] | None = None, at: dt.datetime) -> int:
    """New red findings and escalated ones (active only) go into the feed, once each.

    The findings hook (``finding_refresh``) puts them in with the change; the minute job calls
    this for whatever was written without it (a restore, rows from before the hook)."""
    qs = Finding.objects.filter(kind=FindingKind.FINDING, status__in=ACTIVE_STATUSES).filter(
        Q(level=Level.RED) | Q(escalation__gt=0)
    )
    if alert_ids is not None:
        qs = qs.filter(alert_id__in=list(alert_ids))
    return _add_warnings(_finding_warnings(qs.values(*FINDING_ROW), at=at))


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
        _upsert(
            WarningCount, ("unit_id",), ("n",), {(warning.bureau_id, warning.unit_id): {"n": -1}}
        )
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
# Units whose suspect counters are checked again in one transaction (one grouped read of facts).
UNIT_CHUNK = 20


@dataclass
class DriftReport:
    alerts: int = 0
    facts: int = 0  # facts missing, extra or different
    daily: int = 0  # counter rows that differ
    node: int = 0
    satisfaction: int = 0
    finding_facts: int = 0  # finding facts missing, extra or different
    findings: int = 0  # findings counter rows that differ
    warnings: int = 0  # open-warning counter rows that differ
    examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.facts
            + self.daily
            + self.node
            + self.satisfaction
            + self.finding_facts
            + self.findings
            + self.warnings
        )

    def note(self, text: str) -> None:
        if len(self.examples) < 10:
            self.examples.append(text)


def _drift(
    report: DriftReport,
    *,
    source: Any,
    derive_rows: Any,
    stored: Any,
    fact_model: Any,
    key: str,
    fields: tuple[str, ...],
    counter: str,
    label: str,
    repair: bool,
    seen: str = "",
) -> None:
    """Re-derive the facts of every ``source`` row (in chunks, by id) and compare them with the
    stored ones; count and note those that differ in ``report.<counter>``, and rewrite them with
    ``repair``. A fact of a deleted source row goes with it (CASCADE); nothing else to look for."""
    last = 0
    while True:
        ids = list(source.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        last = ids[-1]
        if seen:
            setattr(report, seen, getattr(report, seen) + len(ids))
        now = timezone.now()
        new, old = derive_rows(ids, now), stored(ids, now)
        suspects = [pk for pk in ids if new.get(pk) != old.get(pk)]
        if not suspects:
            continue
        # A step committed between the two reads above looks like drift: look again with the
        # facts locked (as the upkeep holds them), so only a real difference is reported and
        # the repair never overwrites what a step is writing at this moment.
        with transaction.atomic():
            now = timezone.now()
            old = stored(suspects, now, lock=True)
            new = derive_rows(suspects, now)
            bad = [pk for pk in suspects if new.get(pk) != old.get(pk)]
            for pk in bad:
                setattr(report, counter, getattr(report, counter) + 1)
                report.note(label.format(pk))
            if repair and bad:
                fact_model.objects.filter(**{f"{key}__in": bad}).delete()
                fact_model.objects.bulk_create(
                    [
                        fact_model(**{key: pk}, **{k: getattr(new[pk], k) for k in fields})
                        for pk in bad
                        if pk in new
                    ]
                )


def _stored_at(ids: list[int], now: dt.datetime, *, lock: bool = False) -> dict[int, Fact]:
    """The stored facts with their band as the clock says at ``now``: a band the minute job has
    not moved yet is not drift (the counters count the stored band, and are checked on it)."""
    return {pk: fact.at(now) for pk, fact in _stored(ids, lock=lock).items()}


def _facts_drift(report: DriftReport, *, repair: bool) -> None:
    _drift(
        report,
        source=Alert.objects.all(),
        derive_rows=lambda ids, now: derive(ids, now=now),
        stored=_stored_at,
        fact_model=AlertFact,
        key="alert_id",
        fields=FIELDS,
        counter="facts",
        label="警情 {} 的事实行与源数据不符",
        repair=repair,
        seen="alerts",
    )


def _finding_facts_drift(report: DriftReport, *, repair: bool) -> None:
    """As ``_facts_drift``, for the findings. A warning has no fact (a stray one is drift)."""
    _drift(
        report,
        source=Finding.objects.all(),
        derive_rows=lambda ids, now: derive_findings(ids),
        stored=lambda ids, now, lock=False: _stored_findings(ids, lock=lock),
        fact_model=FindingFact,
        key="finding_id",
        fields=FINDING_FIELDS,
        counter="finding_facts",
        label="巡查发现 {} 的事实行与源数据不符",
        repair=repair,
    )


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
    counters: Any = None,
    fixed: dict[str, Any] | None = None,
) -> None:
    """Compare the counter rows of ``model`` (``counters``, all by default) with the counts of
    ``facts`` grouped by ``fact_keys``; add the differing rows to ``report.<name>`` and repair
    them like a step would. ``fixed``: key columns with one value for all the compared rows (the
    span of ``DailyCount``)."""
    fact_keys = fact_keys or keys
    counters = model.objects.all() if counters is None else counters
    fixed = fixed or {}
    # Aliased: a counter column may share its name with a fact field (``satisfied``).
    aggregates = {f"c_{c}": agg for c, agg in columns.items()}
    expected = {
        tuple(row[k] for k in fact_keys): {c: row[f"c_{c}"] for c in columns}
        for row in facts.values(*fact_keys).annotate(**aggregates).order_by()
    }
    actual = {tuple(row[k] for k in keys): row for row in counters.values(*keys, *columns)}
    suspects = []
    for key in expected.keys() | actual.keys():
        want, have = expected.get(key) or {}, actual.get(key) or {}
        if any((want.get(c) or 0) != (have.get(c) or 0) for c in columns):
            suspects.append(key)
    differing = 0
    counter_keys = tuple(k for k in keys if k != "bureau_id")
    by_unit: dict[int, list[tuple[Any, ...]]] = {}
    for key in suspects:
        by_unit.setdefault(key[1], []).append(key)  # keys are (bureau_id, unit_id, ...)
    units = sorted(by_unit)
    for start in range(0, len(units), UNIT_CHUNK):
        chunk_units = units[start : start + UNIT_CHUNK]
        chunk = sorted(k for u in chunk_units for k in by_unit[u])
        # The suspects again, a few units at a time, under the counter rows' locks with the facts
        # read after them: a step in flight either holds a row (we wait, then read its fact and
        # its increment) or waits for us (neither is visible). A repair creates missing rows at
        # zero first, so there is a row to lock, and adds the difference, like a step does. One
        # grouped read of the facts per chunk, not one per counter row.
        with transaction.atomic():
            if repair:
                model.objects.bulk_create(
                    [model(**dict(zip(keys, k, strict=True)), **fixed) for k in chunk],
                    ignore_conflicts=True,
                )
            have_rows = {
                tuple(row[k] for k in keys): row
                for row in counters.select_for_update()
                .filter(unit_id__in=chunk_units)
                .order_by(*counter_keys)
                .values(*keys, *columns)
            }
            want_rows = {
                tuple(row[k] for k in fact_keys): row
                for row in facts.filter(unit_id__in=chunk_units)
                .values(*fact_keys)
                .annotate(**aggregates)
                .order_by()
            }
            changes: dict[tuple[Any, ...], dict[str, int]] = {}
            for key in chunk:
                w, h = want_rows.get(key) or {}, have_rows.get(key) or {}
                want_values = {c: w.get(f"c_{c}") or 0 for c in columns}
                have_values = {c: h.get(c) or 0 for c in columns}
                if want_values == have_values:
                    continue
                differing += 1
                report.note(f"{name} {key}：应为 {want_values}，实为 {have_values}")
                changes[key] = {c: want_values[c] - have_values[c] for c in columns}
            if repair and changes:
                _upsert(model, counter_keys, tuple(columns), changes, fixed=fixed)
    setattr(report, name, getattr(report, name) + differing)


def rollups_rederive(*, repair: bool = True) -> DriftReport:
    """Re-derive every fact from the source rows and every counter from the facts; journal the
    check, and the drift if there is any (with up to ten examples). ``repair`` rewrites what
    differs, so the platform is right again after the night's run."""
    report = DriftReport()
    _facts_drift(report, repair=repair)
    for span, start in (
        (Span.DAY, F("day")),
        (Span.WEEK, TruncWeek("day")),
        (Span.MONTH, TruncMonth("day")),
    ):
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
            facts=AlertFact.objects.annotate(start=start),
            fact_keys=("bureau_id", "unit_id", "start", "channel", "group"),
            counters=DailyCount.objects.filter(span=span),
            fixed={"span": span},
            repair=repair,
        )
    _counter_drift(
        report,
        model=NodeCount,
        name="node",
        keys=("bureau_id", "unit_id", "node"),
        columns={
            "n": Count("pk"),
            **{column: Count("pk", filter=Q(band=band)) for band, column in BAND_COLUMNS.items()},
        },
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
    _counter_drift(
        report,
        model=WarningCount,
        name="warnings",
        keys=("bureau_id", "unit_id"),
        columns={"n": Count("pk")},
        facts=RiskWarning.objects.filter(acknowledged_at__isnull=True),
        repair=repair,
    )
    _finding_facts_drift(report, repair=repair)
    _counter_drift(
        report,
        model=FindingCount,
        name="findings",
        keys=("bureau_id", "unit_id", "status", "level", "month"),
        columns={"n": Count("pk")},
        facts=FindingFact.objects.all(),
        repair=repair,
    )
    with transaction.atomic():
        data = {
            "alerts": report.alerts,
            "facts": report.facts,
            "daily": report.daily,
            "node": report.node,
            "satisfaction": report.satisfaction,
            "finding_facts": report.finding_facts,
            "findings": report.findings,
            "warnings": report.warnings,
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


# --- display links of wall screens ---------------------------------------------------------------

# The longest a display link may run (the lead's decision for A5: a screen, not a staff session).
DISPLAY_MAX_DAYS = 30
# The center head only: the system administrator may not read case content (三员分立, DOMAIN §1),
# and a wall shows the bureau's figures and alert numbers.
DISPLAY_ISSUERS = (Role.CENTER_HEAD,)


def display_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def display_link_issue(
    *, actor: Any, name: str, unit: Unit | None, days: int, now: dt.datetime | None = None
) -> tuple[DisplayLink, str]:
    """Issue a display link for one wall screen: the whole bureau of ``actor`` or ``unit`` of it,
    for ``days`` (at most ``DISPLAY_MAX_DAYS``). Returns the link and its one-time opening token,
    which is shown once and stored only as a hash."""
    now = now or timezone.now()
    if not actor.has_role(*DISPLAY_ISSUERS):
        journal.deny(actor, action="display_link_issue", code="role")
    bureau = bureau_of(actor.unit)
    if unit is not None and not unit.path.startswith(bureau.path):
        journal.deny(actor, action="display_link_issue", code="scope")
    name = name.strip()[:60]
    if not name:
        raise ValidationError({"name": "请填写屏幕名称。"})
    if not 1 <= days <= DISPLAY_MAX_DAYS:
        raise ValidationError({"days": f"有效期为 1 至 {DISPLAY_MAX_DAYS} 天。"})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = DisplayLink.objects.create(
            screen=name,
            bureau=bureau,
            unit=unit,
            open_hash=display_digest(token),
            issued_by=actor,
            issued_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        journal.record(
            EventType.DISPLAY_LINK_ISSUED,
            obj=("display_link", link.pk),
            actor=actor,
            data={
                "screen": name,
                "bureau": bureau.code,
                "unit": unit.code if unit is not None else None,
                "expires_at": link.expires_at.isoformat(),
            },
        )
    return link, token


def display_link_revoke(*, actor: Any, link: DisplayLink) -> bool:
    """Revoke ``link`` (fetched through the issuer's scoped selector); the screen's next request
    is refused. False if it was revoked already."""
    now = timezone.now()
    with transaction.atomic():
        won = DisplayLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, open_hash=None
        )
        if won:
            journal.record(
                EventType.DISPLAY_LINK_REVOKED,
                obj=("display_link", link.pk),
                actor=actor,
                data={"screen": link.screen},
            )
    return bool(won)


def display_link_open(*, token: str, now: dt.datetime | None = None) -> tuple[DisplayLink, str]:
    """The screen's first (and only) use of the opening token: trade it for the secret the
    screen keeps in its cookie. The token works once; a revoked or expired link is refused and
    the refusal journalled. Raises ``DisplayLinkInvalid`` for any failure (one answer)."""
    now = now or timezone.now()
    digest = display_digest(token)
    link = DisplayLink.objects.filter(open_hash=digest).select_related("unit", "bureau").first()
    if link is None:
        raise DisplayLinkInvalid
    # The screen is nobody: its events belong to the link's bureau or unit, or every bureau's
    # inspector would read them (Z2).
    scope = {"subject_unit_path": (link.unit or link.bureau).path}
    if not link.is_active(now):
        journal.deny(
            None,
            action="display_link_open",
            obj=("display_link", link.pk),
            code="revoked" if link.revoked_at else "expired",
            event_type=EventType.DISPLAY_LINK_REFUSED,
            data=scope,
            error=DisplayLinkInvalid(),
        )
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        won = DisplayLink.objects.filter(
            pk=link.pk, open_hash=digest, revoked_at__isnull=True
        ).update(open_hash=None, device_hash=display_digest(secret), opened_at=now)
        if not won:
            raise DisplayLinkInvalid
        journal.record(
            EventType.DISPLAY_LINK_OPENED,
            obj=("display_link", link.pk),
            data={"screen": link.screen, **scope},
        )
    link.opened_at = now
    return link, secret


class DisplayLinkInvalid(Exception):
    """The display link is unknown, used, revoked or expired (one answer for all)."""
