"""The sealer: orders committed events into the log and signs a checkpoint over them.

Writers only insert events. The sealer, a single process at a time, takes the committed events
that have no position yet, gives them the next positions, chains their leaf hashes, stores the
Merkle nodes that became complete and signs the new tree head, all in one transaction. Because
leaves and checkpoint are written together, the stored log never extends past the latest
checkpoint: a leaf beyond it was not written by the sealer, and the sealer refuses to sign it.

Which events are "committed and not yet sealed" without a shared counter:
- SQLite has one writer at a time, so event ids grow in commit order: everything after the last
  sealed event id.
- PostgreSQL commits concurrently, so ids do not follow commit order. Every event carries its
  writing transaction's id (trigger, migration 0002); a transaction older than the oldest one still
  running has finished, so its events are all visible now and none can appear later. The sealer
  takes those and keeps the transaction-id horizon it reached as its watermark.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from shoulian.audit import canonical, guard, merkle, schema, signing
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf, AuditTreeNode
from shoulian.audit.tree import TreeStore

log = logging.getLogger(__name__)

DEFAULT_BATCH = 20_000
# Any constant will do; it only has to differ from other advisory locks of the application.
_PG_LOCK_KEY = 0x5A4C_5345_414C


class SealerRefused(RuntimeError):
    """The stored log does not continue the sealer's own last checkpoint: it will not sign."""


class ForgedEvents(SealerRefused):
    """Event rows the journal API did not write: rows below what is sealed (never to be sealed) or
    bodies that fail the event schema. The sealer seals nothing while they are there."""

    def __init__(self, orphans: list[int], malformed: list[tuple[int, str]]) -> None:
        self.orphans = orphans
        self.malformed = malformed
        parts = []
        if orphans:
            parts.append(f"{len(orphans)} 条事件写在已封存范围内（id {_ids(orphans)}）")
        if malformed:
            parts.append(
                f"{len(malformed)} 条事件内容不符合事件格式（id {_ids([i for i, _ in malformed])}）"
            )
        super().__init__("发现日志外写入的事件：" + "；".join(parts))


def _ids(ids: list[int], shown: int = 20) -> str:
    text = ", ".join(str(i) for i in ids[:shown])
    return text + (" …" if len(ids) > shown else "")


# The anti-join reads every event id: the sealer runs it once a minute per process (and on its
# first seal), the verifier on every run. New rows below the sealed id are refused by a trigger.
ORPHAN_CHECK_SECONDS = 60.0
_next_orphan_check = 0.0


@dataclass(frozen=True)
class SealResult:
    sealed: int
    tree_size: int
    checkpoint: AuditCheckpoint | None


def tree_size() -> int:
    top = AuditLeaf.objects.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def latest_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-tree_size").first()


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite: the transaction already holds the only write lock (transaction_mode=IMMEDIATE).


def _check_continuity(last: AuditCheckpoint | None, size: int, store: TreeStore) -> None:
    expected = last.tree_size if last else 0
    if size != expected:
        raise SealerRefused(
            f"日志序列长度 {size} 与最新检查点 {expected} 不一致，第一个可疑序号 {min(size, expected)}"
        )
    if last is None:
        return
    try:
        signing.open_checkpoint(last.note, signing.trusted_keys())
    except signing.CheckpointInvalid as exc:
        raise SealerRefused(f"最新检查点（{last.tree_size}）无法通过验证：{exc}") from exc
    if store.leaf(size - 1) != bytes(last.head_hash):
        raise SealerRefused(f"序号 {size - 1} 的日志叶子与最新检查点不符")


# The transaction-id horizon below which every transaction that could write to this database's
# journal has finished. Transaction ids are cluster-wide, so the snapshot's xmin would let a long
# transaction in *another* database of the same cluster (another application, a report, another
# test worker) hold sealing back. An in-progress id is skipped only when pg_stat_activity proves it
# belongs to another database: an id is assigned once, in one database, so that proof holds
# whenever the statistics were read; an id the statistics no longer show (finished meanwhile, or
# hidden by missing privileges) keeps the horizon at or below it, which only delays sealing.
# pg_stat_activity shows 32-bit ids; in-progress ids lie within 2^31 of each other, so their low
# 32 bits identify them.
_PG_HORIZON = """
WITH snap AS (SELECT pg_current_snapshot() AS s),
foreign_xids AS (
    SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL
      AND datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database())
)
SELECT coalesce(
    (SELECT min(x::text::bigint) FROM snap, pg_snapshot_xip(snap.s) AS x
     WHERE x::text::bigint % 4294967296 NOT IN (SELECT xid FROM foreign_xids)),
    (SELECT pg_snapshot_xmax(s)::text::bigint FROM snap)
), pg_current_xact_id_if_assigned()::text::bigint
"""


def pending_events(last: AuditCheckpoint | None = None) -> tuple[QuerySet[AuditEvent], int]:
    """Events the sealer may take now, in the order it will seal them, and the transaction-id
    horizon (PostgreSQL) that becomes the next watermark."""
    unsealed = ~Exists(AuditLeaf.objects.filter(event_id=OuterRef("id")))
    if connection.vendor == "postgresql":
        watermark = last.watermark if last else 0
        with connection.cursor() as cursor:
            cursor.execute(_PG_HORIZON)
            horizon, own = cursor.fetchone()
        if own is not None:
            # Our own transaction is still open: later statements in it write below the horizon
            # the snapshot shows, so the watermark must not pass it.
            horizon = min(horizon, own)
        finished = Q(xact__lt=horizon)
        if own is not None:
            # Our own transaction's events are visible to us; tests seal inside one transaction.
            finished |= Q(xact=own)
        qs = AuditEvent.objects.filter(finished, xact__gte=watermark).filter(unsealed)
        return qs.order_by("xact", "id"), horizon
    last_id = AuditLeaf.objects.order_by("-position").values_list("event_id", flat=True).first()
    return AuditEvent.objects.filter(id__gt=last_id or 0).order_by("id"), 0


def orphans(last: AuditCheckpoint | None = None) -> QuerySet[AuditEvent]:
    """Events without a position that the sealer has already passed and will never take (an
    anti-join of events against leaves): on SQLite below the highest sealed event id, on
    PostgreSQL below the latest checkpoint's transaction-id watermark (or with no transaction id,
    which only a row written with the triggers off has)."""
    unsealed = ~Exists(AuditLeaf.objects.filter(event_id=OuterRef("id")))
    if connection.vendor == "postgresql":
        watermark = last.watermark if last else 0
        below = Q(xact__lt=watermark) | Q(xact__isnull=True)
        return AuditEvent.objects.filter(below).filter(unsealed).order_by("id")
    top = AuditLeaf.objects.aggregate(top=Max("event_id"))["top"] or 0
    return AuditEvent.objects.filter(id__lt=top).filter(unsealed).order_by("id")


def unsealed_count(last: AuditCheckpoint | None = None) -> int:
    """Events visible now that have no position yet, whether or not they may be sealed yet.

    Read as ``id > last sealed`` (issue 14: every page's seal badge asks): the events above the
    highest sealed event id, a range of the primary key. On PostgreSQL the sealer goes by
    transaction, so an event of a transaction that committed late may sit below that id without
    a position: those are among the events at or above the checkpoint's watermark and below the
    id, a range of the (xact, id) index, and only they are checked against the leaves. (Orphans
    below the watermark are the verifier's, not pending.)"""
    top = AuditLeaf.objects.aggregate(top=Max("event_id"))["top"] or 0
    above = AuditEvent.objects.filter(id__gt=top).count()
    if connection.vendor != "postgresql" or not top:
        # SQLite seals in id order: nothing below the highest sealed id is waiting.
        return above
    watermark = last.watermark if last else 0
    unsealed = ~Exists(AuditLeaf.objects.filter(event_id=OuterRef("id")))
    late = AuditEvent.objects.filter(xact__gte=watermark, id__lt=top).filter(unsealed)
    return above + late.count()


def _journal_forgery(exc: ForgedEvents) -> None:
    """One tamper event per distinct finding, not one per attempt: the sealer retries every
    second and the rows stay until someone removes them."""
    data = {
        "orphans": exc.orphans[:100],
        "orphan_count": len(exc.orphans),
        "malformed": [[i, why] for i, why in exc.malformed[:100]],
        "malformed_count": len(exc.malformed),
    }
    last = (
        AuditEvent.objects.filter(event_type=EventType.JOURNAL_FORGERY_FOUND)
        .order_by("-id")
        .first()
    )
    if last is not None and all(last.data.get(k) == v for k, v in data.items()):
        return
    with transaction.atomic():
        record(EventType.JOURNAL_FORGERY_FOUND, outcome=Outcome.FAILURE, data=data)


def seal(
    *,
    key: Ed25519PrivateKey | None = None,
    batch: int = DEFAULT_BATCH,
    check_orphans: bool | None = None,
) -> SealResult:
    """Seal what has committed so far (at most ``batch`` events) and sign a checkpoint over it.

    Refuses (``ForgedEvents``, journalled as a tamper event) while event rows exist that the
    journal API did not write: rows below what is sealed (``check_orphans``; by default once a
    minute) or, among the rows it would seal, bodies that fail the event schema."""
    try:
        return _seal(key=key, batch=batch, check_orphans=check_orphans)
    except ForgedEvents as exc:
        _journal_forgery(exc)
        raise


def _seal(*, key: Ed25519PrivateKey | None, batch: int, check_orphans: bool | None) -> SealResult:
    global _next_orphan_check
    key = key or signing.load_signing_key()
    if check_orphans is None:
        check_orphans = time.monotonic() >= _next_orphan_check
    with guard.writer(), transaction.atomic():
        _lock()
        last = latest_checkpoint()
        size = tree_size()
        store = TreeStore()
        _check_continuity(last, size, store)
        candidates, horizon = pending_events(last)
        rows = list(candidates.values_list("id", "body", "xact")[:batch])
        found = list(orphans(last).values_list("id", flat=True)) if check_orphans else []
        if check_orphans:
            # While forged rows are there, look every time: refuse until they are gone.
            _next_orphan_check = 0.0 if found else time.monotonic() + ORPHAN_CHECK_SECONDS
        malformed = [
            (event_id, why)
            for event_id, body, _xact in rows
            if (why := schema.body_problem(body)) is not None
        ]
        if found or malformed:
            raise ForgedEvents(found, malformed)
        if not rows:
            return SealResult(0, size, None)
        prev = store.leaf(size - 1) if size else merkle.ZERO_HASH
        leaves = []
        for offset, (event_id, body, _xact) in enumerate(rows):
            prev = merkle.leaf_hash(prev, body.encode("ascii"))
            store.leaves[size + offset] = prev
            leaves.append(AuditLeaf(position=size + offset, event_id=event_id, leaf_hash=prev))
        AuditLeaf.objects.bulk_create(leaves, batch_size=2000)
        new_size = size + len(rows)
        nodes = store.complete_nodes(size, new_size)
        AuditTreeNode.objects.bulk_create(
            [AuditTreeNode(level=lv, index=ix, node_hash=h) for lv, ix, h in nodes], batch_size=2000
        )
        if len(rows) == batch:
            # More may be waiting at the same transaction id: resume there, the anti-join skips the rest.
            watermark = min(rows[-1][2] or 0, horizon)
        else:
            watermark = horizon
        checkpoint = _checkpoint(key, store, new_size, prev, watermark)
    return SealResult(len(rows), new_size, checkpoint)


def _checkpoint(
    key: Ed25519PrivateKey, store: TreeStore, size: int, head: bytes, watermark: int
) -> AuditCheckpoint:
    """Sign the tree head over ``size`` leaves and store the checkpoint."""
    signed = signing.sign_checkpoint(
        key,
        tree_size=size,
        root_hash=store.root(size),
        head_hash=head,
        signed_us=canonical.utc_microseconds(timezone.now()),
    )
    checkpoint: AuditCheckpoint = AuditCheckpoint.objects.create(
        tree_size=size,
        root_hash=signed.root_hash,
        head_hash=signed.head_hash,
        signed_us=signed.signed_us,
        key_id=signed.key_id.hex(),
        note=signed.note,
        watermark=watermark,
    )
    return checkpoint


def seal_all(*, key: Ed25519PrivateKey | None = None, batch: int = DEFAULT_BATCH) -> SealResult:
    """Seal until nothing is pending (a backlog is sealed in several signed steps)."""
    key = key or signing.load_signing_key()
    total, result = 0, SealResult(0, tree_size(), None)
    last_checkpoint = None
    while True:
        result = seal(key=key, batch=batch)
        total += result.sealed
        last_checkpoint = result.checkpoint or last_checkpoint
        if result.sealed < batch:
            return SealResult(total, result.tree_size, last_checkpoint)


def seal_loaded(
    rows: Sequence[tuple[int, str]], *, key: Ed25519PrivateKey | None = None
) -> SealResult:
    """Seal, in one signed step, the events a bulk loader (the benchmarks' data generator) has
    just inserted in the current transaction, from the ``(id, body)`` pairs it wrote: the same
    leaves, Merkle nodes and checkpoint ``seal_all`` would write, without reading the bodies back
    and without the per-body schema check (the loader copies bodies the sealer already accepted,
    and the verifier checks every body). Refuses (``SealerRefused``) unless ``rows`` are exactly
    the events pending now, in the order ``seal`` would take them. Leaves and nodes are written
    with plain multi-row inserts: the ORM's per-object work was most of a bulk seal."""
    key = key or signing.load_signing_key()
    with guard.writer(), transaction.atomic():
        _lock()
        last = latest_checkpoint()
        size = tree_size()
        store = TreeStore()
        _check_continuity(last, size, store)
        candidates, horizon = pending_events(last)
        pending = list(candidates.values_list("id", flat=True))
        if pending != [event_id for event_id, _body in rows]:
            raise SealerRefused(
                f"待封存事件（{len(pending)} 条）与批量写入的事件（{len(rows)} 条）不一致"
            )
        if not rows:
            return SealResult(0, size, None)
        prev = store.leaf(size - 1) if size else merkle.ZERO_HASH
        leaves = []
        for position, (event_id, body) in enumerate(rows, size):
            prev = merkle.leaf_hash(prev, body.encode("ascii"))
            store.leaves[position] = prev
            leaves.append((position, event_id, prev))
        new_size = size + len(rows)
        nodes = store.complete_nodes(size, new_size)
        with connection.cursor() as cursor:
            for model, columns, values in (
                (AuditLeaf, ("position", "event_id", "leaf_hash"), leaves),
                (AuditTreeNode, ("level", "index", "node_hash"), nodes),
            ):
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                table = connection.ops.quote_name(model._meta.db_table)
                sql = f"INSERT INTO {table} ({names}) VALUES (%s, %s, %s)"  # noqa: S608
                for start in range(0, len(values), 50_000):
                    cursor.executemany(sql, values[start : start + 50_000])
        checkpoint = _checkpoint(key, store, new_size, prev, horizon)
    return SealResult(len(rows), new_size, checkpoint)


# --- The sealer loop (the ``audit_sealer`` command, issue 13 §4) -----------------------------------
# The loop survives what the database throws at it (a full disk at COMMIT, a restart, a lock
# timeout): it logs and journals each distinct error once, drops the connection so the next
# attempt reconnects, and retries with a capped exponential backoff. Only a stop request ends it.
BACKOFF_MAX_SECONDS = 30.0


@dataclass
class LoopState:
    """What the loop remembers between attempts."""

    refused: str | None = None  # the last SealerRefused reason journalled
    error: str | None = None  # the distinct error currently failing every attempt
    error_since: float = 0.0
    failures: int = 0  # consecutive failed attempts
    # Distinct errors not yet in the journal (it could not be written while the database failed).
    unjournalled: list[dict[str, object]] = field(default_factory=list)


def _error_signature(exc: BaseException) -> str:
    # The first line only: PostgreSQL appends a CONTEXT/DETAIL that varies per attempt.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300]


def _reconnect() -> None:
    """Drop the connection (a broken one, or one in an aborted transaction) so that the next
    attempt opens a fresh one. Inside a transaction (tests) the connection is left alone."""
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a dead connection may itself fail
        log.debug("closing the broken connection failed", exc_info=True)


def _journal(state: LoopState) -> None:
    """Write the distinct errors noted so far; keep them if the database still fails."""
    while state.unjournalled:
        data = state.unjournalled[0]
        try:
            # Its own transaction (a savepoint when a caller's transaction is open).
            with transaction.atomic():
                record(EventType.SEALER_DB_ERROR, outcome=Outcome.FAILURE, data=data)
        except DatabaseError:
            _reconnect()
            return
        state.unjournalled.pop(0)


def seal_step(state: LoopState, *, key: Ed25519PrivateKey, now: Callable[[], float]) -> float:
    """One attempt of the loop: seal everything committed, or note why not. Returns how long to
    wait before the next attempt: 0 after success, the backoff after a failure."""
    if not connection.in_atomic_block:
        # A long-running loop must drop broken or expired connections itself.
        close_old_connections()
    try:
        result = seal_all(key=key)
        if result.sealed:
            log.debug("sealed %d events, tree size %d", result.sealed, result.tree_size)
        state.refused = None
        if state.error is not None:
            outage = now() - state.error_since
            log.warning(
                "audit sealer recovered after %d failed attempts (%.1f s): %s",
                state.failures,
                outage,
                state.error,
            )
            state.unjournalled.append(
                {
                    "recovered": True,
                    "error": state.error,
                    "attempts": state.failures,
                    "seconds": round(outage, 3),
                }
            )
            state.error, state.failures = None, 0
        _journal(state)
        return 0.0
    except SealerRefused as exc:
        if str(exc) != state.refused:
            # Once per distinct problem, or the refusal would flood the journal.
            state.refused = str(exc)
            log.error("audit sealer refused: %s", exc)
            record(EventType.SEALER_REFUSED, outcome=Outcome.FAILURE, data={"reason": str(exc)})
        return 0.0
    except DatabaseError as exc:
        return _failed(state, exc, now=now)


def _failed(state: LoopState, exc: BaseException, *, now: Callable[[], float]) -> float:
    signature = _error_signature(exc)
    state.failures += 1
    _reconnect()
    if signature != state.error:
        # A new distinct error: one ERROR line and one journal event, not one per retry.
        log.error("audit sealer: database error, retrying with backoff: %s", signature)
        if state.error is None:
            state.error_since = now()
        state.error = signature
        state.unjournalled.append({"recovered": False, "error": signature, "attempts": 1})
        _journal(state)
    base = 0.5
    return float(min(BACKOFF_MAX_SECONDS, base * 2 ** min(state.failures - 1, 10)))


def run_loop(
    *,
    key: Ed25519PrivateKey,
    interval: float,
    should_stop: Callable[[], bool],
    once: bool = False,
    max_seconds: float = 0,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
) -> LoopState:
    """Seal every ``interval`` seconds until ``should_stop()``; database errors back off."""
    state = LoopState()
    deadline = now() + max_seconds if max_seconds else None
    while not should_stop():
        wait = seal_step(state, key=key, now=now)
        if once or (deadline is not None and now() > deadline):
            break
        # In slices, so that a stop request does not wait out a long backoff.
        remaining = max(interval, wait)
        while remaining > 0 and not should_stop():
            step = min(remaining, 0.5)
            sleep(step)
            remaining -= step
    return state


def lag_seconds() -> tuple[float | None, str]:
    """Health probe: how long the oldest committed event has waited for its seal (0: none)."""
    last = latest_checkpoint()
    if connection.vendor == "postgresql":
        watermark = last.watermark if last else 0
        unsealed = ~Exists(AuditLeaf.objects.filter(event_id=OuterRef("id")))
        oldest = (
            AuditEvent.objects.filter(xact__gte=watermark)
            .filter(unsealed)
            .aggregate(oldest=Min("occurred_us"))["oldest"]
        )
    else:
        last_id = AuditLeaf.objects.order_by("-position").values_list("event_id", flat=True).first()
        oldest = (
            AuditEvent.objects.filter(id__gt=last_id or 0)
            .order_by("id")
            .values_list("occurred_us", flat=True)
            .first()
        )
    if oldest is None:
        return 0.0, "无待封存事件"
    lag = max(0.0, canonical.utc_microseconds(timezone.now()) / 1e6 - oldest / 1e6)
    return lag, f"最早的待封存事件已等待 {lag:.1f} 秒"
