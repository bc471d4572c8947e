"""Benchmark of the patrol (issue 11). Not a test: numbers and ratios, printed.

On a database built by ``bench/generate.py`` (N alerts, about 5 % open), in the same run on the same
engine:

1. the full patrol's hits — every rule in force, every bureau, through the rules' own predicates —
   against hand-written SQL computing the same hits (one statement per rule). The two hit sets
   are compared (they must be equal) and timed, median of ``--rounds``; target: patrol ≤ 1.5× the
   hand SQL. The 有案不受 rule of the assistant ranks narratives with a model after its SQL and
   stores the rankings: it runs once before the rounds (ranking what is not stored yet, all of
   it with ``--cold``; printed apart); then its hits are compared with the hand statement's over
   the stored rankings, and timed like the others.
2. the full evaluation (hits → findings, journal, inbox) as the daily patrol runs it, first on an
   unpatrolled database (it opens every finding) and then again (steady state), committed.
3. incremental evaluation of one changed alert (``evaluate_alert``), p50/p95 over ``--changes``
   alerts, each in a transaction rolled back afterwards; target p95 ≤ 50 ms.

    .venv/bin/python bench/patrol.py --alerts 200000 --sqlite bench/var/patrol.sqlite3
    .venv/bin/python bench/patrol.py --alerts 1000000 --pg shoulian_bench_patrol
    .venv/bin/python bench/patrol.py --reuse --pg shoulian_bench_patrol   # database already built

``--template`` starts from a database that holds only the seeded demo bureau (a SQLite file, or a
PostgreSQL database used as ``CREATE DATABASE … TEMPLATE``), which saves the minutes of seeding.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate as gen  # noqa: E402


def build(args: argparse.Namespace) -> None:
    """Create the database (from the template if given), migrate, and generate unless --reuse."""
    if args.pg:
        if args.template and not args.reuse:
            import psycopg

            base = os.environ.get("BENCH_DATABASE_URL", gen.PG_BASE).rstrip("/")
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.pg}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{args.pg}" TEMPLATE "{args.template}"')
        gen.prepare_database(sqlite=None, pg=args.pg, fresh=not (args.reuse or args.template))
    else:
        if args.template and not args.reuse:
            for suffix in ("-wal", "-shm"):
                Path(args.sqlite + suffix).unlink(missing_ok=True)
            shutil.copy(args.template, args.sqlite)
            var = Path(args.template).with_suffix(".var")
            if var.is_dir():
                shutil.copytree(var, Path(args.sqlite).with_suffix(".var"), dirs_exist_ok=True)
        gen.prepare_database(sqlite=args.sqlite, pg=None, fresh=not (args.reuse or args.template))
    if not args.reuse:
        print(f"build: load {os.getloadavg()[0]:.1f}")
        report = gen.generate(args.alerts, args.units or None, args.seed)
        print("\n".join(report.lines()))
        print(f"build done: load {os.getloadavg()[0]:.1f}")


class QueryLog:
    """Every statement of a request, counted and timed by an execute wrapper.

    Not ``CaptureQueriesContext``: it slices ``connection.queries_log``, a deque capped at 9,000
    entries that only ``request_started`` empties (and the context disconnects that), so past
    9,000 statements in the run — or in one page — it counted 0 and lost the slowest statement."""

    def __init__(self) -> None:
        self.count = 0
        self.slowest_s = 0.0
        self.slowest_sql = ""

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.count += 1
            if elapsed > self.slowest_s:
                self.slowest_s, self.slowest_sql = elapsed, sql


# --- Hand-written SQL, one statement per rule -----------------------------------------------------


class Sql:
    """What differs between the engines, spelled out once."""

    def __init__(self) -> None:
        from django.db import connection

        self.pg = connection.vendor == "postgresql"
        self.ops = connection.ops

    def dt(self, value: Any) -> Any:
        return self.ops.adapt_datetimefield_value(value)

    def epoch(self, col: str) -> str:
        if self.pg:
            return f"EXTRACT(EPOCH FROM {col})"
        return f"((julianday({col}) - 2440587.5) * 86400.0)"

    def plus_minutes(self, col: str, minutes: str) -> str:
        """``col + minutes`` compared as epoch seconds on SQLite (its text timestamps)."""
        if self.pg:
            return f"({col} + {minutes} * INTERVAL '1 minute')"
        return f"({self.epoch(col)} + {minutes} * 60.0)"

    def cmp_col(self, col: str) -> str:
        """The left side that ``plus_minutes`` compares with."""
        return col if self.pg else self.epoch(col)


def hand_rules(
    sql: Sql, bureau: Any, now: Any, params: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """code → (statement, parameters) returning (subject_type, subject_id) of every hit."""
    from shoulian.deadlines.choices import PARTY_WINDOW_CODES
    from shoulian.supervision.rules import OWN_RULE_CODES

    like = bureau.path + "%"
    units = "SELECT id FROM org_unit WHERE path LIKE %s"
    scope = f"a.registering_unit_id IN ({units}) AND a.registered_at <= %s"
    sp = [like, sql.dt(now)]
    now_p = sql.dt(now)
    now_e = now.timestamp()
    party = ", ".join(f"'{c}'" for c in sorted(PARTY_WINDOW_CODES))
    # Nodes with a rule of their own (the notice, 三个当场, 110 补录) are not generic overdue.
    own = ", ".join(f"'{c}'" for c in sorted(OWN_RULE_CODES))
    deadline_base = (
        "FROM deadlines_deadline d WHERE d.object_type = 'alert' "
        f"AND d.unit_id IN ({units}) AND d.started_at <= %s AND d.code NOT IN ({party}) "
    )
    late = (
        "AND d.missing_year IS NULL AND ((d.status <> 'stopped' AND d.due_at < %s) "
        "OR (d.status = 'stopped' AND d.stopped_at > d.due_at))"
    )
    out: dict[str, Any] = {}
    if "deadline_overdue" in params:
        out["deadline_overdue"] = (
            f"SELECT 'deadline', d.id {deadline_base} AND d.code NOT IN ({own}) {late}",
            [like, now_p, now_p],
        )
    if "non_filing_notice_late" in params:
        out["non_filing_notice_late"] = (
            f"SELECT 'deadline', d.id {deadline_base} AND d.code = 'non_filing_notice' {late}",
            [like, now_p, now_p],
        )
    if "deadline_warning" in params:
        p = params["deadline_warning"]
        e = sql.epoch

        def paused(until: str) -> str:
            # Paused time of the deadline between its start and ``until`` (epoch seconds).
            upper = f"MIN(COALESCE({e('q.resumed_at')}, {until}), {until})"
            lower = f"MAX({e('q.paused_at')}, {e('d.started_at')})"
            if sql.pg:
                upper = f"LEAST(COALESCE({e('q.resumed_at')}, {until}), {until})"
                lower = f"GREATEST({e('q.paused_at')}, {e('d.started_at')})"
            return (
                f"COALESCE((SELECT SUM(CASE WHEN {upper} > {lower} THEN {upper} - {lower} "
                f"ELSE 0 END) FROM deadlines_deadlinepause q WHERE q.deadline_id = d.id), 0)"
            )

        available = f"({e('d.due_at')} - {e('d.started_at')} - {paused(e('d.due_at'))})"
        now_lit = f"{now_e:.6f}"  # a number computed here, inlined: it occurs many times
        used = f"({now_lit} - {e('d.started_at')} - {paused(now_lit)})"
        share = (
            f"CASE WHEN {available} <= 0 THEN (CASE WHEN {now_lit} >= {e('d.due_at')} THEN 1.0 "
            f"ELSE 0.0 END) ELSE {used} / {available} END"
        )
        out["deadline_warning"] = (
            f"SELECT 'deadline', d.id {deadline_base} AND d.status = 'open' "
            "AND d.due_at IS NOT NULL AND (d.due_at > %s OR d.missing_year IS NOT NULL) "
            f"AND {share} >= %s",
            [like, now_p, now_p, p["yellow_percent"] / 100],
        )
    if "on_the_spot_missing" in params:
        grace = params["on_the_spot_missing"]["grace_minutes"]
        out["on_the_spot_missing"] = (
            f"SELECT 'alert', a.id FROM intake_alert a WHERE {scope} "
            "AND a.channel IN ('walk_in', 'kiosk', 'brought_in') AND ("
            "(a.receipt_issued_at IS NULL AND a.registered_at < %s) "
            f"OR (a.receipt_issued_at IS NOT NULL AND {sql.cmp_col('a.receipt_issued_at')} > "
            f"{sql.plus_minutes('a.registered_at', '%s')}) "
            "OR (EXISTS (SELECT 1 FROM intake_evidencefile f WHERE f.alert_id = a.id "
            "AND f.purpose = 'evidence') AND NOT EXISTS "
            "(SELECT 1 FROM intake_evidenceitem i WHERE i.alert_id = a.id)))",
            [*sp, sql.dt(now - _minutes(grace)), grace],
        )
    if "case_type_downgraded" in params:
        out["case_type_downgraded"] = (
            "SELECT 'alert', a.id FROM intake_alert a "
            "JOIN intake_category rc ON rc.id = a.registered_category_id "
            "JOIN intake_category c ON c.id = a.category_id "
            f"WHERE {scope} AND rc.is_case_type AND (NOT c.is_case_type OR EXISTS "
            "(SELECT 1 FROM workflow_decision x WHERE x.alert_id = a.id AND x.status = 'approved' "
            "AND x.kind IN ('close_non_case', 'not_police')))",
            sp,
        )
    if "bounced_alert" in params:
        out["bounced_alert"] = (
            "SELECT 'alert', a.id FROM workflow_alertflow f JOIN intake_alert a ON a.id = f.alert_id "
            f"WHERE {scope} AND f.return_count + f.transfer_count > %s",
            [*sp, params["bounced_alert"]["max_bounces"]],
        )
    if "repeat_reporter" in params:
        days = params["repeat_reporter"]["window_days"]
        if sql.pg:
            window = "b.received_at < a.received_at AND b.received_at >= a.received_at - %s * INTERVAL '1 day'"
        else:
            window = (
                "b.received_at < a.received_at AND julianday(b.received_at) >= "
                "julianday(a.received_at) - %s"
            )

        def same(col: str) -> str:
            return (
                f"(p.{col} IS NOT NULL AND p.{col} <> '' AND EXISTS (SELECT 1 FROM intake_alertparty q "
                "JOIN intake_alert b ON b.id = q.alert_id WHERE q.role = 'reporter' "
                f"AND q.{col} = p.{col} AND q.alert_id <> p.alert_id "
                f"AND b.registering_unit_id IN ({units}) AND {window}))"
            )

        out["repeat_reporter"] = (
            "SELECT DISTINCT 'alert', a.id FROM intake_alertparty p "
            f"JOIN intake_alert a ON a.id = p.alert_id WHERE {scope} AND p.role = 'reporter' "
            f"AND ({same('id_number_index')} OR {same('phone_index')})",
            [*sp, like, days, like, days],
        )
    if "dispatch_registration_late" in params:
        out["dispatch_registration_late"] = (
            # The due time is the deadline engine's urgent_registration (its latest row).
            "SELECT 'alert', a.id FROM intake_alert a JOIN deadlines_deadline d "
            "ON d.id = (SELECT max(e.id) FROM deadlines_deadline e WHERE e.object_type = 'alert' "
            "AND e.object_id = CAST(a.id AS TEXT) AND e.code = 'urgent_registration' "
            f"AND e.due_at IS NOT NULL) WHERE {scope} "
            "AND a.channel = 'dispatch_110' AND ("
            "(a.registration_completed_at IS NULL AND d.due_at < %s) "
            "OR a.registration_completed_at > d.due_at)",
            [*sp, now_p],
        )
    if "av_record_missing" in params:
        cutoff = sql.dt(now - _minutes(60 * params["av_record_missing"]["grace_hours"]))
        out["av_record_missing"] = (
            f"SELECT 'alert', a.id FROM intake_alert a WHERE {scope} "
            "AND a.handled_at IS NOT NULL AND a.handled_at <= %s AND NOT EXISTS ("
            "SELECT 1 FROM review_avrecord r WHERE r.alert_id = a.id AND r.registered_at <= %s)",
            [*sp, cutoff, now_p],
        )
    if "decision_without_review" in params:

        def approved(role: str) -> str:
            return (
                "EXISTS (SELECT 1 FROM workflow_approval p WHERE p.decision_id = x.id "
                f"AND p.role = '{role}' AND p.status = 'approved')"
            )

        out["decision_without_review"] = (
            "SELECT 'decision', x.id FROM workflow_decision x JOIN intake_alert a ON a.id = x.alert_id "
            "JOIN intake_category c ON c.id = a.category_id "
            f"WHERE {scope} AND x.status = 'approved' AND x.decided_at <= %s AND ("
            f"(c.requires_legal_review AND NOT {approved('legal_brigade')}) OR "
            f"(x.kind IN ('criminal_file', 'not_file') AND NOT {approved('bureau_head')}))",
            [*sp, now_p],
        )
    if "follow_up_dissatisfied" in params:
        out["follow_up_dissatisfied"] = (
            "SELECT 'follow_up', f.id FROM feedback_followup f JOIN intake_alert a ON a.id = f.alert_id "
            f"WHERE {scope} AND f.satisfaction = 'dissatisfied' AND f.done_at <= %s",
            [*sp, now_p],
        )
    if "finding_unrectified" in params:
        out["finding_unrectified"] = (
            "SELECT 'finding', id FROM supervision_finding WHERE bureau_id = %s AND kind = 'finding' "
            "AND status IN ('open', 'returned') AND due_at < %s AND escalation < %s",
            [bureau.pk, now_p, params["finding_unrectified"]["max_escalations"]],
        )
    if "crime_narrative_unaccepted" in params:
        # The candidates whose stored ranking (written by the rule before the rounds, so every
        # one is stored and current) gives the rule's signal: the same hits as the rule.
        from shoulian.assistant.screening import SIGNAL_NATURES

        p = params["crime_narrative_unaccepted"]
        natures = ", ".join(f"'{n}'" for n in sorted(SIGNAL_NATURES))
        out["crime_narrative_unaccepted"] = (
            "SELECT 'alert', a.id FROM intake_alert a "
            "JOIN intake_category rc ON rc.id = a.registered_category_id "
            "JOIN intake_category c ON c.id = a.category_id "
            "JOIN assistant_narrativeranking r ON r.alert_id = a.id "
            f"WHERE {scope} AND (EXISTS (SELECT 1 FROM workflow_decision x WHERE x.alert_id = a.id "
            "AND x.status = 'approved' AND x.kind IN ('close_non_case', 'not_police') "
            "AND x.decided_at <= %s) OR (rc.is_case_type AND NOT c.is_case_type) "
            "OR (rc.\"group\" = 'criminal' AND c.\"group\" <> 'criminal')) "
            f"AND r.label IN ({natures}) AND r.p >= %s AND r.found_count >= %s "
            "AND (r.threshold_met IS NULL OR r.threshold_met)",
            [*sp, now_p, p["min_percent"] / 100, p["min_elements"]],
        )
    missing = sorted(set(params) - set(out))
    if missing:
        # A rule without its hand-written statement would count as hits only in the patrol and
        # time only one side: the comparison means nothing until one is written here.
        raise SystemExit(f"no hand-written statement for the rule(s) in force: {missing}")
    return out


def _minutes(n: int) -> Any:
    import datetime as dt

    return dt.timedelta(minutes=n)


# --- The two sides --------------------------------------------------------------------------------

ML_RULE = "crime_narrative_unaccepted"


def in_force(bureau: Any, now: Any) -> dict[str, dict[str, int]]:
    from shoulian.deadlines.versions import legal_date
    from shoulian.supervision import registry, versions
    from shoulian.supervision.services.patrol import _params

    rules = versions.in_force_all(bureau.pk, legal_date(now))
    return {
        code: _params(defn, rules[code])
        for code, defn in registry.REGISTRY.items()
        if code in rules and rules[code].is_active
    }


def patrol_side(
    bureaus: list[Any], now: Any, per_rule: dict[str, list[float]] | None = None
) -> tuple[set[tuple[str, str, str]], float]:
    """Every rule's hits through its own predicate; (hits, seconds). ``per_rule`` collects each
    rule's seconds. The 有案不受 rule is timed whole: its statement over the stored rankings, and
    the model for any narrative they do not answer (none once ``rank_cold`` ran)."""
    from shoulian.supervision import registry
    from shoulian.supervision.registry import PatrolContext

    hits: set[tuple[str, str, str]] = set()
    seconds = 0.0
    for bureau in bureaus:
        for code, params in in_force(bureau, now).items():
            ctx = PatrolContext(bureau=bureau, now=now, params=params)
            start = time.perf_counter()
            found = list(registry.REGISTRY[code].predicate(ctx))
            took = time.perf_counter() - start
            seconds += took
            if per_rule is not None:
                per_rule.setdefault(code, []).append(took)
            hits.update((code, h.subject_type, str(h.subject_id)) for h in found)
    return hits, seconds


def rank_cold(bureaus: list[Any], now: Any, forget: bool) -> None:
    """The 有案不受 rule once before the rounds: it ranks the narratives its stored rankings do not
    answer (all of them with ``--cold``, which deletes the rows first) and stores them."""
    from django.db import transaction

    from shoulian.assistant.models import NarrativeRanking
    from shoulian.supervision import registry
    from shoulian.supervision.registry import PatrolContext

    if forget:
        NarrativeRanking.objects.all().delete()  # derived rows; the bench's own database
    before = NarrativeRanking.objects.count()
    start = time.perf_counter()
    hits = 0
    for bureau in bureaus:
        params = in_force(bureau, now).get(ML_RULE)
        if params is None:
            continue
        ctx = PatrolContext(bureau=bureau, now=now, params=params)
        with transaction.atomic():
            hits += len(list(registry.REGISTRY[ML_RULE].predicate(ctx)))
    took = time.perf_counter() - start
    print(
        f"有案不受 rule before the rounds: {took * 1000:,.0f} ms, {hits:,} hits; stored rankings "
        f"{before:,} → {NarrativeRanking.objects.count():,}; load {os.getloadavg()[0]:.1f}"
    )


def hand_side(
    bureaus: list[Any], now: Any, per_rule: dict[str, list[float]] | None = None
) -> tuple[set[tuple[str, str, str]], float]:
    from django.db import connection

    sql = Sql()
    hits: set[tuple[str, str, str]] = set()
    seconds = 0.0
    for bureau in bureaus:
        statements = hand_rules(sql, bureau, now, in_force(bureau, now))
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for code, (statement, params) in statements.items():
                t0 = time.perf_counter()
                cursor.execute(statement, params)
                hits.update((code, t, str(i)) for t, i in cursor.fetchall())
                if per_rule is not None:
                    per_rule.setdefault(code, []).append(time.perf_counter() - t0)
        seconds += time.perf_counter() - start
    return hits, seconds


def compare(ours: set[Any], hand: set[Any]) -> bool:
    if ours == hand:
        return True
    by_rule: dict[str, list[int]] = {}
    for code, *_ in ours - hand:
        by_rule.setdefault(code, [0, 0])[0] += 1
    for code, *_ in hand - ours:
        by_rule.setdefault(code, [0, 0])[1] += 1
    for code, (only_ours, only_hand) in sorted(by_rule.items()):
        print(
            f"  DIFFERENT {code}: {only_ours} only in the patrol, {only_hand} only in the hand SQL"
        )
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=0)
    parser.add_argument("--seed", type=int, default=20220305)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=200, help="incremental evaluations")
    parser.add_argument("--template", help="SQLite file or PostgreSQL database with the demo only")
    parser.add_argument("--reuse", action="store_true", help="the database is already built")
    parser.add_argument("--no-settle", action="store_true", help="skip the committed full patrol")
    parser.add_argument(
        "--cold", action="store_true", help="forget the stored narrative rankings first"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sqlite")
    where.add_argument("--pg")
    args = parser.parse_args()
    if not args.pg:
        args.sqlite = args.sqlite or str(gen.VAR / "patrol.sqlite3")
    build(args)

    from django.db import connection, transaction
    from django.utils import timezone

    from shoulian.intake.models import Alert
    from shoulian.supervision.services import patrol
    from shoulian.workflow.choices import OPEN_STATUSES

    now = timezone.now()
    bureaus = patrol.bureaus()
    n = Alert.objects.count()
    n_open = Alert.objects.filter(status__in=OPEN_STATUSES).count()
    print(
        f"\n== patrol on {connection.vendor}: {n:,} alerts ({n_open:,} open), "
        f"{len(bureaus)} bureaus; load {os.getloadavg()[0]:.1f}"
    )

    # 1. hits: the rules' predicates vs hand SQL, alternating, median of rounds.
    rank_cold(bureaus, now, args.cold)
    ours_t, hand_t = [], []
    same = True
    ours_rule: dict[str, list[float]] = {}
    hand_rule: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        hand, t_hand = hand_side(bureaus, now, hand_rule)
        ours, t_ours = patrol_side(bureaus, now, ours_rule)
        hand_t.append(t_hand)
        ours_t.append(t_ours)
        same = compare(ours, hand) and same
    per_rule: dict[str, int] = {}
    for code, *_ in ours:
        per_rule[code] = per_rule.get(code, 0) + 1
    m_ours, m_hand = statistics.median(ours_t), statistics.median(hand_t)
    print(f"hits: {len(ours):,} ({', '.join(f'{c} {k}' for c, k in sorted(per_rule.items()))})")
    print(f"same hits as the hand SQL: {'yes' if same else 'NO'}")
    print(
        f"full patrol (hits) {m_ours * 1000:,.0f} ms vs hand SQL {m_hand * 1000:,.0f} ms: "
        f"ratio {m_ours / m_hand:.2f} (target ≤ 1.5)"
    )

    print("per rule, median of the rounds (patrol / hand SQL, ms):")
    for code in sorted(ours_rule, key=lambda c: -statistics.median(ours_rule[c])):
        o = statistics.median(ours_rule[code]) * 1000
        h = statistics.median(hand_rule.get(code, [0.0])) * 1000
        print(f"  {code:<30} {o:10,.0f} {h:10,.0f}   ratio {o / h if h else float('nan'):6.2f}")

    # 2. the full evaluation, committed: the first opens every finding, the second is the steady state.
    if not args.no_settle:
        for label in ("first full evaluation (opens the findings)", "second full evaluation"):
            start = time.perf_counter()
            stats = patrol.PatrolStats()
            for bureau in bureaus:
                with transaction.atomic():
                    stats.add(patrol.evaluate(bureau=bureau, now=now))
            took = time.perf_counter() - start
            print(f"{label}: {took:,.1f} s; {stats.as_dict()}; load {os.getloadavg()[0]:.1f}")

    # 3. incremental evaluation of one changed alert.
    rng = random.Random(args.seed)
    open_ids = list(Alert.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    top = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = rng.sample(open_ids, min(len(open_ids), args.changes // 2))
    while len(picks) < args.changes:
        pk = rng.randint(1, top)
        if Alert.objects.filter(pk=pk).exists():
            picks.append(pk)
    times, cpu, queries = [], [], []
    for pk in picks:
        alert = Alert.objects.select_related("registering_unit").get(pk=pk)
        with transaction.atomic():
            log = QueryLog()
            with connection.execute_wrapper(log):
                start, start_cpu = time.perf_counter(), time.process_time()
                patrol.evaluate_alert(alert=alert, now=now)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            queries.append(log.count)
            transaction.set_rollback(True)

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[max(0, round(len(ordered) * q) - 1)] * 1000

    print(
        f"incremental evaluation of one changed alert ({len(times)} alerts, half of them open): "
        f"p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms (target ≤ 50 ms); "
        f"this process's CPU time p50 {pct(cpu, 0.5):.1f} ms, p95 {pct(cpu, 0.95):.1f} ms "
        f"(all of the work on SQLite; Python only on PostgreSQL); queries median "
        f"{statistics.median(queries):.0f}, max {max(queries)}; load {os.getloadavg()[0]:.1f}"
    )
    if not same:
        raise SystemExit("the patrol and the hand SQL disagree")


if __name__ == "__main__":
    main()
