"""Page benchmark of issue 14: every staff list page, and the workflow page of one alert, as each
demo role that can see it, on a large database and on a 10 k one, in the same run. Not a test.

For every demo login and every menu entry shown to it (``core.navigation``), the page is requested
as that user in-process (Django's test client, so "server time" is the view, its middleware and
its template, without the network): first page, last page (the highest ``page=`` link on the first
page), each search box with an alert number, and each filter of a GET form (the first values of
every ``<select>``). Each variant is requested ``--repeat`` times; printed per page: median and p95
server time, query count and the slowest statement; then the same at 10 k alerts and the ratio.
Thresholds (issue 14): p95 ≤ 200 ms on PostgreSQL, ≤ 300 ms on SQLite, and ≤ 2× the 10 k time.
Exit status 1 when a page misses one.

    .venv/bin/python bench/pages.py --alerts 200000 --sqlite bench/var/pages.sqlite3 \
        --template bench/var/template.sqlite3
    .venv/bin/python bench/pages.py --alerts 1000000 --pg shoulian_bench_pages \
        --template shoulian_bench_template
    .venv/bin/python bench/pages.py --reuse ...     # both databases already built

Each database is measured in its own process (``--measure``), so Django points at one database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate as gen  # noqa: E402
from bench.patrol import QueryLog, build  # noqa: E402

SMALL = 10_000
MAX_VARIANTS = 8  # per page and user: first, last, search, filters
LABEL = ""  # the measured database, in the progress lines


# --- Measuring one database (child process) -------------------------------------------------------


def login(user: Any) -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from shoulian.accounts.middleware import SESSION_EPOCH, SESSION_ROLES

    client = Client()
    client.force_login(user, backend="shoulian.accounts.backends.StaffBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SESSION_EPOCH] = user.session_epoch
    session[SESSION_ROLES] = sorted(user.role_set)
    session.save()
    return client


def variants(html: str, url: str, number: str) -> list[tuple[str, str]]:
    """(label, url) of the first page's last page, search and filters."""
    out: list[tuple[str, str]] = []
    pages = [int(p) for p in re.findall(r"[?&](?:amp;)?page=(\d+)", html)]
    # Pagers print "3 / 120": the last page is not always linked from the first.
    pages += [int(p) for p in re.findall(r">\s*\d+\s*/\s*(\d+)\s*<", html)]
    if pages and max(pages) > 1:
        out.append(("last page", f"{url}?page={max(pages)}"))
    elif re.search(r"[?&](?:amp;)?last=1", html):
        # Keyset pages (shoulian.core.paging): the oldest page is linked as last=1.
        out.append(("last page", f"{url}?last=1"))
    if re.search(r'name="q"', html):
        out.append(("search number", f"{url}?q={number}"))
    for form in re.findall(r"<form[^>]*method=\"get\"[^>]*>(.*?)</form>", html, re.S | re.I):
        for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
            values = [v for v in re.findall(r'<option[^>]*value="([^"]*)"', body) if v]
            for value in values[:2]:
                out.append((f"{name}={value}", f"{url}?{name}={value}"))
    return out[: MAX_VARIANTS - 1]


def time_get(client: Any, url: str, repeat: int) -> dict[str, Any]:
    from django.db import connection

    times: list[float] = []
    cpu: list[float] = []
    log = QueryLog()
    status = 0
    for _ in range(repeat):
        log = QueryLog()  # the last request's statements are reported
        with connection.execute_wrapper(log):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        status = response.status_code
    times.sort()
    return {
        "status": status,
        "median": statistics.median(times),
        "p95": times[max(0, round(len(times) * 0.95) - 1)],
        # This process's CPU time: the whole request on SQLite, the Python side on PostgreSQL.
        # On a loaded machine it is the closer estimate of the time on a quiet one.
        "cpu": statistics.median(cpu),
        "queries": log.count,
        "slowest_ms": log.slowest_s * 1000,
        "slowest": " ".join(log.slowest_sql.split())[:600],
        "html": response.content.decode(errors="replace") if status == 200 else "",
    }


def measure(repeat: int, logins: list[str]) -> dict[str, Any]:
    from django.urls import NoReverseMatch, reverse

    from shoulian.accounts.models import User
    from shoulian.core.navigation import _items
    from shoulian.intake.models import Alert
    from shoulian.org.demo import DEMO_LOGINS

    results: dict[str, Any] = {}
    newest = Alert.objects.order_by("-received_at", "-id").first()
    assert newest is not None
    for role, username in DEMO_LOGINS:
        if logins and username not in logins:
            continue
        user = User.objects.select_related("unit").get(username=username)
        client = login(user)
        who = f"{role}:{username}"
        kind = user.unit.kind if user.unit else None
        seen: set[str] = set()
        for item in _items:
            if not item.shown_to(user.role_set, kind) or item.url_name in seen:
                continue
            seen.add(item.url_name)
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            first = time_get(client, url, repeat)
            html = first.pop("html")
            results[f"{url} | {who} | first page"] = show(f"{url} | {who} | first page", first)
            for label, variant in variants(html, url, newest.number):
                r = time_get(client, variant, repeat)
                r.pop("html")
                results[f"{url} | {who} | {label}"] = show(f"{url} | {who} | {label}", r)
        # The workflow page of one alert the user can see: the newest of the own unit's, else the
        # newest of the bureau.
        mine = Alert.objects.visible_to(user).order_by("-received_at", "-id").first()
        alert = mine or newest
        url = reverse("workflow:alert", args=[alert.pk])
        r = time_get(client, url, repeat)
        r.pop("html")
        key = f"/workflow/alerts/<pk>/ | {who} | alert {alert.pk}"
        results[key] = show(key, r)
    return results


def show(key: str, r: dict[str, Any]) -> dict[str, Any]:
    """One measured page on stderr as soon as it is measured (a long run shows its progress)."""
    print(
        f"[{LABEL}] {key}: median {r['median']:.0f} ms, p95 {r['p95']:.0f} ms, "
        f"cpu {r['cpu']:.0f} ms, {r['queries']} queries, status {r['status']}, slowest "
        f"{r['slowest_ms']:.0f} ms {r['slowest'][:120]}; load {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
        flush=True,
    )
    return r


# --- Orchestration ------------------------------------------------------------------------------


def exists(db_args: list[str]) -> bool:
    if db_args[0] == "--sqlite":
        return Path(db_args[1]).exists()
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL", gen.PG_BASE).rstrip("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_args[1]])
        return row.fetchone() is not None


def child(
    args: argparse.Namespace, db_args: list[str], alerts: int, template: str | None, reuse: bool
) -> subprocess.Popen[str]:
    """Start the measuring process of one database; its stderr (each page as it is measured)
    goes straight to ours."""
    cmd = [sys.executable, __file__, "--measure", "--alerts", str(alerts), *db_args]
    cmd += ["--repeat", str(args.repeat), "--units", str(args.units), "--seed", str(args.seed)]
    cmd += ["--logins", args.logins]
    if reuse:
        cmd.append("--reuse")
    if template:
        cmd += ["--template", template]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def collect(process: subprocess.Popen[str]) -> Any:
    out, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, process.args))}")  # type: ignore[arg-type]
    head, _, body = out.partition("\nRESULTS ")
    print(head)
    return json.loads(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=0)
    parser.add_argument("--seed", type=int, default=20220305)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--template")
    parser.add_argument("--logins", default="", help="comma-separated demo usernames (default all)")
    parser.add_argument("--reuse", action="store_true", help="the large database is built")
    parser.add_argument("--out", help="also write both result sets to this JSON file")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sqlite")
    where.add_argument("--pg")
    args = parser.parse_args()

    if args.measure:
        # The in-process client is "testserver" over plain HTTP.
        os.environ.setdefault("SHOULIAN_ALLOWED_HOSTS", "testserver")
        os.environ.setdefault("SHOULIAN_HTTPS", "0")
        build(args)
        from django.db import connection

        from shoulian.intake.models import Alert

        print(
            f"measuring {connection.vendor} at {Alert.objects.count():,} alerts; load {os.getloadavg()[0]:.1f}"
        )
        global LABEL
        LABEL = f"{connection.vendor} {Alert.objects.count():,}"
        results = measure(args.repeat, [u for u in args.logins.split(",") if u])
        print(f"measured; load {os.getloadavg()[0]:.1f}")
        print("RESULTS " + json.dumps(results, ensure_ascii=False))
        return

    if args.pg:
        big_db, small_db = ["--pg", args.pg], ["--pg", args.pg + "_10k"]
        limit = 200.0
    else:
        path = args.sqlite or str(gen.VAR / "pages.sqlite3")
        big_db, small_db = (
            ["--sqlite", path],
            ["--sqlite", path.replace(".sqlite3", "") + "_10k.sqlite3"],
        )
        limit = 300.0
    # The 10 k database is built once and kept; the large one unless --reuse. Built one after
    # the other; with both built (--reuse), measured side by side, each in its own process.
    small_proc = child(args, small_db, SMALL, args.template, exists(small_db))
    small = None
    if not (args.reuse and exists(small_db)):
        # Read its results before the large one starts: a child whose results outgrow the pipe
        # blocks on writing them, and waiting for it without reading hung the run.
        small = collect(small_proc)
    big = collect(child(args, big_db, args.alerts, args.template, args.reuse))
    if small is None:
        small = collect(small_proc)
    if args.out:
        Path(args.out).write_text(json.dumps({"big": big, "small": small}, ensure_ascii=False))
    failures = 0
    print(
        f"\n{'page | user | variant':<78} {'median':>8} {'p95':>8} {'cpu':>6} {'q':>4} "
        f"{'10k p95':>8} {'ratio':>6}  slowest statement"
    )
    for key, r in big.items():
        s = small.get(key)
        ratio = r["p95"] / s["p95"] if s and s["p95"] else float("nan")
        bad = r["status"] != 200 or r["p95"] > limit or (s is not None and ratio > 2)
        failures += bad
        print(
            f"{'✗ ' if bad else '  '}{key[:76]:<76} {r['median']:8.0f} {r['p95']:8.0f} "
            f"{r.get('cpu', 0):6.0f} "
            f"{r['queries']:4d} {s['p95'] if s else float('nan'):8.0f} {ratio:6.2f}  "
            f"{r['slowest_ms']:.0f} ms {r['slowest'][:90]}"
        )
    print(
        f"\n{failures} of {len(big)} page variants miss p95 ≤ {limit:.0f} ms or ≤ 2× the 10 k time"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
