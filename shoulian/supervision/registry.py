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
from django.utils import timezone

from shoulian.intake.models import Alert
from shoulian.org.models import Unit
from shoulian.supervision.choices import DEFAULT_CHAIN, FindingKind, Level, Recipient
from shoulian.workflow.models import AlertFlow


@dataclass(frozen=True)
class Param:
    """One tunable number of a rule (days, counts, percentages)."""

    name: str
    label: str
    default: int
    minimum: int = 0
    maximum: int = 3650
    help: str = ""


@dataclass
class Hit:
    """One match: the object the rule speaks about, where it belongs, and why (no personal data).
    A value: never changed once made (``dataclasses.replace`` makes another). Not declared
    frozen, since a full patrol makes tens of thousands and a frozen dataclass's constructor
    costs four times as much.

    A rule may return *bare* hits (the subject, its alert and unit) with ``describe`` set: the
    engine calls ``describe(ctx, hits)`` only for the hits that open, reopen or raise a finding,
    so the summary, evidence and officer of a known finding's hit are never computed — a full
    patrol costs the rule's candidate statement, not a Python loop over every hit."""

    subject_type: str
    subject_id: int | str
    alert_id: int | None
    unit_id: int
    summary: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    officer_id: int | None = None
    # Warnings choose their colour by the share of the period used; findings take the rule's.
    level: str | None = None
    describe: Describer | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.subject_type, str(self.subject_id))


def described(ctx: PatrolContext, hits: list[Hit]) -> list[Hit]:
    """``hits`` with their summary, evidence and officer, each rule's in one batch."""
    groups: dict[Any, list[int]] = {}
    for i, hit in enumerate(hits):
        if hit.describe is not None:
            groups.setdefault(hit.describe, []).append(i)
    out = list(hits)
    for describe, positions in groups.items():
        full = describe(ctx, [hits[i] for i in positions])
        for i, hit in zip(positions, full, strict=True):
            out[i] = hit
    return out


@dataclass
class PatrolContext:
    bureau: Unit
    now: dt.datetime
    params: dict[str, int]
    # None: a full patrol of the bureau; else only these alerts (incremental evaluation). The
    # engine passes only alerts of the bureau registered by ``now``, so the rules need not narrow
    # them by the bureau again (that join is what made one alert cost a bureau-wide scan).
    alert_ids: frozenset[int] | None = None
    # Shared by the rules of one evaluation (the handling officers of the alerts, the deadlines
    # of the changed alert): each is read once, not once per rule.
    memo: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> int:
        return int(self.params[name])

    def units(self) -> QuerySet[Unit, Any]:
        """The bureau's units, as a subquery (``unit_id IN (SELECT …)``, the plan of the hand
        SQL: no join on the unit tree per row)."""
        return Unit.objects.filter(path__startswith=self.bureau.path).values("pk")

    def alerts(self) -> QuerySet[Alert]:
        """The alerts this evaluation covers: the bureau's (by registering desk), or the changed
        ones among them."""
        if self.alert_ids is not None:
            return Alert.objects.filter(pk__in=self.alert_ids)
        # As of ``now``: a patrol laid out over past days (the demo) sees only what existed then.
        return Alert.objects.filter(
            registering_unit_id__in=self.units(), registered_at__lte=self.now
        )

    def alert_filter(self, qs: QuerySet[Any], prefix: str = "alert") -> QuerySet[Any]:
        """Narrow a queryset of rows belonging to an alert (``prefix`` names the foreign key)."""
        if self.alert_ids is not None:
            return qs.filter(**{f"{prefix}_id__in": self.alert_ids})
        return qs.filter(
            **{
                f"{prefix}__registering_unit_id__in": self.units(),
                f"{prefix}__registered_at__lte": self.now,
            }
        )

    def officers(self, alert_ids: Iterable[int]) -> dict[int, int | None]:
        """The handling officer of each alert (the one who signed for it), read once per
        evaluation for the changed alerts, else in one query per call."""
        if self.alert_ids is not None:
            if "officers" not in self.memo:
                self.memo["officers"] = dict(
                    AlertFlow.objects.filter(alert_id__in=self.alert_ids).values_list(
                        "alert_id", "handling_officer_id"
                    )
                )
            known: dict[int, int | None] = self.memo["officers"]
            return {pk: known.get(pk) for pk in alert_ids}
        ids = list(set(alert_ids))
        out: dict[int, int | None] = {}
        for start in range(0, len(ids), 500):
            out.update(
                AlertFlow.objects.filter(alert_id__in=ids[start : start + 500]).values_list(
                    "alert_id", "handling_officer_id"
                )
            )
        return out


Predicate = Callable[[PatrolContext], Iterable[Hit]]
Describer = Callable[[PatrolContext, list[Hit]], list[Hit]]


def rerun(detailed: Predicate, chunk: int = 500) -> Describer:
    """A describer that runs the rule's detailed form (the same candidate query, reading every
    field of the summary and evidence) for the alerts of the hits only. A hit the detailed form
    no longer finds (changed between the two reads) stays bare; the engine names it by its rule."""

    def describe(ctx: PatrolContext, hits: list[Hit]) -> list[Hit]:
        ids = sorted({h.alert_id for h in hits if h.alert_id is not None})
        full: dict[tuple[str, str], Hit] = {}
        for start in range(0, len(ids), chunk):
            narrow = PatrolContext(
                bureau=ctx.bureau,
                now=ctx.now,
                params=ctx.params,
                alert_ids=frozenset(ids[start : start + chunk]),
            )
            full.update((h.key, h) for h in detailed(narrow))
        return [full.get(h.key, h) for h in hits]

    return describe


CandidateRows = Callable[[PatrolContext], QuerySet[Any]]


@dataclass(frozen=True)
class Candidates:
    """A rule whose hits are the rows of one statement: ``rows(ctx)`` returns a ``values_list``
    of (subject id, alert id, answering unit id, fallback unit id) — all integers, the fallback
    taken when the first unit is empty (a returned alert has no handling unit). Called, it is the
    rule's predicate (bare hits, ``describe`` reads the rest for the hits that open a finding).

    Knowing the statement lets the engine evaluate all such rules for a changed alert in one
    ``UNION ALL`` (``candidate_rows``) instead of one statement per rule."""

    subject_type: str
    rows: CandidateRows
    describe: Describer

    def hits(self, rows: Iterable[tuple[Any, ...]]) -> list[Hit]:
        return [
            Hit(self.subject_type, pk, alert_id, unit or fallback, describe=self.describe)
            for pk, alert_id, unit, fallback in rows
        ]

    def __call__(self, ctx: PatrolContext) -> list[Hit]:
        return self.hits(self.rows(ctx).order_by())


def candidates(subject_type: str, describe: Describer) -> Callable[[CandidateRows], Candidates]:
    """Declare a rule by its candidate statement (see ``Candidates``)::

    @patrol_rule("code", ...)
    @candidates("alert", describe=_describe)
    def code(ctx): return ctx.alerts().filter(...).values_list("pk", "pk", "a", "b")
    """

    def decorator(rows: CandidateRows) -> Candidates:
        return Candidates(subject_type, rows, describe)

    return decorator


def candidate_rows(
    statements: list[tuple[Candidates, PatrolContext]],
) -> list[list[tuple[Any, ...]]]:
    """The rows of several rules' candidate statements, read in one ``UNION ALL`` (each part
    tagged with its position); the rows of ``statements[i]`` come back at ``[i]``."""
    from django.db import connection

    parts: list[str] = []
    params: list[Any] = []
    for position, (cand, ctx) in enumerate(statements):
        sql, part_params = compiled(ctx, cand.rows)
        # The position is this function's own integer and ``sql`` Django's compiled statement
        # with its parameters apart: nothing from outside is inlined.
        parts.append(f"SELECT {position:d} AS part, c.* FROM ({sql}) c")  # noqa: S608
        params.extend(part_params)
    out: list[list[tuple[Any, ...]]] = [[] for _ in statements]
    if not parts:
        return out
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for position, *row in cursor.fetchall():
            out[position].append(tuple(row))
    return out


# --- compiled statements of one changed alert ----------------------------------------------------
#
# Building and compiling a rule's queryset costs more CPU than the database's answer for one alert
# (most of an incremental evaluation, profiled). For one alert the statement's text depends only on
# the rule, its parameters and the bureau; its parameters on the alert's id and on ``now``. So it is
# compiled once, together with a second compile at another moment for another alert, and every
# parameter that differs between the two is explained as the alert's id or as ``now`` shifted by a
# fixed offset (checked to reproduce both compiles exactly); a statement with any other difference,
# or that reads the database while it is built, is compiled every time, as before.

_SHIFT = dt.timedelta(days=1, hours=1, minutes=1, seconds=1, microseconds=1)
_Slot = tuple[str, Any]  # ("const", value) | ("id" / "id_text", None) | ("at", offset)
_COMPILED: dict[Any, tuple[str, list[_Slot]] | None] = {}
_COMPILED_SIZE = 512


def _compile(build: CandidateRows, ctx: PatrolContext) -> tuple[str, list[Any], int]:
    """(statement, parameters, statements executed while building it)."""
    from django.db import connection

    executed = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        sql, params = build(ctx).order_by().query.sql_with_params()
    return sql, list(params), executed[0]


def _slots(
    first: tuple[dt.datetime, int, list[Any]], second: tuple[dt.datetime, int, list[Any]]
) -> list[_Slot] | None:
    """Each parameter as a constant, the alert's id (a number or its text) or ``now`` + a fixed
    offset; None when a parameter is none of these (then the statement is not kept)."""
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    (now1, id1, params1), (now2, id2, params2) = first, second
    slots: list[_Slot] = []
    for v1, v2 in zip(params1, params2, strict=True):
        if type(v1) is type(v2) and v1 == v2:
            slots.append(("const", v1))
        elif type(v1) is int and (v1, v2) == (id1, id2):
            slots.append(("id", None))
        elif type(v1) is str and (v1, v2) == (str(id1), str(id2)):
            slots.append(("id_text", None))
        elif isinstance(v1, dt.datetime):  # PostgreSQL: the aware moment itself
            offset = v1 - now1
            if adapt(now1 + offset) != v1 or adapt(now2 + offset) != v2:
                return None
            slots.append(("at", offset))
        elif isinstance(v1, str):  # SQLite: the moment as UTC text
            try:
                offset = dt.datetime.fromisoformat(v1) - now1.astimezone(dt.UTC).replace(
                    tzinfo=None
                )
            except (TypeError, ValueError):
                return None
            if adapt(now1 + offset) != v1 or adapt(now2 + offset) != v2:
                return None
            slots.append(("at", offset))
        else:
            return None
    return slots


def compiled(ctx: PatrolContext, build: CandidateRows) -> tuple[str, list[Any]]:
    """``build(ctx)`` compiled (statement, parameters), from the kept form when ``ctx`` is one
    alert's and the statement was kept (see above)."""
    from django.db import connection

    ids = ctx.alert_ids
    if ids is None or len(ids) != 1:
        sql, params, _ = _compile(build, ctx)
        return sql, params
    (alert_id,) = ids
    # The day is part of the key: a value that depends on the day or on something coarser (the
    # month, the year) may be equal in the two compiles and kept as a constant; it holds all day.
    key = (
        connection.alias,
        build,
        ctx.bureau.pk,
        ctx.bureau.path,
        tuple(sorted(ctx.params.items())),
        timezone.localdate(ctx.now),
    )
    if key in _COMPILED:
        kept = _COMPILED[key]
        if kept is not None:
            adapt = connection.ops.adapt_datetimefield_value
            sql, kept_slots = kept
            values: list[Any] = []
            for kind, value in kept_slots:
                if kind == "const":
                    values.append(value)
                elif kind == "id":
                    values.append(alert_id)
                elif kind == "id_text":
                    values.append(str(alert_id))
                else:
                    values.append(adapt(ctx.now + value))
            return sql, values
        sql, params, _ = _compile(build, ctx)
        return sql, params
    sql, params, executed = _compile(build, ctx)
    other_id = alert_id + 7919
    other = PatrolContext(
        bureau=ctx.bureau, now=ctx.now + _SHIFT, params=ctx.params, alert_ids=frozenset({other_id})
    )
    sql2, params2, executed2 = _compile(build, other)
    slots = None
    if sql == sql2 and not executed and not executed2 and len(params) == len(params2):
        slots = _slots((ctx.now, alert_id, params), (other.now, other_id, params2))
    if len(_COMPILED) >= _COMPILED_SIZE:
        _COMPILED.clear()
    _COMPILED[key] = (sql, slots) if slots is not None else None
    return sql, params


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
    # The predicate's one statement, when the rule is declared by it (``Candidates``).
    candidates: Candidates | None = None
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
            candidates=func if isinstance(func, Candidates) else None,
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
