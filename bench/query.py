"""Benchmark of the citizen progress query (issue 6). Not a test: numbers and a ratio, printed.

Target: progress look-ups over HTTP — gunicorn on 127.0.0.1 as ``make run`` starts it, the verified
result page of a real alert (routed, signed for, filed, with its milestones), i.e. the request a
citizen repeats: signed view cookie checked, the allow-listed view built from the alert, its public
workflow steps and its complaints, the view journalled (one audit event per request, U1), the page
rendered — reach ≥ 40 % of the rate of an empty Django view served the same way (same server,
same middleware, same clients) in the same run. On SQLite and on PostgreSQL.

    .venv/bin/python bench/query.py [--requests 3000] [--clients 4] [--rounds 3] [--skip-postgres]
                                    [--skip-sqlite]
    .venv/bin/python bench/query.py --profile [--requests 400]   # where the time of a view goes

The empty view exists only in the benchmark's URLconf (``bench/query_urls.py``, selected by
``bench/query_settings.py``), never in the product's URLs. PostgreSQL is reached through
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/) and gets a throwaway database
``query_bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import WEB_WORKERS, base_env, free_port, run, start_gunicorn  # noqa: E402
from bench.intake import get_rate as rate  # noqa: E402

PYTHON = sys.executable
EMPTY = "/bench/empty/"
RESULT = "/q/result/"
SETTINGS = "bench.query_settings"


def child(command: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    out = run([PYTHON, __file__, command, *extra], env, show_errors=command == "_profile")
    return json.loads(out.strip().splitlines()[-1])


# --- child: fixtures ------------------------------------------------------------------------------
def setup_fixtures() -> dict[str, Any]:
    """A bureau, an alert taken from registration to filing through the services, and the signed
    view cookie of a citizen who passed code + mobile + SMS code for it."""
    import django

    django.setup()
    import re

    from django.conf import settings
    from django.core import signing

    from shoulian.accounts.choices import Role
    from shoulian.citizen import services
    from shoulian.citizen.views.common import VIEW_COOKIE, VIEW_SALT
    from shoulian.conftest import make_bureau, make_user
    from shoulian.core import context
    from shoulian.feedback.services import complaint_submit
    from shoulian.intake.services import category_seed_standard
    from shoulian.intake.tests.helpers import MOBILE, register
    from shoulian.notify.delivery import deliver_one
    from shoulian.notify.models import SmsMessage
    from shoulian.workflow.tests.helpers import approve, handling, propose

    with context.acting(channel="command"):
        category_seed_standard()
        bureau = make_bureau("3599", "测")
        clerk = make_user("bench.clerk", bureau.center, Role.CLERK)
        officer = make_user("bench.officer", bureau.station, Role.OFFICER)
        leader = make_user("bench.leader", bureau.station, Role.LEADER)
        chief = make_user("bench.chief", bureau.bureau, Role.BUREAU_HEAD)
        # Other alerts of the day, so the look-up is not on a one-row table.
        for _ in range(50):
            register(clerk)
        alert = handling(clerk, officer, incident_place="测城关街道府前路18号")
        decision = propose(officer, alert)
        approve(leader, decision)
        approve(chief, decision)
        complaint_submit(
            channel="query",
            kind="suggestion",
            content="建议增加周末办理时间。",
            mobile=MOBILE,
            alert=alert,
            idempotency_key="bench-complaint",
        )
        challenge = services.query_start(
            query_code=alert.query_code, mobile=MOBILE, address="127.0.0.1"
        )
        services.send_code(challenge_id=challenge.pk)
        # The worker is not running: deliver the code SMS here, then read it where the console
        # gateway wrote it (the outbox row keeps the text with the code scrubbed).
        message = SmsMessage.objects.get(key=f"otp:{challenge.token}")
        deliver_one(message.pk)
        line = next(
            json.loads(line)
            for line in Path(settings.SHOULIAN_SMS_OUTBOX_FILE).read_text().splitlines()
            if json.loads(line)["message_id"] == str(message.message_id)
        )
        code = re.search(r"(?<!\d)(\d{6})(?!\d)", line["text"])
        assert code is not None, line["text"]
        verified = services.query_verify(
            token=challenge.token.hex, code=code[1], address="127.0.0.1"
        )
    assert verified is not None
    cookie = signing.dumps(
        {"c": verified.token, "t": verified.subject_type, "i": verified.subject_id},
        salt=VIEW_SALT,
    )
    return {"cookie": f"{VIEW_COOKIE}={cookie}", "alert": alert.pk, "number": alert.number}


def count_views(alert: int) -> dict[str, Any]:
    import django

    django.setup()
    from shoulian.audit.catalogue import EventType
    from shoulian.audit.models import AuditEvent

    return {
        "views": AuditEvent.objects.filter(
            event_type=EventType.QUERY_VIEWED, object_id=str(alert)
        ).count()
    }


# --- HTTP load ------------------------------------------------------------------------------------
def backend(name: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    fixtures = child("_setup", env)
    port = free_port()
    server = start_gunicorn(env, port)
    empty_rates: list[float] = []
    query_rates: list[float] = []
    per_round = args.requests // args.rounds
    try:
        # Warm-up: imports, template compilation, connections of every worker thread.
        rate(port, EMPTY, "", 200, args.clients, "")
        rate(port, RESULT, fixtures["cookie"], 200, args.clients, "已立案")
        # The two kinds of request alternate, so that load from anything else on the machine
        # falls on both alike; the medians are compared.
        for _ in range(args.rounds):
            empty_rates.append(rate(port, EMPTY, "", per_round, args.clients, ""))
            query_rates.append(
                rate(port, RESULT, fixtures["cookie"], per_round, args.clients, "已立案")
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = child("_count", env, str(fixtures["alert"]))
    return {
        "backend": name,
        "empty": statistics.median(empty_rates),
        "query": statistics.median(query_rates),
        "empty_rounds": empty_rates,
        "query_rounds": query_rates,
        "views": check["views"],
        "expected_views": 200 + per_round * args.rounds,
    }


def report(result: dict[str, Any], args: argparse.Namespace) -> bool:
    ratio = result["query"] / result["empty"]
    print(f"\n== {result['backend']} ==")
    print(
        f"empty view     : {result['empty']:8.1f} req/s  (median of {args.rounds} rounds: "
        + ", ".join(f"{r:.0f}" for r in result["empty_rounds"])
        + ")"
    )
    print(
        f"progress query : {result['query']:8.1f} req/s  (median of {args.rounds} rounds: "
        + ", ".join(f"{r:.0f}" for r in result["query_rounds"])
        + f"; verified result page of a filed alert, {args.clients} clients, "
        f"gunicorn {WEB_WORKERS} sync workers)"
    )
    print(f"ratio          : {ratio:8.1%}  (target ≥ 40 %)  {'PASS' if ratio >= 0.40 else 'FAIL'}")
    print(
        f"journal        : {result['views']} view events written "
        f"(expected {result['expected_views']}, one per look-up)"
    )
    return ratio >= 0.40 and result["views"] == result["expected_views"]


# --- child: profile -------------------------------------------------------------------------------
def profile(requests: int) -> dict[str, Any]:
    """The same look-up through Django's test client (no network), under cProfile, with queries."""
    import cProfile
    import io
    import pstats

    fixtures = setup_fixtures()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    client = Client()
    name, value = fixtures["cookie"].split("=", 1)
    client.cookies[name] = value
    queries: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        first = client.get(RESULT)
    assert first.status_code == 200, first.status_code
    half = requests // 2
    start = time.perf_counter()
    for _ in range(half):
        client.get(RESULT)
    elapsed = time.perf_counter() - start
    empty_start = time.perf_counter()
    for _ in range(half):
        client.get(EMPTY)
    empty_elapsed = time.perf_counter() - empty_start
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(half):
        client.get(RESULT)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    sys.stderr.write(out.getvalue())
    sys.stderr.write("\nQueries of one look-up:\n" + "\n".join(q[:200] for q in queries) + "\n")
    return {
        "ms_per_view": elapsed / half * 1000,
        "ms_per_empty": empty_elapsed / half * 1000,
        "queries": len(queries),
    }


# --- orchestration --------------------------------------------------------------------------------
def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        command = sys.argv[1]
        if command == "_setup":
            print(json.dumps(setup_fixtures()))
        elif command == "_count":
            print(json.dumps(count_views(int(sys.argv[2]))))
        elif command == "_profile":
            print(json.dumps(profile(int(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="query-bench-") as tmp:
        var_dir = Path(tmp)
        env = base_env(var_dir)
        env["DJANGO_SETTINGS_MODULE"] = SETTINGS
        env["SHOULIAN_SQLITE_PATH"] = str(var_dir / "bench.sqlite3")
        if args.profile:
            run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
            print(child("_profile", env, str(args.requests)))
            return
        if not args.skip_sqlite:
            ok &= report(backend("SQLite (WAL, synchronous=NORMAL)", env, args), args)
        if not args.skip_postgres:
            import psycopg

            url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
            with psycopg.connect(url + "postgres", autocommit=True) as admin:
                admin.execute("DROP DATABASE IF EXISTS query_bench")
                admin.execute("CREATE DATABASE query_bench")
            pg_env = base_env(var_dir / "pg")
            (var_dir / "pg").mkdir()
            pg_env["DJANGO_SETTINGS_MODULE"] = SETTINGS
            pg_env["DATABASE_URL"] = url + "query_bench"
            try:
                ok &= report(
                    backend("PostgreSQL (server synchronous_commit=on)", pg_env, args), args
                )
            finally:
                with psycopg.connect(url + "postgres", autocommit=True) as admin:
                    admin.execute("DROP DATABASE IF EXISTS query_bench WITH (FORCE)")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
