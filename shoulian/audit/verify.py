"""The verifier (U4): is the stored journal the one the sealer signed, and if not, where does it break?

Checks, cheapest first:
1. structure: the searchable columns are still generated from the body, the append-only triggers
   are still there and enabled;
2. the chain: for every position, SHA-256(0x00 || stored leaf of position-1 || body) equals the
   stored leaf. Each check needs only stored values, so ranges are checked in parallel; the first
   failing position is exact for a modified, deleted, inserted or reordered event;
3. the checkpoints: every signature against the trusted keys (never keys from the database), every
   signed head against the stored leaf at its size, the latest root against the stored tree, and
   no leaf past the latest checkpoint (only the sealer writes leaves, always with a checkpoint);
4. checkpoints an auditor kept (``--checkpoint``): the journal must still contain them: a shorter
   log is a truncation, a different head a rewrite between the last matching checkpoint and it;
5. with ``full``, every stored Merkle node against the leaves (nodes only serve proofs; a wrong one
   makes a proof fail to verify, it can never make a false proof verify);
6. completeness: event rows with no leaf that the sealer has already passed (an anti-join; such a
   row was written beside the journal API and would never be sealed), reported with their ids, and
   unsealed rows (every sealed row too with ``full``) whose body fails the event schema.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections

from shoulian.audit import merkle, schema, signing
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import (
    GENERATED_COLUMNS,
    AuditCheckpoint,
    AuditEvent,
    AuditLeaf,
    AuditTreeNode,
)
from shoulian.audit.sealer import orphans, pending_events, unsealed_count
from shoulian.audit.tree import TILE, TILE_LEVEL, TreeIncomplete, TreeStore
from shoulian.audit.triggers import EVENT_TABLE, expected_triggers

_FETCH = 8192

_SCAN_SQL = {
    "sqlite": (
        "SELECT e.body, l.leaf_hash FROM audit_auditleaf l "
        "LEFT JOIN audit_auditevent e ON e.id = l.event_id "
        "WHERE l.position >= {p} AND l.position < {p} ORDER BY l.position"
    ),
    "postgresql": (
        "SELECT convert_to(e.body, 'UTF8'), l.leaf_hash FROM audit_auditleaf l "
        "LEFT JOIN audit_auditevent e ON e.id = l.event_id "
        "WHERE l.position >= {p} AND l.position < {p} ORDER BY l.position"
    ),
}
_COUNT_SQL = "SELECT count(*) FROM audit_auditleaf WHERE position >= {p} AND position < {p}"
_POSITIONS_SQL = "SELECT position FROM audit_auditleaf WHERE position >= {p} AND position < {p} ORDER BY position"
_PREV_SQL = "SELECT leaf_hash FROM audit_auditleaf WHERE position = {p}"


@dataclass(frozen=True)
class Finding:
    position: int | None
    message: str


@dataclass
class Report:
    tree_size: int = 0
    checkpoints: int = 0
    latest: signing.Checkpoint | None = None
    pending: int = 0
    horizon: int = 0
    findings: list[Finding] = field(default_factory=list)
    # Event ids without a leaf below what is sealed; (id, why) of bodies failing the schema.
    orphans: list[int] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_bad_position(self) -> int | None:
        positions = [f.position for f in self.findings if f.position is not None]
        return min(positions) if positions else None

    def add(self, position: int | None, message: str) -> None:
        self.findings.append(Finding(position, message))


# --- 2. the chain -------------------------------------------------------------------------------
def scan_rows(cursor: Any, lo: int, prev: bytes, horizon: int) -> tuple[int, str] | None:
    """The hot loop: one SHA-256 per event, nothing else. Positions are known to be contiguous."""
    sha256 = hashlib.sha256
    position = lo
    while True:
        rows = cursor.fetchmany(_FETCH)
        if not rows:
            return None
        for body, stored in rows:
            if body is None:
                if position >= horizon:
                    return position, "事件内容缺失（被删除）"
            elif sha256(b"\x00" + prev + body).digest() != stored:
                return position, "事件内容或顺序与哈希链不符（被修改、插入或调换）"
            prev = stored
            position += 1


def _param(vendor: str) -> str:
    return "?" if vendor == "sqlite" else "%s"


def _scan_with(raw: Any, vendor: str, lo: int, hi: int, horizon: int) -> tuple[int, str] | None:
    p = _param(vendor)
    cursor = raw.cursor()
    try:
        cursor.execute(_COUNT_SQL.format(p=p), [lo, hi])
        if cursor.fetchone()[0] != hi - lo:
            # Rare: find the hole itself, then stop there.
            cursor.execute(_POSITIONS_SQL.format(p=p), [lo, hi])
            expected = lo
            for (position,) in cursor.fetchall():
                if position != expected:
                    break
                expected += 1
            return expected, "序号缺失（日志叶子被删除）"
        prev = merkle.ZERO_HASH
        if lo > 0:
            cursor.execute(_PREV_SQL.format(p=p), [lo - 1])
            row = cursor.fetchone()
            if row is None:
                return lo - 1, "序号缺失（日志叶子被删除）"
            prev = bytes(row[0])
        if vendor == "sqlite":
            cursor.execute(_SCAN_SQL[vendor].format(p=p), [lo, hi])
            return scan_rows(cursor, lo, prev, horizon)
        # A server-side cursor: psycopg's ordinary cursor would pull the whole range into this
        # process before the first fetchmany. In autocommit (Django's own connection) the cursor
        # must outlive the implicit transaction of its DECLARE.
        with raw.cursor(name=f"audit_scan_{lo}_{hi}", withhold=raw.autocommit) as scan:
            scan.execute(_SCAN_SQL[vendor].format(p=p), [lo, hi])
            return scan_rows(scan, lo, prev, horizon)
    finally:
        cursor.close()


def _scan_worker(args: tuple[str, dict[str, Any], int, int, int]) -> tuple[int, str] | None:
    vendor, params, lo, hi, horizon = args
    if vendor == "sqlite":
        raw: Any = sqlite3.connect(f"file:{params['path']}?mode=ro", uri=True)
        raw.text_factory = bytes
    else:
        import psycopg

        raw = psycopg.connect(**params)
    try:
        return _scan_with(raw, vendor, lo, hi, horizon)
    finally:
        raw.close()


def _worker_params() -> dict[str, Any]:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"path": settings["NAME"]}
    params = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
    }
    # TLS and other connection options (sslmode, sslrootcert …) that dj-database-url puts here.
    options = {
        k: v
        for k, v in (settings.get("OPTIONS") or {}).items()
        if k not in {"pool", "isolation_level", "server_side_binding", "assume_role"}
    }
    return {**options, **{k: v for k, v in params.items() if v is not None}}


def _ranges(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    step = max(TILE, -(-(hi - lo) // parts))
    return [(a, min(a + step, hi)) for a in range(lo, hi, step)]


def scan_chain(size: int, horizon: int, workers: int = 1) -> tuple[int, str] | None:
    """Check every link from ``horizon`` on; return (first bad position, why) or None."""
    start = min(horizon, size)
    if start >= size:
        return None
    vendor = connection.vendor
    parallel = (
        workers > 1
        and size - start >= 4 * TILE * workers
        and not connection.in_atomic_block
        and not (vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]
    )
    if parallel:
        params = _worker_params()
        # Children open their own connections; the parent's must not be shared across fork.
        connections.close_all()
        jobs = [(vendor, params, a, b, horizon) for a, b in _ranges(start, size, workers * 4)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_scan_worker, jobs)
        failures = [r for r in results if r is not None]
        return min(failures) if failures else None
    connection.ensure_connection()
    raw = connection.connection
    if vendor == "sqlite":
        previous = raw.text_factory
        raw.text_factory = bytes
        try:
            return _scan_with(raw, vendor, start, size, horizon)
        finally:
            raw.text_factory = previous
    return _scan_with(raw, vendor, start, size, horizon)


# --- 1. structure -------------------------------------------------------------------------------
def check_structure(report: Report) -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(f"PRAGMA table_xinfo({EVENT_TABLE})")
            generated = {row[1] for row in cursor.fetchall() if row[6] in (2, 3)}
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [EVENT_TABLE])
            row = cursor.fetchone()
            ddl = row[0] if row else ""
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            enabled = {r[0] for r in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT column_name, generation_expression FROM information_schema.columns "
                "WHERE table_name = %s AND is_generated = 'ALWAYS'",
                [EVENT_TABLE],
            )
            rows = cursor.fetchall()
            generated = {r[0] for r in rows}
            ddl = " ".join(f"{r[0]} {r[1]}" for r in rows)
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN (SELECT oid FROM pg_class WHERE relname LIKE 'audit\\_%%')"
            )
            enabled = {r[0] for r in cursor.fetchall()}
    for column in GENERATED_COLUMNS:
        if column not in generated or not re.search(rf"'\$?\.?{column}'", ddl):
            report.add(None, f"检索列 {column} 不再由事件内容生成（表结构被改动）")
    if "scope_path" not in generated or "subject_unit_path'" not in ddl:
        report.add(None, "检索列 scope_path 不再由事件内容生成（表结构被改动）")
    missing = sorted(set(expected_triggers(vendor)) - enabled)
    if missing:
        report.add(None, f"只追加触发器缺失或被停用：{', '.join(missing)}")


# --- 3 and 4. checkpoints -----------------------------------------------------------------------
def purge_horizon() -> int:
    """Positions below this had their bodies purged after the retention period. Only a purge event
    that is itself sealed counts, or an inserted one could excuse a deletion."""
    horizon = 0
    sealed = AuditLeaf.objects.values_list("event_id", "position")
    events = AuditEvent.objects.filter(event_type=EventType.JOURNAL_PURGED)
    positions = dict(sealed.filter(event_id__in=events.values("id")))
    for event in events:
        through = int(event.data.get("through_position") or 0)
        position = positions.get(event.pk)
        if position is not None and position >= through:
            horizon = max(horizon, through)
    return horizon


def _head_mismatch(report: Report, checkpoint: signing.Checkpoint, good: int, what: str) -> None:
    """The stored leaf under a signed head differs. If the stored predecessor and body still hash
    to the signed head, everything before is the signed history (the head commits to it) and only
    the stored leaf hash was altered: the position is exact. Otherwise the rewrite lies somewhere
    after the last checkpoint that still matched, and that is the most the data can tell."""
    last = checkpoint.tree_size - 1
    if _leaf_at(last) is None:
        report.add(last, f"序号 {last} 的日志叶子缺失（{what}覆盖至此）")
        return
    body = (
        AuditEvent.objects.filter(id__in=AuditLeaf.objects.filter(position=last).values("event_id"))
        .values_list("body", flat=True)
        .first()
    )
    prev = _leaf_at(last - 1) if last else merkle.ZERO_HASH
    if body is not None and prev is not None:
        if merkle.leaf_hash(prev, body.encode("ascii")) == checkpoint.head_hash:
            report.add(last, f"序号 {last} 的叶子哈希与{what}不符（被改写）")
            return
    report.add(good, f"序号 {good} 至 {last} 之间的日志与{what}不符（被重写）")


def _leaf_at(position: int) -> bytes | None:
    value = AuditLeaf.objects.filter(position=position).values_list("leaf_hash", flat=True).first()
    return None if value is None else bytes(value)


def check_checkpoints(report: Report, keys: dict[bytes, Any]) -> None:
    size = report.tree_size
    rows = list(
        AuditCheckpoint.objects.order_by("tree_size").values_list(
            "tree_size", "root_hash", "head_hash", "note"
        )
    )
    heads = dict(
        AuditLeaf.objects.filter(position__in=[r[0] - 1 for r in rows]).values_list(
            "position", "leaf_hash"
        )
    )
    report.checkpoints = len(rows)
    good = 0
    last_time = -1
    latest: signing.Checkpoint | None = None
    for tree_size, root_hash, head_hash, note in rows:
        try:
            checkpoint = signing.open_checkpoint(note, keys)
        except signing.CheckpointInvalid as exc:
            report.add(good, f"检查点（{tree_size}）无效：{exc}")
            continue
        if (checkpoint.tree_size, checkpoint.root_hash, checkpoint.head_hash) != (
            tree_size,
            bytes(root_hash),
            bytes(head_hash),
        ):
            report.add(good, f"检查点（{tree_size}）的记录与其签名内容不符")
            continue
        if checkpoint.signed_us < last_time:
            report.add(good, f"检查点（{tree_size}）的签署时间早于前一个检查点")
        last_time = checkpoint.signed_us
        latest = checkpoint
        if tree_size > size:
            report.add(size, f"日志被截断：检查点覆盖 {tree_size} 条，现存 {size} 条")
            continue
        stored = heads.get(tree_size - 1)
        if stored is None or bytes(stored) != checkpoint.head_hash:
            _head_mismatch(report, checkpoint, good, "签名检查点")
            continue
        good = tree_size
    report.latest = latest
    signed_size = latest.tree_size if latest else 0
    if size > signed_size:
        report.add(
            signed_size,
            f"序号 {signed_size} 起的 {size - signed_size} 条日志没有检查点签名（不是封存程序写入）",
        )
    if latest is not None and latest.tree_size <= size:
        try:
            if TreeStore().root(latest.tree_size) != latest.root_hash:
                report.add(None, "默克尔树节点与最新检查点的根哈希不符（无法导出证明）")
        except TreeIncomplete as exc:
            report.add(None, f"默克尔树不完整：{exc}")


def check_external(report: Report, notes: Sequence[str], keys: dict[bytes, Any]) -> None:
    opened: list[signing.Checkpoint] = []
    for note in notes:
        try:
            opened.append(signing.open_checkpoint(note, keys))
        except signing.CheckpointInvalid as exc:
            report.add(None, f"外部检查点无效：{exc}")
    good = 0
    for checkpoint in sorted(opened, key=lambda c: c.tree_size):
        if checkpoint.tree_size > report.tree_size:
            report.add(
                report.tree_size,
                f"日志被截断：外部检查点覆盖 {checkpoint.tree_size} 条，现存 {report.tree_size} 条",
            )
            continue
        if checkpoint.tree_size == 0:
            continue
        if _leaf_at(checkpoint.tree_size - 1) != checkpoint.head_hash:
            _head_mismatch(report, checkpoint, good, f"外部检查点（{checkpoint.tree_size}）")
            continue
        try:
            root_ok = TreeStore().root(checkpoint.tree_size) == checkpoint.root_hash
        except TreeIncomplete:
            root_ok = False
        if not root_ok:
            report.add(None, f"默克尔树与外部检查点（{checkpoint.tree_size}）的根哈希不符")
        good = checkpoint.tree_size


# --- 5. nodes -----------------------------------------------------------------------------------
def check_nodes(report: Report) -> None:
    stored = {
        (level, index): bytes(h)
        for level, index, h in AuditTreeNode.objects.values_list("level", "index", "node_hash")
    }
    expected: dict[tuple[int, int], bytes] = {}
    tile: list[bytes] = []
    index = 0
    for digest in (
        AuditLeaf.objects.order_by("position")
        .values_list("leaf_hash", flat=True)
        .iterator(chunk_size=TILE * 64)
    ):
        tile.append(bytes(digest))
        if len(tile) == TILE:
            expected[(TILE_LEVEL, index)] = merkle.root(tile)
            tile, index = [], index + 1
    level = TILE_LEVEL
    while True:
        below = [expected[(level, i)] for i in range(index)]
        level, index = level + 1, index // 2
        if index == 0:
            break
        for i in range(index):
            expected[(level, i)] = merkle.node_hash(below[2 * i], below[2 * i + 1])
    for key in sorted(set(stored) | set(expected)):
        if stored.get(key) != expected.get(key):
            report.add(key[1] << key[0], f"默克尔树节点 {key} 与日志叶子不符")
            break


# --- 6. completeness ----------------------------------------------------------------------------
_SHOWN = 20


def check_completeness(report: Report, last: AuditCheckpoint | None, full: bool) -> None:
    report.orphans = list(orphans(last).values_list("id", flat=True))
    if report.orphans:
        shown = ", ".join(str(i) for i in report.orphans[:_SHOWN])
        more = " …" if len(report.orphans) > _SHOWN else ""
        report.add(
            None,
            f"{len(report.orphans)} 条事件没有日志序号却位于已封存范围内（绕过日志接口写入，"
            f"永远不会被封存）：id {shown}{more}",
        )
    sources: list[Any]
    if full:
        sources = [AuditEvent.objects.order_by("id")]
    else:
        unsealed, _horizon = pending_events(last)
        sources = [unsealed.order_by("id"), AuditEvent.objects.filter(id__in=report.orphans)]
    seen: set[int] = set()
    for source in sources:
        for event_id, body in source.values_list("id", "body").iterator(chunk_size=2000):
            if event_id in seen:
                continue
            seen.add(event_id)
            why = schema.body_problem(body)
            if why is not None:
                report.malformed.append((event_id, why))
    report.malformed.sort()
    for event_id, why in report.malformed[:_SHOWN]:
        report.add(None, f"事件 id {event_id} 的内容不符合事件格式：{why}")
    if len(report.malformed) > _SHOWN:
        report.add(None, f"另有 {len(report.malformed) - _SHOWN} 条事件的内容不符合事件格式")


# --- the whole run ------------------------------------------------------------------------------
def verify(
    *,
    external: Iterable[str] = (),
    full: bool = False,
    workers: int = 1,
) -> Report:
    report = Report()
    keys = signing.trusted_keys()
    if not keys:
        report.add(
            None, "没有受信任的公钥：无法校验检查点签名（缺少签名密钥或 AUDIT_TRUSTED_PUBLIC_KEYS）"
        )
    check_structure(report)
    top = AuditLeaf.objects.order_by("-position").values_list("position", flat=True).first()
    report.tree_size = 0 if top is None else top + 1
    report.horizon = purge_horizon()
    last = AuditCheckpoint.objects.order_by("-tree_size").first()
    report.pending = unsealed_count(last)
    check_completeness(report, last, full)
    check_checkpoints(report, keys)
    check_external(report, list(external), keys)
    if full:
        check_nodes(report)
    broken = scan_chain(report.tree_size, report.horizon, workers=workers)
    if broken is not None:
        report.add(*broken)
    return report


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
