"""Evaluation of the patrol rules: in full by the daily patrol (日巡查, a run record), for one
alert when it changes (incremental), and for the clock-driven rules when deadline bands move.

A hit opens a finding, deduplicated per rule and object (one row ever: a later hit on the same
object touches it, reopens it if it was cleared, or raises a warning's colour); an active
finding whose object no longer matches is closed with the reason, never deleted."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.deadlines.versions import legal_date
from shoulian.intake.models import Alert
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.supervision import hooks, recipients, registry, versions
from shoulian.supervision.choices import (
    ACTIVE_STATUSES,
    LEVEL_ORDER,
    FindingKind,
    FindingSource,
    FindingStatus,
    RunKind,
    RunStatus,
)
from shoulian.supervision.models import Finding, PatrolRule, PatrolRun
from shoulian.supervision.registry import Hit, PatrolContext, RuleDef, described
from shoulian.supervision.services.findings import (
    FindingError,
    _tell_new,
    finding_transition,
    rectification_due,
)
from shoulian.supervision.workflow import FindingAction

log = logging.getLogger(__name__)

A = FindingAction


@dataclass
class PatrolStats:
    alerts_examined: int = 0
    hits: int = 0
    opened: int = 0
    reopened: int = 0
    raised: int = 0
    cleared: int = 0
    escalated: int = 0

    def add(self, other: PatrolStats) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def bureaus() -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).order_by("path"))


def _open(
    hit: Hit, rule: PatrolRule, defn: RuleDef, ctx: PatrolContext, directory: recipients.Directory
) -> Finding:
    level = hit.level or rule.level
    warning = defn.kind == FindingKind.WARNING
    finding = Finding.objects.create(
        rule_code=defn.code,
        rule=rule,
        kind=defn.kind,
        subject_type=hit.subject_type,
        subject_id=str(hit.subject_id),
        alert_id=hit.alert_id,
        bureau=ctx.bureau,
        unit_id=hit.unit_id,
        officer_id=hit.officer_id,
        base_level=level,
        level=level,
        summary=(hit.summary or defn.name)[:300],
        evidence=hit.evidence,
        opened_at=ctx.now,
        last_seen_at=ctx.now,
        due_at=None if warning else rectification_due(ctx.now, rule.rectify_days),
    )
    finding = Finding.objects.select_related("unit", "bureau", "officer", "rule", "alert").get(
        pk=finding.pk
    )
    record(
        EventType.FINDING_OPENED,
        obj=finding,
        data={
            "rule": defn.code,
            "rule_version": rule.version,
            "kind": defn.kind,
            "level": level,
            "subject": [hit.subject_type, str(hit.subject_id)],
            "alert": hit.evidence.get("number"),
            "unit": finding.unit.code,
            "due_at": finding.due_at.isoformat() if finding.due_at else None,
            "evidence": hit.evidence,
        },
    )
    _tell_new(finding, list(rule.recipients), directory, ctx.now)
    hooks.dispatch([finding.pk])
    return finding


def _clear_reason(rule: PatrolRule, ctx: PatrolContext) -> str:
    when = timezone.localtime(ctx.now).strftime("%Y-%m-%d %H:%M")
    if not rule.is_active:
        return f"规则“{rule.name}”已停用（第{rule.version}版），{when}巡查时关闭"
    return f"{when}复查时已不再符合规则“{rule.name}”（第{rule.version}版）"


def _evaluate_rule(
    defn: RuleDef,
    rule: PatrolRule,
    ctx: PatrolContext,
    directory: recipients.Directory,
    stats: PatrolStats,
    existing: list[dict[str, Any]] | None = None,
    found: list[Hit] | None = None,
    touched: list[int] | None = None,
) -> None:
    """One rule: its hits (the candidate statement), then the upsert against the findings it
    already has — a known, active finding only has ``last_seen_at`` moved (in batches); the
    summary and evidence are read (``Hit.describe``) only for the hits that open, reopen or
    raise a finding. ``existing``: the rule's findings, when the caller read them already;
    ``found``: its hits, when the caller computed them (in one statement with other rules');
    ``touched``: where to leave the known findings seen again, when the caller moves their
    ``last_seen_at`` with other rules' (else this rule does)."""
    if not rule.is_active:
        hits: list[Hit] = []
    else:
        hits = found if found is not None else list(defn.predicate(ctx))
    stats.hits += len(hits)
    if defn.escalates:
        _escalate(hits, rule, ctx, directory, stats)
        return
    if existing is None:
        # A finding a reviewer raised citing this rule is not the predicate's to clear or reopen.
        existing = list(
            Finding.objects.filter(rule_code=defn.code, bureau=ctx.bureau)
            .exclude(source=FindingSource.MANUAL)
            .values(*KNOWN_FIELDS)
        )
    known: dict[tuple[str, str], Any] = {
        (row["subject_type"], row["subject_id"]): row for row in existing
    }
    seen: set[tuple[str, str]] = set()
    own_touched = touched is None
    touched = [] if touched is None else touched
    to_open: list[Hit] = []
    to_reopen: list[tuple[Any, Hit]] = []
    to_raise: list[tuple[Any, Hit]] = []
    for hit in hits:
        key = hit.key
        if key in seen:
            continue
        seen.add(key)
        row = known.get(key)
        if row is None:
            to_open.append(hit)
        elif row["status"] == FindingStatus.CLEARED:
            to_reopen.append((row, hit))
        elif (
            row["status"] == FindingStatus.OPEN
            and hit.level
            and LEVEL_ORDER.get(hit.level, 0) > LEVEL_ORDER.get(row["level"], 0)
        ):
            to_raise.append((row, hit))
        else:
            touched.append(row["pk"])
    if to_open:
        for hit in described(ctx, to_open):
            _open(hit, rule, defn, ctx, directory)
            stats.opened += 1
    for row, hit in to_reopen:
        if _system(row, A.REOPEN, ctx, directory, level=hit.level or rule.level):
            stats.reopened += 1
    if to_raise:
        full = described(ctx, [hit for _, hit in to_raise])
        for (row, _), hit in zip(to_raise, full, strict=True):
            if _system(row, A.RAISE, ctx, directory, level=hit.level, evidence=hit.evidence):
                stats.raised += 1
    if own_touched:
        _seen_again(touched, ctx.now)
    reason = ""  # worded once, for the first finding to clear (most evaluations clear none)
    for key, row in known.items():
        if key not in seen and row["status"] in ACTIVE_STATUSES:
            reason = reason or _clear_reason(rule, ctx)
            if _system(row, A.CLEAR, ctx, directory, reason=reason):
                stats.cleared += 1


def _seen_again(pks: list[int], now: dt.datetime) -> None:
    for start in range(0, len(pks), 500):
        Finding.objects.filter(pk__in=pks[start : start + 500]).update(last_seen_at=now)


KNOWN_FIELDS = ("pk", "rule_code", "subject_type", "subject_id", "status", "level", "version")


def _system(
    row: Any,
    action: str,
    ctx: PatrolContext,
    directory: recipients.Directory,
    **payload: Any,
) -> Finding | None:
    finding = Finding(pk=row["pk"], version=row["version"])
    try:
        return finding_transition(
            actor=None,
            finding=finding,
            action=action,
            expected_version=row["version"],
            now=ctx.now,
            directory=directory,
            **payload,
        )
    except FindingError:
        # Someone changed the finding since this patrol read it (an officer submitting, a
        # reviewer deciding): its refusal is journalled, and the next patrol looks again. The
        # officer's own step, whose transaction this may run in, must not fail for it.
        log.info("patrol skipped %s on finding %s: changed meanwhile", action, row["pk"])
        return None


def _escalate(
    hits: Iterable[Hit],
    rule: PatrolRule,
    ctx: PatrolContext,
    directory: recipients.Directory,
    stats: PatrolStats,
) -> None:
    rows = {
        r["pk"]: r
        for r in Finding.objects.filter(pk__in=[int(h.subject_id) for h in hits]).values(
            "pk", "version", "status"
        )
    }
    for row in rows.values():
        if _system(row, A.ESCALATE, ctx, directory, days=rule.rectify_days):
            stats.escalated += 1


def evaluate(
    *,
    bureau: Unit,
    now: dt.datetime | None = None,
    alert_ids: Iterable[int] | None = None,
    codes: Iterable[str] | None = None,
) -> PatrolStats:
    """Evaluate the rules in force for ``bureau`` at ``now``: all of them, or ``codes``; over the
    whole bureau, or only ``alert_ids`` (then the rules that take part in incremental evaluation).
    Runs in the caller's transaction: opening, clearing and their messages commit together."""
    now = now or timezone.now()
    if alert_ids is None:
        return _evaluate(bureau=bureau, now=now, ids=None, codes=codes)
    ids = frozenset(
        Alert.objects.filter(
            pk__in=list(alert_ids),
            registering_unit_id__in=Unit.objects.filter(path__startswith=bureau.path).values("pk"),
            registered_at__lte=now,
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    return _evaluate(bureau=bureau, now=now, ids=ids, codes=codes)


def _evaluate(
    *,
    bureau: Unit,
    now: dt.datetime,
    ids: frozenset[int] | None,
    codes: Iterable[str] | None,
    in_force: dict[str, PatrolRule] | None = None,
) -> PatrolStats:
    """``evaluate`` once the alerts are known to be the bureau's (``ids``; None: all of them).

    For ``ids`` the cost is that of the alerts, not of the bureau: the findings of every rule on
    them are read in one statement, the rules declared by their candidate statement are read
    together in one more (``candidate_rows``), and each other rule reads only the rows of those
    alerts (by their indexes)."""
    wanted = set(codes) if codes is not None else None
    if in_force is None:
        in_force = versions.in_force_all(bureau.pk, legal_date(now))
    directory = recipients.Directory()
    stats = PatrolStats()
    by_rule: dict[str, list[dict[str, Any]]] | None = None
    if ids is not None:
        stats.alerts_examined = len(ids)
        if not ids:
            return stats
        by_rule = {}
        findings = Finding.objects.filter(alert_id__in=ids).exclude(source=FindingSource.MANUAL)
        for row in findings.order_by().values(*KNOWN_FIELDS):
            by_rule.setdefault(row["rule_code"], []).append(row)
    memo: dict[str, Any] = {}
    todo: list[tuple[RuleDef, PatrolRule, PatrolContext]] = []
    for code, defn in registry.REGISTRY.items():
        if wanted is not None and code not in wanted:
            continue
        if ids is not None and not defn.incremental:
            continue
        rule = in_force.get(code)
        if rule is None:
            continue
        ctx = PatrolContext(
            bureau=bureau, now=now, params=_params(defn, rule), alert_ids=ids, memo=memo
        )
        todo.append((defn, rule, ctx))
    found: dict[str, list[Hit]] = {}
    if ids is not None:
        together = [
            (defn.code, defn.candidates, ctx)
            for defn, rule, ctx in todo
            if defn.candidates is not None and rule.is_active
        ]
        rows = registry.candidate_rows([(cand, ctx) for _, cand, ctx in together])
        for (code, cand, _), part in zip(together, rows, strict=True):
            found[code] = cand.hits(part)
    touched: list[int] = []
    for defn, rule, ctx in todo:
        existing = None if by_rule is None else by_rule.get(defn.code, [])
        _evaluate_rule(defn, rule, ctx, directory, stats, existing, found.get(defn.code), touched)
    # Every rule's findings met again, in one statement per 500.
    _seen_again(touched, now)
    if ids is None:
        stats.alerts_examined = Alert.objects.filter(
            registering_unit_id__in=Unit.objects.filter(path__startswith=bureau.path).values("pk")
        ).count()
    return stats


def _params(defn: RuleDef, rule: PatrolRule) -> dict[str, int]:
    """The version's parameters over the registry's defaults (a parameter added to the code
    after the version was written takes its default)."""
    return {**{p.name: p.default for p in defn.params}, **(rule.params or {})}


def evaluate_alert(*, alert: Any, now: dt.datetime | None = None) -> PatrolStats:
    """Incremental evaluation of one changed alert, in the caller's transaction. The alert is in
    hand: its bureau is its registering desk's, so only its registration time is checked; the
    bureau and the versions' generation come in one statement, the versions themselves from
    the cache while the generation holds."""
    now = now or timezone.now()
    bureau, gen = _bureau_of(alert.registering_unit)
    in_force = versions.in_force_at(bureau.pk, legal_date(now), gen)
    ids = frozenset({alert.pk}) if alert.registered_at <= now else frozenset()
    return _evaluate(bureau=bureau, now=now, ids=ids, codes=None, in_force=in_force)


def _bureau_of(unit: Unit) -> tuple[Unit, versions.Generation]:
    """``unit.bureau()`` and the rule versions' generation, in one statement."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids).annotate(**versions.generation())}
    chain = [by_id[i] for i in ids if i in by_id]
    if not chain:
        # A unit outside the tree's paths (never in practice): its bureau the usual way, and a
        # generation never cached.
        return unit.bureau(), (object(),)
    gen = versions.generation_of(chain[0])
    bureaus = [u for u in chain if u.kind == UnitKind.BUREAU]
    return (bureaus[-1] if bureaus else chain[0]), gen


def clock_driven_codes() -> list[str]:
    return [code for code, defn in registry.REGISTRY.items() if defn.clock_driven]


def patrol_run(
    *,
    bureau: Unit,
    kind: str = RunKind.DAILY,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> PatrolRun:
    """The full patrol of one bureau (日巡查) with its run record. The evaluation and its record
    commit together; a failed run leaves a FAILED record saying why."""
    now = now or timezone.now()
    in_force = versions.in_force_all(bureau.pk, legal_date(now))
    run = PatrolRun.objects.create(
        kind=kind,
        bureau=bureau,
        started_at=timezone.now(),
        as_of=now,
        rules=[
            {"code": code, "version": rule.version, "active": rule.is_active}
            for code, rule in sorted(in_force.items())
            if code in registry.REGISTRY
        ],
        triggered_by=actor,
    )
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with hooks.deferred():
                stats = evaluate(bureau=bureau, now=now)
            duration = int((time.perf_counter() - started) * 1000)
            PatrolRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                finished_at=timezone.now(),
                duration_ms=duration,
                **stats.as_dict(),
            )
            record(
                EventType.PATROL_RUN,
                obj=run,
                actor=actor,
                data={
                    "bureau": bureau.code,
                    "kind": kind,
                    "as_of": now.isoformat(),
                    "rules": run.rules,
                    "duration_ms": duration,
                    **stats.as_dict(),
                    # A job has no signed-in actor: the run belongs to its bureau (Z2).
                    **({"subject_unit_path": bureau.path} if actor is None else {}),
                },
            )
    except Exception as exc:
        PatrolRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:300]
        )
        raise
    run.refresh_from_db()
    return run
