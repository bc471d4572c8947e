"""Benchmark of the intake desk (issue 4). Not a test: numbers and a ratio, printed.

Target: registering alerts over HTTP — gunicorn on 127.0.0.1 as ``make run`` starts it, the desk
form posted by a signed-in clerk, each post writing the alert, its reporter, its evidence line, the
alert number, the idempotency key, the "received" SMS in the outbox and the audit events,
answered with the redirect to the receipt —
runs at ≥ 10 % of the rate at which raw SQL inserts *the same rows* (copied from an alert the form
created, one transaction per alert, same database settings and durability), measured in the same
run. On SQLite and on PostgreSQL.

    .venv/bin/python bench/intake.py [--posts 600] [--raw 3000] [--clients 4] [--rounds 3]
                                     [--skip-postgres]
    .venv/bin/python bench/intake.py --profile [--posts 200]     # where the time of a post goes

The raw baseline is the faster of one connection and ``--clients`` connections. PostgreSQL is
reached through BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/) and gets a
throwaway database ``intake_bench``. Every child process gets the same environment.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
# As `make run` starts the server (its WEB_WORKERS): synchronous workers, 2 × cores + 1.
WEB_WORKERS = int(os.environ.get("WEB_WORKERS") or 2 * len(os.sched_getaffinity(0)) + 1)
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


# --- environment ----------------------------------------------------------------------------------
def base_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHOULIAN_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SHOULIAN_SECRET_KEY": "bench-only-secret-key-" + "x" * 30,
            "SHOULIAN_VAR_DIR": str(var_dir),
            "SHOULIAN_HTTPS": "0",
            "SHOULIAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SHOULIAN_LOG_LEVEL": "WARNING",
            # Throwaway keys: the bench data is invented.
            "SHOULIAN_PII_KEYS": "bench:" + base64.b64encode(b"\x01" * 16).decode(),
            "SHOULIAN_PII_INDEX_KEY": base64.b64encode(b"\x02" * 32).decode(),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run(args: list[str], env: dict[str, str], show_errors: bool = False) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0 or show_errors:
        sys.stderr.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}")
    return done.stdout


def child(command: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    out = run([PYTHON, __file__, command, *extra], env, show_errors=command == "_profile")
    return json.loads(out.strip().splitlines()[-1])


def django_setup() -> None:
    import django

    django.setup()


# --- child: fixtures --------------------------------------------------------------------------------
def setup_fixtures() -> dict[str, Any]:
    """A bureau, a center clerk with a verified TOTP device, a signed-in session."""
    django_setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from shoulian.accounts.choices import Role
    from shoulian.accounts.middleware import SESSION_EPOCH, SESSION_ROLES
    from shoulian.conftest import make_bureau, make_user
    from shoulian.core import context
    from shoulian.intake.models import Category
    from shoulian.intake.services import category_seed_standard

    with context.acting(channel="command"):
        category_seed_standard()
        bureau = make_bureau("3599", "测")
        clerk = make_user("bench.clerk", bureau.center, Role.CLERK)
    device = TOTPDevice.objects.create(user=clerk, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(clerk.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
    session["otp_device_id"] = device.persistent_id
    session["shoulian_login_at"] = time.time()
    session[SESSION_EPOCH] = clerk.session_epoch
    session[SESSION_ROLES] = sorted(clerk.role_set)
    session.create()
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_key": session.session_key,
        "category": Category.objects.get(code="0105").pk,
    }


def form_body(category: int, csrf: str, n: int, stamp: str, incident: str) -> str:
    fields = {
        "csrfmiddlewaretoken": csrf,
        "channel": "walk_in",
        "report_form": "written",
        "urgency": "normal",
        "received_at": stamp,
        "incident_at": incident,
        "incident_until": "",
        "incident_place": "测城关街道府前路18号楼下",
        "category": str(category),
        "narrative": f"报案人称其被拉入“兼职刷单”群，按对方要求先后转账三次共计人民币{12000 + n}元，后无法提现，对方失联。",
        "external_ref": "",
        "source_organ": "",
        "idempotency_key": uuid.uuid4().hex,
        "draft": "",
        "action": "register",
        "party-TOTAL_FORMS": "1",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "30",
        "party-0-role": "reporter",
        "party-0-name": "陈美玲",
        "party-0-gender": "female",
        "party-0-id_type": "resident_id",
        "party-0-id_number": "11010519491231002X",
        "party-0-phone": f"138{n % 100000000:08d}",
        "party-0-address": "福建省三明市沙县区凤岗街道西门社区3号",
        "party-0-note": "",
        "item-TOTAL_FORMS": "1",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "100",
        "item-0-name": "转账记录截图（打印件）",
        "item-0-quantity": "3",
        "item-0-features": "手机银行截图打印",
        "item-0-pages": "3",
    }
    return urllib.parse.urlencode(fields)


def local_stamps() -> tuple[str, str]:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=10)
    return now.strftime("%Y-%m-%dT%H:%M"), (now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")


# --- HTTP load ----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    # The same server settings as `make run`.
    process = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WEB_WORKERS),
            "--threads",
            "1",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz?check=database")  # liveness only
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not come up")


def get_rate(
    port: int, path: str, cookie: str, count: int, clients: int, expect: str = ""
) -> float:
    """GETs per second of ``path`` from ``clients`` keep-alive clients; every answer must be 200
    and contain ``expect``."""
    headers = {"Cookie": cookie} if cookie else {}
    lock = threading.Lock()
    cursor = iter(range(count))
    failures: list[str] = []

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if next(cursor, None) is None:
                    return
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200 or expect.encode() not in body:
                with lock:
                    failures.append(f"{response.status} {body[:80]!r}")

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{path}: {len(failures)} failures, e.g. {failures[:3]}")
    return count / elapsed


def page_rate(port: int, fixtures: dict[str, Any], path: str, count: int, clients: int) -> float:
    """GETs per second of a small signed-in page: the cost of the shared request stack (session,
    user, roles, second factor, session write, base template) without any intake work."""
    cookie = f"{fixtures['session_cookie']}={fixtures['session_key']}"
    return get_rate(port, path, cookie, count, clients)


def http_load(port: int, fixtures: dict[str, Any], posts: int, clients: int) -> dict[str, Any]:
    cookie = f"{fixtures['session_cookie']}={fixtures['session_key']}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/intake/register/", headers={"Cookie": cookie})
    page = conn.getresponse()
    html = page.read().decode()
    if page.status != 200:
        raise SystemExit(f"register page answered {page.status}")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
    csrf_input = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not csrf_cookie or not csrf_input:
        raise SystemExit("no CSRF token on the register page")
    headers = {
        "Cookie": f"{cookie}; csrftoken={csrf_cookie[1]}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/intake/register/",
    }
    stamp, incident = local_stamps()
    bodies = [
        form_body(fixtures["category"], csrf_input[1], n, stamp, incident) for n in range(posts)
    ]
    failures: list[str] = []
    lock = threading.Lock()
    cursor = iter(range(posts))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                n = next(cursor, None)
            if n is None:
                return
            connection.request("POST", "/intake/register/", body=bodies[n], headers=headers)
            response = connection.getresponse()
            response.read()
            location = response.getheader("Location") or ""
            if response.status != 302 or not re.fullmatch(r"/intake/alerts/\d+/receipt/", location):
                with lock:
                    failures.append(f"{response.status} {location}")
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {"posts": posts, "seconds": elapsed, "rate": posts / elapsed, "failures": failures[:5]}


# --- child: verification and the raw baseline ------------------------------------------------------
def verify() -> dict[str, Any]:
    """What the HTTP posts wrote (the raw rounds' rows, numbered RAW…, are left out)."""
    django_setup()
    from shoulian.audit.catalogue import EventType
    from shoulian.audit.models import AuditEvent
    from shoulian.intake.models import Alert, AlertParty, EvidenceItem, IdempotencyKey
    from shoulian.notify.models import SmsMessage

    alerts = Alert.objects.exclude(number__startswith="RAW")
    ids = [str(pk) for pk in alerts.values_list("pk", flat=True)]
    return {
        "alerts": len(ids),
        "distinct_numbers": alerts.values("number").distinct().count(),
        "parties": AlertParty.objects.filter(alert__in=alerts).count(),
        "items": EvidenceItem.objects.filter(alert__in=alerts).count(),
        "keys": IdempotencyKey.objects.filter(alert__in=alerts).count(),
        "sms": SmsMessage.objects.filter(alert__in=alerts).count(),
        "events": AuditEvent.objects.filter(
            event_type=EventType.ALERT_REGISTERED, object_type="alert", object_id__in=ids
        ).count(),
        "last_number": alerts.order_by("-id").values_list("number", flat=True).first(),
    }


TABLES = (
    "intake_alert",
    "intake_alertparty",
    "intake_evidenceitem",
    "intake_idempotencykey",
    "notify_smsmessage",
)


def raw_baseline(total: int, connections: int, round_no: int = 0) -> dict[str, Any]:
    """Insert the rows one HTTP post wrote, cloned, with plain SQL: per alert one transaction of
    counter UPDATE … RETURNING, then INSERTs of idempotency key, alert, reporter, evidence line,
    outbox message and the two audit events (final values inserted directly: fewer statements
    than the application)."""
    django_setup()
    from django.db import connection

    from shoulian.audit.models import AuditEvent
    from shoulian.intake.models import Alert

    template_alert = Alert.objects.exclude(number__startswith="RAW").order_by("-id").first()
    if template_alert is None:
        raise SystemExit("no alert to copy")
    event_body = AuditEvent.objects.get(pk=template_alert.intake_event_id).body
    from shoulian.notify.models import SmsMessage

    sms = SmsMessage.objects.get(alert=template_alert)
    sms_event_body = AuditEvent.objects.get(object_type="smsmessage", object_id=str(sms.pk)).body
    vendor = connection.vendor
    settings_dict = connection.settings_dict

    def fetch(cursor: Any, table: str, column: str, value: Any) -> tuple[list[str], list[Any]]:
        # Table and column names are the constants below, never input.
        cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s", [value])  # noqa: S608
        names = [c[0] for c in cursor.description]
        row = list(cursor.fetchone())
        return names, row

    with connection.cursor() as cursor:
        templates = {
            "intake_alert": fetch(cursor, "intake_alert", "id", template_alert.pk),
            "intake_alertparty": fetch(cursor, "intake_alertparty", "alert_id", template_alert.pk),
            "intake_evidenceitem": fetch(
                cursor, "intake_evidenceitem", "alert_id", template_alert.pk
            ),
            "intake_idempotencykey": fetch(
                cursor, "intake_idempotencykey", "alert_id", template_alert.pk
            ),
            "notify_smsmessage": fetch(cursor, "notify_smsmessage", "alert_id", template_alert.pk),
        }
    connection.close()
    unit_id = template_alert.registering_unit_id
    day = template_alert.number.split("-")[1]
    day_iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"

    def statements(mark: str) -> dict[str, Any]:
        # ``mark`` is the driver's placeholder ("?" or "%s"), never input.
        out: dict[str, Any] = {
            "counter": "UPDATE intake_alertnumbercounter SET last = last + 1 "  # noqa: S608
            f"WHERE unit_id = {mark} AND day = {mark} RETURNING last",
            "audit": f"INSERT INTO audit_auditevent (body) VALUES ({mark})",  # noqa: S608
        }
        for table, (names, row) in templates.items():
            cols = [(n, v) for n, v in zip(names, row, strict=True) if n != "id"]
            placeholders = ", ".join([mark] * len(cols))
            sql = f"INSERT INTO {table} ({', '.join(n for n, _ in cols)}) VALUES ({placeholders})"  # noqa: S608
            if table in ("intake_alert", "notify_smsmessage"):
                sql += " RETURNING id"
            out[table] = (sql, [n for n, _ in cols], [v for _, v in cols])
        return out

    def one(cursor: Any, stmts: dict[str, Any], n: int, mark: str, adapt: Any) -> None:
        cursor.execute(stmts["counter"], [unit_id, day_iso])
        sequence = cursor.fetchone()[0]
        sql, names, values = stmts["intake_alert"]
        row = dict(zip(names, values, strict=True))
        row["number"] = f"RAW{n:09d}-{sequence}"
        row["query_code"] = f"R{n:011d}"
        cursor.execute(sql, [adapt(row[k]) for k in names])
        alert_id = cursor.fetchone()[0]
        for table in ("intake_alertparty", "intake_evidenceitem", "intake_idempotencykey"):
            sql, names, values = stmts[table]
            row = dict(zip(names, values, strict=True))
            row["alert_id"] = alert_id
            if table == "intake_idempotencykey":
                row["key"] = f"raw-{n}"
            cursor.execute(sql, [adapt(row[k]) for k in names])
        sql, names, values = stmts["notify_smsmessage"]
        row = dict(zip(names, values, strict=True))
        row.update(alert_id=alert_id, key=f"raw:{n}", message_id=uuid.uuid4())
        cursor.execute(sql, [adapt(row[k]) for k in names])
        sms_id = cursor.fetchone()[0]
        cursor.execute(
            stmts["audit"],
            [event_body.replace(f'"object_id":"{template_alert.pk}"', f'"object_id":"{alert_id}"')],
        )
        cursor.execute(
            stmts["audit"],
            [sms_event_body.replace(f'"object_id":"{sms.pk}"', f'"object_id":"{sms_id}"')],
        )

    results = {}
    for conns in sorted({1, connections}):
        per = total // conns
        errors: list[str] = []

        def work(offset: int, per: int = per, errors: list[str] = errors) -> None:
            try:
                if vendor == "sqlite":
                    import sqlite3

                    db = sqlite3.connect(settings_dict["NAME"], isolation_level=None, timeout=20)
                    for pragma in settings_dict["OPTIONS"]["init_command"].split(";"):
                        if pragma.strip():
                            db.execute(pragma)
                    stmts = statements("?")
                    cur = db.cursor()
                    for n in range(offset, offset + per):
                        cur.execute("BEGIN IMMEDIATE")
                        one(cur, stmts, n, "?", _sqlite_adapt)
                        cur.execute("COMMIT")
                    db.close()
                else:
                    import psycopg
                    from psycopg.types.json import Jsonb

                    def adapt(value: Any) -> Any:
                        return Jsonb(value) if isinstance(value, dict | list) else value

                    with psycopg.connect(
                        host=settings_dict["HOST"],
                        port=settings_dict["PORT"] or 5432,
                        user=settings_dict["USER"],
                        password=settings_dict["PASSWORD"] or None,
                        dbname=settings_dict["NAME"],
                    ) as db:
                        stmts = statements("%s")
                        for n in range(offset, offset + per):
                            with db.transaction(), db.cursor() as cur:
                                one(cur, stmts, n, "%s", adapt)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))

        base = 100_000_000 * conns + 1_000_000 * round_no
        threads = [threading.Thread(target=work, args=(base + i * per,)) for i in range(conns)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        if errors:
            raise SystemExit(f"raw baseline failed: {errors[:3]}")
        results[str(conns)] = per * conns / elapsed
    return {"rates": results, "rate": max(results.values())}


def _sqlite_adapt(value: Any) -> Any:
    """Values as Django's SQLite backend writes them (naive UTC text for datetimes)."""
    from datetime import UTC, date, datetime

    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return (value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value).isoformat(
            " "
        )
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- child: profile ---------------------------------------------------------------------------------
def profile(posts: int) -> dict[str, Any]:
    """The same post through Django's test client (no network), under cProfile, with queries."""
    import cProfile
    import io
    import pstats

    fixtures = setup_fixtures()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    client = Client()
    client.cookies[fixtures["session_cookie"]] = fixtures["session_key"]
    html = client.get("/intake/register/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert csrf is not None
    stamp, incident = local_stamps()
    bodies = [form_body(fixtures["category"], csrf[1], n, stamp, incident) for n in range(posts)]
    kind = "application/x-www-form-urlencoded"
    queries: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        first = client.post("/intake/register/", bodies[0], content_type=kind)
    assert first.status_code == 302, first.content[:2000]
    half = len(bodies) // 2
    start = time.perf_counter()
    for body in bodies[1:half]:
        response = client.post("/intake/register/", body, content_type=kind)
        assert response.status_code == 302, response.status_code
        # The HTTP clients never send the flash-message cookie back; nor does this one.
        client.cookies.pop("messages", None)
    elapsed = time.perf_counter() - start
    profiler = cProfile.Profile()
    profiler.enable()
    for body in bodies[half:]:
        client.post("/intake/register/", body, content_type=kind)
        client.cookies.pop("messages", None)
    profiler.disable()
    if os.environ.get("BENCH_PROFILE_OUT"):
        profiler.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_callees("(_create|views.py:.*register|_validate)")
    sys.stderr.write(out.getvalue())
    sys.stderr.write("\nQueries of one post:\n" + "\n".join(q[:160] for q in queries) + "\n")
    # Timed without the profiler; the profile is of the second half.
    return {"posts": half - 1, "ms_per_post": elapsed / (half - 1) * 1000, "queries": len(queries)}


# --- orchestration ------------------------------------------------------------------------------------
def backend(name: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    fixtures = child("_setup", env)
    port = free_port()
    server = start_gunicorn(env, port)
    # HTTP and raw rounds alternate, so that load from anything else on the machine falls on
    # both sides alike; the medians are compared.
    http_rounds: list[dict[str, Any]] = []
    raw_rounds: list[dict[str, Any]] = []
    try:
        # Warm-up: the first requests of each worker import and compile templates.
        http_load(port, fixtures, 20, 2)
        for round_no in range(args.rounds):
            http_rounds.append(http_load(port, fixtures, args.posts // args.rounds, args.clients))
            raw_rounds.append(
                child("_raw", env, str(args.raw // args.rounds), str(args.clients), str(round_no))
            )
        floor = page_rate(port, fixtures, "/intake/drafts/", args.posts // 2, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = child("_verify", env)
    http_rates = sorted(r["rate"] for r in http_rounds)
    raw_rates = sorted(r["rate"] for r in raw_rounds)
    load = {
        "posts": sum(r["posts"] for r in http_rounds),
        "seconds": sum(r["seconds"] for r in http_rounds),
        "rate": statistics.median(http_rates),
        "rounds": [r["rate"] for r in http_rounds],
        "failures": [f for r in http_rounds for f in r["failures"]][:5],
        "floor": floor,
    }
    raw = {
        "rate": statistics.median(raw_rates),
        "rounds": [r["rate"] for r in raw_rounds],
        "rates": {
            k: statistics.median(r["rates"][k] for r in raw_rounds) for k in raw_rounds[0]["rates"]
        },
    }
    return {"backend": name, "http": load, "check": check, "raw": raw}


def report(result: dict[str, Any], args: argparse.Namespace) -> bool:
    http_rate, raw_rate = result["http"]["rate"], result["raw"]["rate"]
    ratio = http_rate / raw_rate
    check = result["check"]
    expected = args.posts // args.rounds * args.rounds + 20
    print(f"\n== {result['backend']} ==")
    print(
        f"HTTP intake   : {http_rate:8.1f} alerts/s  (median of {args.rounds} rounds; "
        f"{result['http']['posts']} form posts, "
        f"{args.clients} clients, gunicorn {WEB_WORKERS} sync workers, {result['http']['seconds']:.1f} s)"
    )
    print(
        f"request floor : {result['http']['floor']:8.1f} pages/s  (GET of a small signed-in page, "
        "same server and clients: the shared middleware and template cost)"
    )
    rates = ", ".join(f"{k} conn: {v:.0f}/s" for k, v in result["raw"]["rates"].items())
    print(
        f"raw SQL insert: {raw_rate:8.1f} alerts/s  (median of {args.rounds} rounds; "
        f"{args.raw} alerts; best of {rates})"
    )
    per_round = ", ".join(
        f"{h / r:.1%}"
        for h, r in zip(result["http"]["rounds"], result["raw"]["rounds"], strict=True)
    )
    print(f"ratio         : {ratio:8.1%}  (target ≥ 10 %)  {'PASS' if ratio >= 0.10 else 'FAIL'}")
    print(f"per round     : {per_round}  (medians compared above)")
    print(
        f"checked       : {check['alerts']} alerts, {check['distinct_numbers']} distinct numbers, "
        f"{check['events']} intake events, {check['keys']} idempotency keys, "
        f"{check['parties']} reporters, {check['items']} evidence lines, "
        f"{check['sms']} outbox messages "
        f"(expected {expected} each); last number {check['last_number']}"
    )
    if result["http"]["failures"]:
        print(f"failures      : {result['http']['failures']}")
    ok = (
        ratio >= 0.10
        and not result["http"]["failures"]
        and check["alerts"]
        == check["distinct_numbers"]
        == check["events"]
        == check["keys"]
        == check["parties"]
        == check["items"]
        == check["sms"]
        == expected
    )
    return ok


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        command = sys.argv[1]
        if command == "_setup":
            print(json.dumps(setup_fixtures()))
        elif command == "_verify":
            print(json.dumps(verify()))
        elif command == "_raw":
            print(json.dumps(raw_baseline(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
        elif command == "_profile":
            print(json.dumps(profile(int(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--raw", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as tmp:
        var_dir = Path(tmp)
        env = base_env(var_dir)
        env["SHOULIAN_SQLITE_PATH"] = str(var_dir / "bench.sqlite3")
        if args.profile:
            run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
            print(child("_profile", env, str(args.posts)))
            return
        for full in (False, True):
            sqlite_env = {
                **env,
                "SHOULIAN_SQLITE_PATH": str(var_dir / f"bench-{int(full)}.sqlite3"),
            }
            # The product's two SQLite durability settings (config/settings.py): NORMAL survives
            # a killed process, FULL (SHOULIAN_SQLITE_FULL_SYNC=1) also an OS crash.
            sqlite_env["SHOULIAN_SQLITE_FULL_SYNC"] = "1" if full else "0"
            label = f"SQLite (WAL, synchronous={'FULL' if full else 'NORMAL'})"
            ok &= report(backend(label, sqlite_env, args), args)
        if not args.skip_postgres:
            import psycopg

            url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
            with psycopg.connect(url + "postgres", autocommit=True) as admin:
                admin.execute("DROP DATABASE IF EXISTS intake_bench")
                admin.execute("CREATE DATABASE intake_bench")
            pg_env = base_env(var_dir / "pg")
            (var_dir / "pg").mkdir()
            pg_env["DATABASE_URL"] = url + "intake_bench"
            try:
                ok &= report(backend("PostgreSQL (synchronous_commit=on)", pg_env, args), args)
            finally:
                with psycopg.connect(url + "postgres", autocommit=True) as admin:
                    admin.execute("DROP DATABASE IF EXISTS intake_bench WITH (FORCE)")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
