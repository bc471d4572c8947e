"""The bulk loader's seal (``sealer.seal_loaded``): the same sealed log as the sealer's own steps,
and nothing sealed unless the loader's rows are exactly the pending events."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction

from shoulian.audit import sealer, verify
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf, AuditTreeNode

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def write(n: int) -> None:
    for k in range(n):
        record(EventType.USER_UPDATED, obj=("user", str(k % 7)), data={"k": k})


def pending_rows() -> list[tuple[int, str]]:
    candidates, _horizon = sealer.pending_events(sealer.latest_checkpoint())
    return list(candidates.values_list("id", "body"))


def sealed_state() -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]], bytes]:
    leaves = [(p, e, bytes(h)) for p, e, h in AuditLeaf.objects.order_by("position").values_list()]
    nodes = [
        (lv, ix, bytes(h))
        for lv, ix, h in AuditTreeNode.objects.order_by("level", "index").values_list(
            "level", "index", "node_hash"
        )
    ]
    last = sealer.latest_checkpoint()
    assert last is not None
    return leaves, nodes, bytes(last.root_hash)


def test_a_bulk_seal_writes_the_log_the_sealer_would_and_it_verifies(
    signing_key: Ed25519PrivateKey,
) -> None:
    write(100)
    sealer.seal_all(key=signing_key)
    # Past a 256-leaf tile, so Merkle nodes are stored too.
    write(500)
    rows = pending_rows()
    try:
        with transaction.atomic():
            sealer.seal_all(key=signing_key, batch=150)
            expected = sealed_state()
            raise Rollback
    except Rollback:
        pass
    result = sealer.seal_loaded(rows, key=signing_key)
    assert result.sealed == len(rows) and result.tree_size == AuditEvent.objects.count()
    assert sealed_state() == expected
    report = verify.verify(full=True)
    assert report.ok, report.findings
    assert report.pending == 0


def test_a_bulk_seal_refuses_rows_that_are_not_the_pending_events(
    signing_key: Ed25519PrivateKey,
) -> None:
    write(20)
    rows = pending_rows()
    checkpoints = AuditCheckpoint.objects.count()
    for wrong in (rows[1:], rows[:-1], [*rows[1:], rows[0]]):
        with pytest.raises(sealer.SealerRefused):
            sealer.seal_loaded(wrong, key=signing_key)
    assert AuditLeaf.objects.count() == 0
    assert AuditCheckpoint.objects.count() == checkpoints
    assert sealer.seal_loaded(rows, key=signing_key).tree_size == 20
