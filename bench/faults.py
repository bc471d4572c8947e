"""The fault suite (issue 13 §7; SECURITY.md R1, R2, R4): kill -9 and outages under writing clients.

Not part of `make test` (it starts servers and takes minutes); one command runs it:

    .venv/bin/python bench/faults.py                     # SQLite and PostgreSQL, full length
    .venv/bin/python bench/faults.py --short --db sqlite # the short form .ci/run uses

For each database it sets up a throwaway installation (its own var directory; PostgreSQL through
FAULTS_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/, database ``shoulian_faults``),
starts what `make run` starts — gunicorn, the Huey worker, the sealer loop — with the HTTP SMS
gateway pointed at a fake provider in this process (it checks signatures and keeps one copy per
message id, like a provider must), and lets ``--clients`` desk clerks register alerts through
the form, each retrying with the same idempotency key until the server acknowledges it (the
redirect to the receipt). Meanwhile:

1. **kills** — kill -9 of the web server (the whole gunicorn process group), the worker and the
   sealer, in turn, each restarted a moment later;
2. **SMS outage** — the provider answers HTTP 500 for ``--outage`` seconds, then recovers; the
   drain rate is the unsent backlog at recovery over the time until the outbox is empty;
3. **disk full** (SQLite; only where ``mount -t tmpfs`` works, skipped with a message otherwise)
   — a second installation on a small tmpfs filled to the brim while clerks write, then freed.

At the end every process is stopped, the journal sealed and verified (``audit_verify``), and a
table printed per database: acknowledged vs stored alerts, duplicates, ALERT_REGISTERED events,
SMS rows, SMS sent, deliveries at the provider (unique message ids, and resends it dropped),
kills, outbox alerts, the sealer's database-error events, the drain rate. It exits 1 on any
loss (acknowledged but not stored), duplicate alert or delivery, unsent SMS, or a journal that
does not verify.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import intake as bench  # noqa: E402  (bench/intake.py: environment, fixtures, the desk form)

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
KEY = "faults-app-key"
SECRET = "faults-app-secret-0123456789"  # noqa: S105 - the fake provider's own secret


# --- The fake provider ---------------------------------------------------------------------------
class Provider:
    """A provider at 127.0.0.1: verifies the signature, keeps one copy per message id, and
    answers HTTP 500 while ``down``."""

    def __init__(self) -> None:
        from collections import Counter

        self.down = False
        self.requests = 0
        self.failed = 0
        self.delivered: Counter[str] = Counter()  # reached a phone: once per message id
        self.resends = 0  # requests for an id already delivered (dropped, answered duplicate)
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.server: Any = None

    def start(self) -> str:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from shoulian.notify.gateways import verify_signature

        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 200
                answer: dict[str, Any] = {}
                with provider.lock:
                    provider.requests += 1
                    if not verify_signature(
                        SECRET,
                        self.headers.get("X-Sms-Timestamp", ""),
                        self.headers.get("X-Sms-Nonce", ""),
                        body,
                        self.headers.get("X-Sms-Signature", ""),
                    ):
                        provider.bad_signatures += 1
                        status, answer = 401, {"error": "bad signature"}
                    elif provider.down:
                        provider.failed += 1
                        status, answer = 500, {"error": "down"}
                    else:
                        message_id = json.loads(body)["message_id"]
                        duplicate = provider.delivered[message_id] > 0
                        if duplicate:
                            provider.resends += 1
                        else:
                            provider.delivered[message_id] += 1
                        answer = {"id": message_id[:8], "duplicate": duplicate}
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the sender was killed mid-request; the provider has the message

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms/send"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- Processes ------------------------------------------------------------------------------------
class Service:
    """One long-running process of the installation, in its own process group (kill -9 takes
    gunicorn's workers with its master)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.args, self.env, self.log = name, args, env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.args, env=self.env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
            )

    def kill9(self) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def services(env: dict[str, str], port: int, logs: Path) -> dict[str, Service]:
    manage = [PYTHON, "manage.py"]
    return {
        "web": Service(
            "web",
            [
                GUNICORN,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "1",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            env,
            logs / "web.log",
        ),
        "worker": Service("worker", [*manage, "run_huey", "--quiet"], env, logs / "worker.log"),
        "sealer": Service("sealer", [*manage, "audit_sealer"], env, logs / "sealer.log"),
    }


def wait_for_web(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


# --- Writing clients ------------------------------------------------------------------------------
@dataclass
class Ledger:
    """What the server acknowledged: idempotency key -> alert id."""

    acked: dict[str, int] = field(default_factory=dict)
    attempts: int = 0
    errors: int = 0  # answers that were not an acknowledgement (connection refused, 5xx …)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0

    def next_n(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter


class Desk:
    """A signed-in clerk's desk: the register form's CSRF token and cookie."""

    def __init__(self, port: int, fixtures: dict[str, Any]) -> None:
        self.port = port
        self.fixtures = fixtures
        cookie = f"{fixtures['session_cookie']}={fixtures['session_key']}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/intake/register/", headers={"Cookie": cookie})
        page = conn.getresponse()
        html = page.read().decode()
        csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
        csrf_input = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if page.status != 200 or not csrf_cookie or not csrf_input:
            raise SystemExit(f"register page answered {page.status} without a CSRF token")
        self.csrf = csrf_input[1]
        self.headers = {
            "Cookie": f"{cookie}; csrftoken={csrf_cookie[1]}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/intake/register/",
        }

    def body(self, n: int, key: str) -> str:
        stamp, incident = bench.local_stamps()
        body = bench.form_body(self.fixtures["category"], self.csrf, n, stamp, incident)
        return re.sub(r"idempotency_key=[0-9a-f]+", f"idempotency_key={key}", body)

    def post(self, body: str) -> int | None:
        """The alert id the server acknowledged, or None."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("POST", "/intake/register/", body=body, headers=self.headers)
            response = conn.getresponse()
            response.read()
            conn.close()
        except (OSError, http.client.HTTPException):
            return None
        location = response.getheader("Location") or ""
        match = re.fullmatch(r"/intake/alerts/(\d+)/receipt/", location)
        return int(match[1]) if response.status == 302 and match else None


def clerk(desk: Desk, ledger: Ledger, stop: threading.Event) -> None:
    """Register alerts until ``stop``; each one is retried with its key until acknowledged."""
    while not stop.is_set():
        n = ledger.next_n()
        key = uuid.uuid4().hex
        body = desk.body(n, key)
        delay = 0.1
        while True:
            with ledger.lock:
                ledger.attempts += 1
            alert_id = desk.post(body)
            if alert_id is not None:
                with ledger.lock:
                    ledger.acked[key] = alert_id
                break
            with ledger.lock:
                ledger.errors += 1
            time.sleep(delay)
            delay = min(2.0, delay * 1.5)


# --- Child commands (inside Django) -----------------------------------------------------------------
def child_status(before: float | None) -> dict[str, Any]:
    """SMS rows and how many are unsent (of those queued before ``before``, epoch seconds)."""
    bench.django_setup()
    import datetime as dt

    from shoulian.notify.choices import SmsStatus
    from shoulian.notify.models import SmsMessage

    rows = SmsMessage.objects.all()
    if before is not None:
        rows = rows.filter(created_at__lte=dt.datetime.fromtimestamp(before, tz=dt.UTC))
    return {
        "sms": rows.count(),
        "unsent": rows.filter(
            status__in=[SmsStatus.PENDING, SmsStatus.RETRYING, SmsStatus.SENDING]
        ).count(),
    }


def child_verify(acked_file: str) -> dict[str, Any]:
    bench.django_setup()
    from django.db.models import Count

    from shoulian.audit.catalogue import EventType
    from shoulian.audit.models import AuditEvent
    from shoulian.intake.models import Alert, IdempotencyKey
    from shoulian.notify.choices import SmsStatus
    from shoulian.notify.models import SmsMessage

    acked: dict[str, int] = json.loads(Path(acked_file).read_text())
    stored_ids = set(Alert.objects.values_list("pk", flat=True))
    keyed = dict(IdempotencyKey.objects.filter(alert__isnull=False).values_list("key", "alert_id"))
    missing = [k for k, pk in acked.items() if pk not in stored_ids]
    wrong = [k for k, pk in acked.items() if k in keyed and keyed[k] != pk]
    duplicates = Alert.objects.values("narrative").annotate(n=Count("id")).filter(n__gt=1).count()
    sms = SmsMessage.objects.all()
    return {
        "acked": len(acked),
        "stored": len(stored_ids),
        "missing": len(missing) + len(wrong),
        "duplicates": duplicates,
        "registered_events": AuditEvent.objects.filter(
            event_type=EventType.ALERT_REGISTERED
        ).count(),
        "sms_rows": sms.count(),
        "sms_sent": sms.filter(status=SmsStatus.SENT).count(),
        "sms_sent_events": AuditEvent.objects.filter(event_type=EventType.SMS_SENT).count(),
        "sms_ids": [str(m) for m in sms.values_list("message_id", flat=True)],
        "outbox_alerts": AuditEvent.objects.filter(event_type=EventType.SMS_OUTBOX_ALERT).count(),
        "sealer_db_errors": AuditEvent.objects.filter(event_type=EventType.SEALER_DB_ERROR).count(),
        "events": AuditEvent.objects.count(),
    }


def child(command: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, __file__, command, *extra], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"child {command} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- One database -----------------------------------------------------------------------------------
@dataclass
class Plan:
    clients: int
    kill_rounds: int  # each round kills web, worker and sealer once
    kill_gap: float  # seconds between kills
    outage: float  # seconds the provider is down
    drain_timeout: float
    disk: bool


def environment(var_dir: Path, provider_url: str, database_url: str | None) -> dict[str, str]:
    env = bench.base_env(var_dir)
    env.update(
        {
            "SHOULIAN_SMS_GATEWAY": "http",
            "SHOULIAN_SMS_URL": provider_url,
            "SHOULIAN_SMS_KEY": KEY,
            "SHOULIAN_SMS_SECRET": SECRET,
            "SHOULIAN_SMS_TIMEOUT_SECONDS": "2",
            # Short backoff and lease: a test run cannot wait out production's 30 s … 1 h.
            "SHOULIAN_SMS_BACKOFF_SECONDS": "1",
            "SHOULIAN_SMS_BACKOFF_MAX_SECONDS": "4",
            "SHOULIAN_SMS_LEASE_SECONDS": "10",
            "SHOULIAN_SMS_ALERT_AGE_SECONDS": "20",
            "SHOULIAN_SMS_ALERT_FAILED_SWEEPS": "3",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SHOULIAN_SQLITE_PATH"] = str(var_dir / "faults.sqlite3")
    return env


def prepare(env: dict[str, str]) -> dict[str, Any]:
    bench.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    bench.run([PYTHON, "manage.py", "audit_keygen", "--if-missing"], env)
    return bench.child("_setup", env)


def wait_drained(
    env: dict[str, str], timeout: float, before: float | None = None
) -> tuple[float, int]:
    """Poll until no SMS queued before ``before`` (epoch; None: any) is unsent; returns (seconds
    it took, that backlog at the start). Clients may go on writing meanwhile."""
    start = time.monotonic()
    cutoff = [] if before is None else [str(before)]
    backlog = child("_status", env, *cutoff)["unsent"]
    while time.monotonic() - start < timeout:
        if child("_status", env, *cutoff)["unsent"] == 0:
            return time.monotonic() - start, backlog
        time.sleep(0.5)
    return float("nan"), backlog


def finish(
    env: dict[str, str], ledger: Ledger, var_dir: Path, provider: Provider
) -> dict[str, Any]:
    bench.run([PYTHON, "manage.py", "audit_sealer", "--once"], env)
    verified = subprocess.run(
        [PYTHON, "manage.py", "audit_verify", "--workers", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    acked_file = var_dir / "acked.json"
    acked_file.write_text(json.dumps(ledger.acked))
    result = child("_verify", env, str(acked_file))
    ids = result.pop("sms_ids")
    result["verify_ok"] = verified.returncode == 0
    result["delivered_unique"] = sum(1 for i in ids if provider.delivered[i] == 1)
    result["delivered_twice"] = sum(1 for c in provider.delivered.values() if c > 1)
    result["delivered_unknown"] = len(set(provider.delivered) - set(ids))
    result["resends_dropped"] = provider.resends
    result["attempts"] = ledger.attempts
    result["client_errors"] = ledger.errors
    return result


def scenario_main(label: str, database_url: str | None, plan: Plan, keep: bool) -> dict[str, Any]:
    """Kills and the SMS outage on one installation."""
    var_dir = Path(tempfile.mkdtemp(prefix="shoulian-faults-"))
    provider = Provider()
    url = provider.start()
    env = environment(var_dir, url, database_url)
    print(f"\n== {label}: setting up in {var_dir}", flush=True)
    fixtures = prepare(env)
    port = bench.free_port()
    procs = services(env, port, var_dir)
    for proc in procs.values():
        proc.start()
    wait_for_web(port)
    desk = Desk(port, fixtures)
    ledger = Ledger()
    stop = threading.Event()
    clients = [
        threading.Thread(target=clerk, args=(desk, ledger, stop), daemon=True)
        for _ in range(plan.clients)
    ]
    result: dict[str, Any] = {"label": label}
    try:
        for thread in clients:
            thread.start()
        time.sleep(plan.kill_gap)
        # 1. kill -9 of each process in turn, under the writing clients.
        for round_no in range(plan.kill_rounds):
            for name in ("web", "worker", "sealer"):
                procs[name].kill9()
                print(f"   kill -9 {name} (round {round_no + 1})", flush=True)
                time.sleep(0.5)
                procs[name].start()
                if name == "web":
                    wait_for_web(port)
                time.sleep(plan.kill_gap)
        # 2. The SMS gateway is down, then back.
        print(f"   SMS provider down for {plan.outage:.0f} s", flush=True)
        provider.down = True
        time.sleep(plan.outage)
        provider.down = False
        recovered = time.time()
        print("   SMS provider back", flush=True)
        recovered_at = len(ledger.acked)
        drain_seconds, backlog = wait_drained(env, plan.drain_timeout, before=recovered)
        result["backlog_at_recovery"] = backlog
        result["drain_seconds"] = drain_seconds
        result["drain_rate"] = backlog / drain_seconds if drain_seconds == drain_seconds else 0
        result["acked_during_drain"] = len(ledger.acked) - recovered_at
        stop.set()
        for thread in clients:
            thread.join(timeout=90)
        # What the last acknowledged alerts queued goes out too.
        wait_drained(env, plan.drain_timeout)
        result["sealer_alive"] = procs["sealer"].alive()
        result["kills"] = sum(p.kills for p in procs.values())
    finally:
        stop.set()
        for proc in procs.values():
            proc.stop()
    result.update(finish(env, ledger, var_dir, provider))
    provider.stop()
    if not keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    return result


def scenario_disk(plan: Plan, keep: bool) -> dict[str, Any] | str:
    """SQLite on a small tmpfs filled to the brim while clerks write; then space is freed."""
    mount_dir = Path(tempfile.mkdtemp(prefix="shoulian-faults-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_dir)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        shutil.rmtree(mount_dir, ignore_errors=True)
        return f"skipped: mount -t tmpfs is not allowed here ({mounted.stderr.strip()[:80]})"
    try:
        var_dir = mount_dir / "var"
        var_dir.mkdir()
        provider = Provider()
        env = environment(var_dir, provider.start(), None)
        print(f"\n== SQLite, disk full: tmpfs of 64 MB at {mount_dir}", flush=True)
        fixtures = prepare(env)
        port = bench.free_port()
        procs = services(env, port, Path(tempfile.mkdtemp(prefix="shoulian-faults-logs-")))
        for proc in procs.values():
            proc.start()
        wait_for_web(port)
        desk = Desk(port, fixtures)
        ledger = Ledger()
        stop = threading.Event()
        clients = [
            threading.Thread(target=clerk, args=(desk, ledger, stop), daemon=True)
            for _ in range(plan.clients)
        ]
        result: dict[str, Any] = {"label": "SQLite, disk full"}
        try:
            for thread in clients:
                thread.start()
            time.sleep(3)
            # Fill the disk: a ballast file takes all but a few hundred kilobytes.
            free = shutil.disk_usage(mount_dir).free
            ballast = mount_dir / "ballast"
            with ballast.open("wb") as out:
                out.write(b"\0" * max(0, free - 300 * 1024))
            before = ledger.errors
            print("   disk full", flush=True)
            time.sleep(plan.outage)
            result["refused_while_full"] = ledger.errors - before
            ballast.unlink()
            print("   disk freed", flush=True)
            time.sleep(plan.kill_gap * 2)
            stop.set()
            for thread in clients:
                thread.join(timeout=90)
            wait_drained(env, plan.drain_timeout)
            result["sealer_alive"] = procs["sealer"].alive()
            result["kills"] = 0
        finally:
            stop.set()
            for proc in procs.values():
                proc.stop()
        result.update(finish(env, ledger, var_dir, provider))
        provider.stop()
        return result
    finally:
        subprocess.run(["umount", "-l", str(mount_dir)], capture_output=True)
        if not keep:
            shutil.rmtree(mount_dir, ignore_errors=True)


# --- Report ---------------------------------------------------------------------------------------
COLUMNS = [
    ("acked", "acknowledged"),
    ("stored", "stored"),
    ("missing", "lost"),
    ("duplicates", "duplicate alerts"),
    ("registered_events", "ALERT_REGISTERED events"),
    ("sms_rows", "SMS rows"),
    ("sms_sent", "SMS sent"),
    ("sms_sent_events", "SMS_SENT events"),
    ("delivered_unique", "delivered once at provider"),
    ("delivered_twice", "delivered twice"),
    ("resends_dropped", "resends the provider dropped"),
    ("kills", "kill -9"),
    ("client_errors", "client retries"),
    ("refused_while_full", "refused while disk full"),
    ("outbox_alerts", "outbox alerts"),
    ("sealer_db_errors", "sealer DB-error events"),
    ("sealer_alive", "sealer survived"),
    ("verify_ok", "journal verifies"),
    ("backlog_at_recovery", "SMS backlog at recovery"),
    ("drain_seconds", "drain seconds"),
    ("drain_rate", "drain rate (SMS/s)"),
]


def problems(result: dict[str, Any]) -> list[str]:
    found = []
    if result["missing"]:
        found.append(f"{result['missing']} acknowledged alerts lost")
    if result["stored"] != result["acked"]:
        found.append(f"stored {result['stored']} != acknowledged {result['acked']}")
    if result["duplicates"]:
        found.append(f"{result['duplicates']} duplicate alerts")
    if result["registered_events"] != result["stored"]:
        found.append("ALERT_REGISTERED events != stored alerts")
    if result["sms_sent"] != result["sms_rows"]:
        found.append(f"{result['sms_rows'] - result['sms_sent']} SMS unsent")
    if result["delivered_unique"] != result["sms_rows"] or result["delivered_twice"]:
        found.append("SMS not delivered exactly once at the provider")
    if result["delivered_unknown"]:
        found.append("the provider delivered message ids the outbox does not know")
    if result["sms_sent_events"] != result["sms_sent"]:
        found.append("SMS_SENT events != sent rows")
    if not result["verify_ok"]:
        found.append("audit_verify failed")
    if not result.get("sealer_alive", True):
        found.append("the sealer died")
    return found


def report(results: list[dict[str, Any] | str]) -> bool:
    rows = [r for r in results if isinstance(r, dict)]
    width = max(len(title) for _, title in COLUMNS)
    print("\n" + " " * width + " | " + " | ".join(f"{r['label']:>20}" for r in rows))
    for key, title in COLUMNS:
        cells = []
        for r in rows:
            value = r.get(key, "")
            if isinstance(value, float):
                value = f"{value:.1f}"
            cells.append(f"{value!s:>20}")
        print(f"{title:<{width}} | " + " | ".join(cells))
    for note in (r for r in results if isinstance(r, str)):
        print(note)
    ok = True
    for r in rows:
        for problem in problems(r):
            ok = False
            print(f"FAIL {r['label']}: {problem}")
    print("\nfault suite:", "PASS" if ok else "FAIL")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--short", action="store_true", help="one kill of each, short outage")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-disk", action="store_true", help="skip the disk-full scenario")
    parser.add_argument("--keep", action="store_true", help="keep the var directories")
    args = parser.parse_args()
    plan = (
        Plan(args.clients, kill_rounds=1, kill_gap=2, outage=12, drain_timeout=120, disk=False)
        if args.short
        else Plan(args.clients, kill_rounds=2, kill_gap=4, outage=25, drain_timeout=300, disk=True)
    )
    results: list[dict[str, Any] | str] = []
    if args.db in ("sqlite", "both"):
        results.append(scenario_main("SQLite", None, plan, args.keep))
    if args.db in ("postgres", "both"):
        import psycopg

        base = os.environ.get("FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
        name = os.environ.get("FAULTS_DATABASE_NAME", "shoulian_faults")
        with psycopg.connect(base + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            results.append(scenario_main("PostgreSQL", base + name, plan, args.keep))
        finally:
            with psycopg.connect(base + "postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if plan.disk and not args.no_disk and args.db in ("sqlite", "both"):
        results.append(scenario_disk(plan, args.keep))
    raise SystemExit(0 if report(results) else 1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        command = sys.argv[1]
        if command == "_setup":
            print(json.dumps(bench.setup_fixtures()))
        elif command == "_status":
            print(json.dumps(child_status(float(sys.argv[2]) if len(sys.argv) > 2 else None)))
        elif command == "_verify":
            print(json.dumps(child_verify(sys.argv[2])))
        else:
            raise SystemExit(f"unknown child command {command}")
    else:
        main()
