"""Benchmark of the supervision platform (issue 17). Not a test: numbers and ratios, printed.

On a database built by ``bench/generate.py`` (N alerts, about 5 % open), in one run:

1. the rollups derived from the source rows (``rollups_rederive``, the nightly job): its time;
2. the data endpoint ``/dashboard/data/`` as the demo center head, for the bureau and for its
   busiest unit: median and p95 server time (in-process client), query count; target p95 ≤ 200 ms;
3. the same figures by a full scan: the source rows exported to Parquet and aggregated by DuckDB
   (by channel, category group and unit for today, this week, this month; waiting per node;
   satisfaction). The two must be equal; DuckDB's time is printed beside ours;
4. the cost of the rollup upkeep: intake throughput (register an alert at the desk and route it,
   each committed) with and without the dashboard's subscribers, alternating in rounds; target
   ≤ 10 % slower.

    .venv/bin/pip install -e '.[bench]'   # DuckDB, for this benchmark only
    .venv/bin/python bench/dashboard.py --alerts 200000 --pg shoulian_bench_dash \\
        --template shoulian_bench_template
    .venv/bin/python bench/dashboard.py --reuse --pg shoulian_bench_dash
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate as gen  # noqa: E402
from bench.pages import login, time_get  # noqa: E402
from bench.patrol import build as patrol_build  # noqa: E402

PERIODS = ("today", "week", "month")
# Asia/Shanghai has had no daylight saving time since 1991: a fixed offset turns an instant into
# its Beijing day. make_timestamp gives a timestamp without time zone, so DuckDB's session time
# zone (the machine's) plays no part.
OFFSET_S = 8 * 3600


def build(args: argparse.Namespace) -> None:
    """``bench.patrol.build``; when the PostgreSQL template has other sessions (CREATE DATABASE
    … TEMPLATE needs it alone), the copy is made with pg_dump instead."""
    if args.pg and args.template and not args.reuse:
        import subprocess

        import psycopg

        base = os.environ.get("BENCH_DATABASE_URL", gen.PG_BASE).rstrip("/")
        if not args.pg.startswith("shoulian_bench"):
            raise SystemExit(f"refusing database {args.pg!r}: not a benchmark's own")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [args.template]
            ).fetchone()
            if busy and busy[0]:
                print(f"template {args.template} in use: copying it with pg_dump")
                conn.execute(f'DROP DATABASE IF EXISTS "{args.pg}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{args.pg}"')
                dump = subprocess.Popen(
                    ["pg_dump", "--no-owner", f"{base}/{args.template}"], stdout=subprocess.PIPE
                )
                subprocess.run(
                    ["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{base}/{args.pg}"],
                    stdin=dump.stdout,
                    stdout=subprocess.DEVNULL,
                    check=True,
                )
                dump.wait()
                gen.prepare_database(sqlite=None, pg=args.pg, fresh=False)
                print(f"build: load {os.getloadavg()[0]:.1f}")
                report = gen.generate(args.alerts, args.units or None, args.seed)
                print("\n".join(report.lines()))
                return
    patrol_build(args)


def export(directory: Path) -> dict[str, Path]:
    """The source rows the figures come from, as Parquet files (written through CSV by DuckDB)."""
    import duckdb

    from shoulian.deadlines.choices import DeadlineStatus
    from shoulian.deadlines.models import Deadline
    from shoulian.feedback.models import FollowUp
    from shoulian.intake.models import Alert
    from shoulian.org.models import Unit
    from shoulian.org.selectors import bureau_of

    def epoch(value: dt.datetime | None) -> int | None:
        return None if value is None else int(value.timestamp())

    tables: dict[str, tuple[list[str], Any]] = {
        "alerts": (
            [
                "id",
                "channel",
                "grp",
                "status",
                "received_s",
                "registering_unit",
                "handling_unit",
                "reg_done_s",
            ],
            (
                (
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    epoch(r[4]),
                    r[5],
                    r[6],
                    epoch(r[7]),
                )
                for r in Alert.objects.order_by()
                .values_list(
                    "pk",
                    "channel",
                    "category__group",
                    "status",
                    "received_at",
                    "registering_unit_id",
                    "handling_unit_id",
                    "registration_completed_at",
                )
                .iterator(chunk_size=20_000)
            ),
        ),
        "follow_ups": (
            ["alert_id", "status", "satisfaction", "done_s"],
            (
                (r[0], r[1], r[2], epoch(r[3]))
                for r in FollowUp.objects.order_by()
                .values_list("alert_id", "status", "satisfaction", "done_at")
                .iterator(chunk_size=20_000)
            ),
        ),
        # A 110 alert waits at 录入 while its registration period runs (the deadline engine's).
        "urgent": (
            ["alert_id"],
            (
                (int(oid),)
                for oid in Deadline.objects.filter(
                    object_type="alert", code="urgent_registration", due_at__isnull=False
                )
                .exclude(status=DeadlineStatus.STOPPED)
                .values_list("object_id", flat=True)
                .iterator(chunk_size=20_000)
            ),
        ),
        "units": (
            ["id", "bureau_id"],
            ((u.pk, bureau_of(u).pk) for u in Unit.objects.all()),
        ),
    }
    out: dict[str, Path] = {}
    for name, (columns, rows) in tables.items():
        path_csv = directory / f"{name}.csv"
        with path_csv.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows(rows)
        out[name] = directory / f"{name}.parquet"
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv_auto('{path_csv}', header=true)) "
            f"TO '{out[name]}' (FORMAT parquet)"
        )
        path_csv.unlink()
    return out


def duck_figures(files: dict[str, Path], *, bureau: int, unit: int | None, today: dt.date) -> Any:
    """The figures by a full scan of the Parquet files, the way the platform defines them."""
    import duckdb

    week = today - dt.timedelta(days=today.weekday())
    month = today.replace(day=1)
    earliest = min(week, month)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW a AS SELECT * FROM '{files['alerts']}'")
    con.execute(f"CREATE VIEW f AS SELECT * FROM '{files['follow_ups']}'")
    con.execute(f"CREATE VIEW u AS SELECT * FROM '{files['units']}'")
    con.execute(f"CREATE VIEW g AS SELECT DISTINCT alert_id FROM '{files['urgent']}'")
    scope = (
        f"coalesce(a.handling_unit, a.registering_unit) = {unit}"
        if unit
        else f"ru.bureau_id = {bureau}"
    )
    base = f"""
        SELECT a.*, coalesce(a.handling_unit, a.registering_unit) AS in_unit,
               CAST(make_timestamp((a.received_s + {OFFSET_S}) * 1000000) AS DATE) AS day
        FROM a JOIN u ru ON ru.id = a.registering_unit WHERE {scope}
    """
    periods = ", ".join(
        f"count(*) FILTER (WHERE day >= DATE '{start}') AS {name}"
        for name, start in (("today", today), ("week", week), ("month", month))
    )
    result: dict[str, Any] = {}
    for key in ("channel", "grp", "in_unit"):
        rows = con.execute(
            f"SELECT {key}, {periods} FROM ({base}) s WHERE day >= DATE '{earliest}' GROUP BY 1"
        ).fetchall()
        result[key] = {r[0]: tuple(r[1:]) for r in rows if any(r[1:])}
    nodes = con.execute(
        f"""
        SELECT CASE
                 WHEN g.alert_id IS NOT NULL AND s.reg_done_s IS NULL THEN 'entry'
                 WHEN s.status IN ('registered', 'routed', 'returned', 'disputed') THEN 'flow'
                 WHEN s.status IN ('signed', 'handling') THEN 'accept'
                 WHEN f.status = 'open' THEN 'feedback'
               END AS node, count(*)
        FROM ({base}) s LEFT JOIN f ON f.alert_id = s.id LEFT JOIN g ON g.alert_id = s.id
        GROUP BY 1
        """
    ).fetchall()
    result["nodes"] = {r[0]: r[1] for r in nodes if r[0]}
    sat = con.execute(
        f"""
        SELECT {
            ", ".join(
                f"count(*) FILTER (WHERE d >= DATE '{start}' AND satisfaction <> 'dissatisfied'), "
                f"count(*) FILTER (WHERE d >= DATE '{start}' AND satisfaction = 'dissatisfied')"
                for start in (today, week, month)
            )
        }
        FROM (
          SELECT f.satisfaction, CAST(make_timestamp((f.done_s + {
            OFFSET_S
        }) * 1000000) AS DATE) AS d
          FROM ({base}) s JOIN f ON f.alert_id = s.id
          WHERE f.status = 'done' AND coalesce(f.satisfaction, '') <> '' AND f.done_s IS NOT NULL
        ) x
        """
    ).fetchone()
    result["satisfaction"] = tuple(sat or ())
    return result


def ours(d: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's JSON in the shape of ``duck_figures``."""

    def table(rows: list[dict[str, Any]]) -> dict[Any, tuple[int, ...]]:
        return {r["key"]: tuple(r[p] for p in PERIODS) for r in rows if any(r[p] for p in PERIODS)}

    return {
        "channel": table(d["by_channel"]),
        "grp": table(d["by_group"]),
        "in_unit": table(d["by_unit"]),
        "nodes": {n["key"]: n["n"] for n in d["nodes"] if n["n"]},
        "satisfaction": tuple(
            v
            for p in PERIODS
            for v in (d["satisfaction"][p]["satisfied"], d["satisfaction"][p]["dissatisfied"])
        ),
    }


def throughput(clerk: Any, station: Any, *, per_round: int, rounds: int) -> tuple[float, float]:
    """Alerts per second (register + route, each committed) with and without the dashboard's
    subscribers, alternating rounds so both see the same machine load."""
    from django.utils import timezone

    from shoulian.dashboard import subscribers
    from shoulian.intake import hooks as intake_hooks
    from shoulian.intake import services
    from shoulian.intake.choices import Channel, ReportForm
    from shoulian.intake.models import Category
    from shoulian.supervision import hooks as supervision_hooks
    from shoulian.workflow import hooks as workflow_hooks
    from shoulian.workflow.choices import Action
    from shoulian.workflow.services import alert_transition

    category = Category.objects.filter(code="0103").first() or Category.objects.selectable().first()
    name = f"{subscribers.__name__}.{subscribers.rollups_on_transition.__qualname__}"

    def one() -> None:
        now = timezone.now()
        data = services.AlertInput(
            channel=Channel.WALK_IN,
            report_form=ReportForm.WRITTEN,
            received_at=now - dt.timedelta(minutes=5),
            incident_at=now - dt.timedelta(hours=2),
            incident_place="城关街道北大路18号楼下",
            narrative="报案人称其停放在楼下的电动车被盗，车身蓝色，价值约三千元。",
            category=category,
            parties=(
                services.PartyInput(
                    role="reporter", name="王小明", gender="male", phone="13800138000"
                ),
            ),
            items=(services.ItemInput(name="购车发票", quantity=1, features="复印件", pages=1),),
        )
        alert = services.alert_register(
            actor=clerk, data=data, idempotency_key=uuid.uuid4().hex
        ).alert
        alert.refresh_from_db()
        alert_transition(
            actor=clerk,
            alert=alert,
            action=Action.ROUTE,
            expected_version=alert.version,
            unit=station,
            reason="基准测试分派",
        )

    def toggle(on: bool) -> None:
        if on:
            intake_hooks.on_intake_event(subscribers.rollups_on_intake)
            workflow_hooks.on_transition(order=900)(subscribers.rollups_on_transition)
            supervision_hooks.on_finding_change(subscribers.rollups_on_finding)
        else:
            if subscribers.rollups_on_intake in intake_hooks._SUBSCRIBERS:
                intake_hooks._SUBSCRIBERS.remove(subscribers.rollups_on_intake)
            if subscribers.rollups_on_finding in supervision_hooks._SUBSCRIBERS:
                supervision_hooks._SUBSCRIBERS.remove(subscribers.rollups_on_finding)
            workflow_hooks._REGISTRY.pop(name, None)
            workflow_hooks._ORDERED[:] = sorted(
                workflow_hooks._REGISTRY.values(), key=lambda e: e.order
            )

    one()  # warm
    with_t: list[float] = []
    without_t: list[float] = []
    try:
        for _ in range(rounds):
            for on, sink in ((True, with_t), (False, without_t)):
                toggle(on)
                start = time.perf_counter()
                for _ in range(per_round):
                    one()
                sink.append(time.perf_counter() - start)
    finally:
        toggle(True)
    return per_round / statistics.median(with_t), per_round / statistics.median(without_t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=0)
    parser.add_argument("--seed", type=int, default=20220305)
    parser.add_argument("--repeat", type=int, default=40, help="requests per scope")
    parser.add_argument("--per-round", type=int, default=20, help="alerts per throughput round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--template", help="SQLite file or PostgreSQL database with the demo only")
    parser.add_argument("--reuse", action="store_true", help="the database is already built")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sqlite")
    where.add_argument("--pg")
    args = parser.parse_args()
    if not args.pg:
        args.sqlite = args.sqlite or str(gen.VAR / "dashboard.sqlite3")
    # The in-process client is "testserver" over plain HTTP.
    os.environ.setdefault("SHOULIAN_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SHOULIAN_HTTPS", "0")
    build(args)

    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from shoulian.accounts.models import User
    from shoulian.core import context
    from shoulian.dashboard.models import AlertFact
    from shoulian.dashboard.services import rollups_rederive
    from shoulian.intake.models import Alert
    from shoulian.org.selectors import bureau_of

    n = Alert.objects.count()
    print(f"\n== dashboard on {connection.vendor}: {n:,} alerts; load {os.getloadavg()[0]:.1f}")

    # 1. the rollups from the source rows (what the nightly job does; here it builds them).
    start = time.perf_counter()
    with context.acting(channel="command"):
        report = rollups_rederive(repair=True)
    print(
        f"rollups derived from the source rows: {time.perf_counter() - start:,.1f} s "
        f"({report.alerts:,} alerts; rows written or corrected: facts {report.facts:,}, "
        f"daily {report.daily:,}, node {report.node:,}, satisfaction {report.satisfaction:,}, "
        f"finding facts {report.finding_facts:,}, findings {report.findings:,}, "
        f"open warnings {report.warnings:,})"
    )
    # The minute job's pass (bands_to_clock): a generated fact keeps the band its copy was counted
    # in, whatever its shifted times say; the platform counts a minute's moves, not a build's.
    from shoulian.dashboard.services import bands_advance

    start = time.perf_counter()
    moved = bands_advance(batches=10_000)
    print(f"bands moved to the clock: {moved:,} facts in {time.perf_counter() - start:,.1f} s")
    if connection.vendor == "postgresql":
        # The re-derivation of a fresh build writes every counter row at once; autovacuum's
        # ANALYZE comes later. Without it the planner, still estimating from the empty tables,
        # read the received-alerts counters whole (23-29 ms) instead of through their index.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE dashboard_dailycount, dashboard_nodecount, dashboard_alertfact, "
                "dashboard_satisfactioncount, dashboard_findingcount, dashboard_warningcount"
            )

    # 2. the endpoint, as the demo center head: the bureau and its busiest unit this month.
    head = User.objects.filter(roles__role="center_head", is_active=True).order_by("pk").first()
    assert head is not None, "no center head: is the demo bureau seeded?"
    bureau = bureau_of(head.unit)
    busiest = (
        AlertFact.objects.filter(bureau=bureau)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    unit_id = busiest["unit_id"] if busiest else head.unit_id
    client = login(head)
    url = reverse("dashboard:data")
    timings = {}
    for label, target in (("bureau", url), (f"unit {unit_id}", f"{url}?unit={unit_id}")):
        time_get(client, target, 3)  # warm
        t = time_get(client, target, args.repeat)
        timings[label] = t
        print(
            f"endpoint {label}: median {t['median']:.1f} ms, p95 {t['p95']:.1f} ms "
            f"(target ≤ 200), {t['queries']} queries, slowest {t['slowest_ms']:.1f} ms; "
            f"status {t['status']}"
        )

    # 3. the same figures by a full scan in DuckDB over a Parquet export.
    import json

    today = timezone.localdate()
    with tempfile.TemporaryDirectory(prefix="dash-bench-") as tmp:
        start = time.perf_counter()
        files = export(Path(tmp))
        print(
            f"Parquet export: {time.perf_counter() - start:,.1f} s, "
            f"{sum(f.stat().st_size for f in files.values()) / 1e6:,.1f} MB"
        )
        for label, unit in (("bureau", None), (f"unit {unit_id}", unit_id)):
            target = url if unit is None else f"{url}?unit={unit}"
            mine = ours(json.loads(client.get(target).content))
            starts = []
            for _ in range(3):
                s = time.perf_counter()
                theirs = duck_figures(files, bureau=bureau.pk, unit=unit, today=today)
                starts.append(time.perf_counter() - s)
            same = mine == theirs
            print(
                f"figures {label} equal to DuckDB's full scan: {'yes' if same else 'NO'}; "
                f"DuckDB {statistics.median(starts) * 1000:,.0f} ms vs endpoint p95 "
                f"{timings[label]['p95']:.1f} ms"
            )
            if not same:
                for key in mine:
                    if mine[key] != theirs.get(key):
                        print(f"  {key}: ours {mine[key]} / DuckDB {theirs.get(key)}")

    # 4. intake throughput with and without the rollup upkeep.
    clerk = (
        User.objects.filter(is_active=True, unit__kind="center", roles__role="clerk")
        .order_by("pk")
        .first()
    )
    station = (
        head.unit.__class__.objects.filter(
            path__startswith=bureau.path, kind="station", is_active=True
        )
        .order_by("pk")
        .first()
    )
    with context.acting(user=clerk, channel="web"):
        on, off = throughput(clerk, station, per_round=args.per_round, rounds=args.rounds)
    print(
        f"intake (register + route, committed): {on:.1f}/s with the dashboard's subscribers, "
        f"{off:.1f}/s without: {100 * (off - on) / off:.1f} % slower (target ≤ 10 %); "
        f"{args.rounds} rounds of {args.per_round}; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
