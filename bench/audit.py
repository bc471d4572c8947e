"""Benchmarks of the audit journal (issue 3). Not tests: numbers and ratios, printed.

Each target is a ratio against a baseline measured in the same run on the same machine:

1. serialise + hash per event  vs  a bare json.dumps + hashlib.sha256 of the same event
   (target: ≤ 2×, and ≤ 5 µs);
2. verification from SQLite  vs  recomputing the same hashes from memory
   (target: ≥ 35 %, and ≥ 1 M events/s);
3. 8 concurrent writers on PostgreSQL  vs  1 writer (target: ≥ 1.5×); the naive "lock the chain
   head row" design is measured alongside to show what the sealer design avoids;
4. sealing lag, commit → covered by a signed checkpoint, under the 8-writer load (target: p99 ≤ 2 s).

    .venv/bin/python bench/audit.py [--events 1000000] [--seconds 8] [--skip-postgres]

PostgreSQL is reached through BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/)
and gets a throwaway database ``audit_bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(extra_env: dict[str, str]) -> None:
    os.environ.update(extra_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SHOULIAN_SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()


def sample_fields(k: int) -> dict[str, Any]:
    return {
        "event_type": 2002,
        "occurred_us": 1_767_225_600_000_000 + k,
        "actor_id": 1000 + k % 97,
        "actor_username": f"officer{k % 97}",
        "actor_roles": "leader,officer",
        "actor_unit_id": 17,
        "actor_unit_path": "/1/4/17/",
        "source_ip": "10.20.30.40",
        "channel": "web",
        "request_id": f"{k:032x}",
        "object_type": "alert",
        "object_id": str(500_000 + k),
        "outcome": "success",
        "data": {"changed": {"status": {"from": "routed", "to": "signed"}}, "unit": "350427"},
    }


# --- 1. serialise + hash -------------------------------------------------------------------------
def phase_serialise(n: int) -> dict[str, Any]:
    import hashlib

    from shoulian.audit import canonical, merkle

    events = [sample_fields(k) for k in range(n)]
    best_ours = best_bare = float("inf")
    for _ in range(5):
        prev = merkle.ZERO_HASH
        start = time.perf_counter()
        for fields in events:
            body = canonical.event_body(**{**fields, "data": canonical.clean(fields["data"])})
            prev = merkle.leaf_hash(prev, body.encode("ascii"))
        best_ours = min(best_ours, time.perf_counter() - start)
        start = time.perf_counter()
        for fields in events:
            hashlib.sha256(json.dumps(fields).encode()).digest()
        best_bare = min(best_bare, time.perf_counter() - start)
    return {
        "ours_us": best_ours / n * 1e6,
        "bare_us": best_bare / n * 1e6,
        "ratio": best_ours / best_bare,
    }


# --- 2. verification from SQLite -----------------------------------------------------------------
def phase_verify(n: int, workdir: str) -> dict[str, Any]:
    setup_django(
        {
            "SHOULIAN_VAR_DIR": workdir,
            "SHOULIAN_SQLITE_PATH": str(Path(workdir) / "bench.sqlite3"),
            "SHOULIAN_LOG_LEVEL": "WARNING",
        }
    )
    import hashlib

    from django.core.management import call_command
    from django.db import connection

    from shoulian.audit import canonical, sealer, signing, verify

    call_command("migrate", verbosity=0)
    signing.generate_key()
    from django.db import transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for base in range(0, n, 50_000):
            bodies = [
                (
                    canonical.event_body(
                        **{**sample_fields(k), "data": canonical.clean(sample_fields(k)["data"])}
                    ),
                )
                for k in range(base, min(base + 50_000, n))
            ]
            cursor.executemany("INSERT INTO audit_auditevent (body) VALUES (%s)", bodies)
    insert_s = time.perf_counter() - start
    start = time.perf_counter()
    sealer.seal_all(batch=100_000)
    seal_s = time.perf_counter() - start

    connection.ensure_connection()
    raw = connection.connection
    raw.text_factory = bytes
    rows = raw.execute(
        "SELECT e.body, l.leaf_hash FROM audit_auditleaf l JOIN audit_auditevent e "
        "ON e.id = l.event_id ORDER BY l.position"
    ).fetchall()
    raw.text_factory = str
    sha256 = hashlib.sha256
    best_memory = float("inf")
    for _ in range(3):
        prev = b"\x00" * 32
        started = time.perf_counter()
        for body, stored in rows:
            if sha256(b"\x00" + prev + body).digest() != stored:
                raise AssertionError("bench journal is broken")
            prev = stored
        best_memory = min(best_memory, time.perf_counter() - started)
    del rows

    results: dict[str, Any] = {"events": n, "insert_per_s": n / insert_s, "seal_per_s": n / seal_s}
    results["memory_per_s"] = n / best_memory
    for workers in (1, 2):
        best_scan = best_full = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            assert verify.scan_chain(n, 0, workers=workers) is None
            best_scan = min(best_scan, time.perf_counter() - started)
            started = time.perf_counter()
            report = verify.verify(workers=workers)
            best_full = min(best_full, time.perf_counter() - started)
            assert report.ok, report.findings
        results[f"scan_w{workers}_per_s"] = n / best_scan
        results[f"verify_w{workers}_per_s"] = n / best_full
    return results


# --- 3 and 4. PostgreSQL writers and sealing lag -------------------------------------------------
def _writer(args: tuple[str, float, bool]) -> list[tuple[int, int]]:
    mode, seconds, keep = args
    from django.db import connection, transaction

    from shoulian.audit.catalogue import EventType
    from shoulian.audit.journal import record

    done: list[tuple[int, int]] = []
    deadline = time.monotonic() + seconds
    k = os.getpid() * 1_000_000
    while time.monotonic() < deadline:
        k += 1
        with transaction.atomic():
            if mode == "journal":
                event = record(
                    EventType.USER_UPDATED,
                    obj=("alert", str(k)),
                    data={"changed": {"status": {"from": "routed", "to": "signed"}}},
                )
                event_id = event.pk
            else:
                event_id = _hot_row_write(connection, k)
        if keep:
            done.append((event_id, time.time_ns() // 1000))
        else:
            done.append((0, 0))
    connection.close()
    return done


def _hot_row_write(connection: Any, k: int) -> int:
    """The design we did not build: every writer reads and bumps one chain-head row."""
    import hashlib

    with connection.cursor() as cursor:
        cursor.execute("SELECT head FROM bench_chain_head WHERE id = 1 FOR UPDATE")
        head = bytes(cursor.fetchone()[0])
        body = json.dumps(sample_fields(k), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(b"\x00" + head + body.encode()).digest()
        cursor.execute(
            "INSERT INTO bench_chained (body, digest) VALUES (%s, %s) RETURNING id", [body, digest]
        )
        new_id = int(cursor.fetchone()[0])
        cursor.execute("UPDATE bench_chain_head SET head = %s WHERE id = 1", [digest])
    return new_id


def _run_writers(
    mode: str, writers: int, seconds: float, keep: bool = False
) -> list[tuple[int, int]]:
    import multiprocessing

    from django.db import connections

    connections.close_all()
    with multiprocessing.get_context("fork").Pool(writers) as pool:
        parts = pool.map(_writer, [(mode, seconds, keep)] * writers)
    return [item for part in parts for item in part]


def phase_postgres(seconds: float, url: str) -> dict[str, Any]:
    import psycopg

    admin = psycopg.connect(url + "postgres", autocommit=True)
    admin.execute("DROP DATABASE IF EXISTS audit_bench")
    admin.execute("CREATE DATABASE audit_bench")
    admin.close()
    workdir = tempfile.mkdtemp(prefix="audit-bench-pg-")
    setup_django(
        {
            "DATABASE_URL": url + "audit_bench",
            "SHOULIAN_VAR_DIR": workdir,
            "SHOULIAN_LOG_LEVEL": "WARNING",
        }
    )
    from django.core.management import call_command
    from django.db import connection

    from shoulian.audit import signing, verify
    from shoulian.audit.models import AuditCheckpoint, AuditLeaf

    call_command("migrate", verbosity=0)
    signing.generate_key()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_chain_head (id int PRIMARY KEY, head bytea NOT NULL)")
        cursor.execute("INSERT INTO bench_chain_head VALUES (1, %s)", [bytes(32)])
        cursor.execute(
            "CREATE TABLE bench_chained (id bigserial PRIMARY KEY, body text, digest bytea)"
        )

    results: dict[str, Any] = {}
    for mode in ("journal", "hot_row"):
        for writers in (1, 8):
            count = len(_run_writers(mode, writers, seconds))
            results[f"{mode}_w{writers}_per_s"] = count / seconds
        results[f"{mode}_ratio"] = results[f"{mode}_w8_per_s"] / results[f"{mode}_w1_per_s"]

    # Sealing lag: the sealer loop runs beside eight writers for the same time.
    sealer_proc = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "audit_sealer", "--interval", "0.2"],
        env={**os.environ},
    )
    try:
        time.sleep(1.0)
        committed = _run_writers("journal", 8, seconds, keep=True)
        time.sleep(2.5)
    finally:
        sealer_proc.terminate()
        sealer_proc.wait(10)
    positions = dict(
        AuditLeaf.objects.filter(event_id__in=[e for e, _ in committed]).values_list(
            "event_id", "position"
        )
    )
    checkpoints = list(
        AuditCheckpoint.objects.order_by("tree_size").values_list("tree_size", "signed_us")
    )
    sizes = [size for size, _ in checkpoints]
    import bisect

    lags = []
    unsealed = 0
    for event_id, committed_us in committed:
        position = positions.get(event_id)
        if position is None:
            unsealed += 1
            continue
        covering = checkpoints[bisect.bisect_right(sizes, position)]
        lags.append(max(0, covering[1] - committed_us) / 1e6)
    lags.sort()
    results["lag_events"] = len(committed)
    results["lag_unsealed"] = unsealed
    results["lag_p50_s"] = statistics.median(lags)
    results["lag_p99_s"] = lags[int(len(lags) * 0.99) - 1]
    results["lag_max_s"] = lags[-1]
    results["checkpoints"] = len(checkpoints)
    started = time.perf_counter()
    report = verify.verify(workers=2)
    results["pg_verify_per_s"] = report.tree_size / (time.perf_counter() - started)
    results["pg_verify_ok"] = report.ok
    connection.close()
    admin = psycopg.connect(url + "postgres", autocommit=True)
    admin.execute("DROP DATABASE IF EXISTS audit_bench")
    admin.close()
    return results


# --- driver -------------------------------------------------------------------------------------
def run_phase(name: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--phase", name, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{out.stdout}\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def verdict(ok: bool) -> str:
    return "达标 PASS" if ok else "未达标 FAIL"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")

    if args.phase == "serialise":
        setup_django({"SHOULIAN_VAR_DIR": tempfile.mkdtemp(prefix="audit-bench-")})
        print(json.dumps(phase_serialise(50_000)))
        return
    if args.phase == "verify":
        print(json.dumps(phase_verify(args.events, args.workdir)))
        return
    if args.phase == "postgres":
        print(json.dumps(phase_postgres(args.seconds, url)))
        return

    print(f"audit journal benchmarks · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} CPU")
    s = run_phase("serialise")
    print("\n1. serialise + hash per event (50 000 events, best of 5)")
    print(
        f"   ours {s['ours_us']:.2f} µs · bare json.dumps+sha256 {s['bare_us']:.2f} µs · ratio {s['ratio']:.2f}×"
    )
    print(f"   target ≤ 2× bare: {verdict(s['ratio'] <= 2)}")
    print(
        f"   target ≤ 5 µs absolute: {verdict(s['ours_us'] <= 5)} "
        f"(bare json.dumps + sha256 alone takes {s['bare_us']:.2f} µs on this machine)"
    )

    with tempfile.TemporaryDirectory(prefix="audit-bench-") as workdir:
        v = run_phase("verify", "--events", str(args.events), "--workdir", workdir)
    best = max(v["verify_w1_per_s"], v["verify_w2_per_s"])
    print(f"\n2. verification from SQLite ({v['events']:,} events)")
    print(f"   build: insert {v['insert_per_s']:,.0f}/s · seal+sign {v['seal_per_s']:,.0f}/s")
    print(f"   in-memory recompute (baseline) {v['memory_per_s']:,.0f}/s")
    for w in (1, 2):
        print(
            f"   {w} worker(s): chain scan {v[f'scan_w{w}_per_s']:,.0f}/s "
            f"({v[f'scan_w{w}_per_s'] / v['memory_per_s']:.0%} of baseline) · whole verify "
            f"{v[f'verify_w{w}_per_s']:,.0f}/s"
        )
    print(
        f"   target (whole verify, best) ≥ 35 % of baseline and ≥ 1 M/s: "
        f"{verdict(best >= 0.35 * v['memory_per_s'] and best >= 1_000_000)}"
    )

    if args.skip_postgres:
        return
    p = run_phase("postgres", "--seconds", str(args.seconds))
    print(f"\n3. PostgreSQL writers ({args.seconds:.0f} s each, one transaction per event)")
    print(
        f"   journal: 1 writer {p['journal_w1_per_s']:,.0f}/s · 8 writers {p['journal_w8_per_s']:,.0f}/s "
        f"· ratio {p['journal_ratio']:.2f}×   target ≥ 1.5×: {verdict(p['journal_ratio'] >= 1.5)}"
    )
    print(
        f"   (hot-row chain head, not built: 1 writer {p['hot_row_w1_per_s']:,.0f}/s · "
        f"8 writers {p['hot_row_w8_per_s']:,.0f}/s · ratio {p['hot_row_ratio']:.2f}×)"
    )
    print(
        f"\n4. sealing lag under 8 writers ({p['lag_events']:,} events, {p['checkpoints']} checkpoints)"
    )
    print(
        f"   p50 {p['lag_p50_s']:.3f} s · p99 {p['lag_p99_s']:.3f} s · max {p['lag_max_s']:.3f} s · "
        f"unsealed {p['lag_unsealed']}   target p99 ≤ 2 s: {verdict(p['lag_p99_s'] <= 2)}"
    )
    print(
        f"   PostgreSQL verify afterwards: {p['pg_verify_per_s']:,.0f}/s, intact={p['pg_verify_ok']}"
    )


if __name__ == "__main__":
    main()
