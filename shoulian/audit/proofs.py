"""Offline proofs: one object's events with inclusion proofs against a signed checkpoint, and
consistency proofs between checkpoints an auditor keeps. Checked by tools/audit_verify_standalone.py
with nothing but the standard library, ``cryptography`` and the public key."""

from __future__ import annotations

from typing import Any

from shoulian.audit import canonical, merkle, signing
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf
from shoulian.audit.tree import TreeStore

PROOF_FORMAT = "shoulian-audit-proof/1"
CONSISTENCY_FORMAT = "shoulian-audit-consistency/1"


class ProofError(RuntimeError):
    pass


def parse_object(text: str) -> tuple[str, str]:
    object_type, sep, object_id = text.partition(":")
    if (
        not sep
        or not canonical.OBJECT_TYPE_RE.match(object_type)
        or not canonical.OBJECT_ID_RE.match(object_id)
    ):
        raise ValueError(f"对象应写作 类型:编号（如 alert:42），收到 {text!r}")
    return object_type, object_id


def object_proof(object_type: str, object_id: str, checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """Every sealed event of the object up to ``checkpoint``, each with its inclusion proof.

    Each proof is checked here before it is written: a damaged tree index fails the export instead
    of handing an auditor a file that does not verify."""
    size = checkpoint.tree_size
    root_hash = bytes(checkpoint.root_hash)
    events = list(
        AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
        .order_by("id")
        .values_list("id", "body")
    )
    positions = dict(
        AuditLeaf.objects.filter(
            event_id__in=[e[0] for e in events], position__lt=size
        ).values_list("event_id", "position")
    )
    store = TreeStore()
    entries = []
    for event_id, body in sorted(
        ((e, b) for e, b in events if e in positions), key=lambda e: positions[e[0]]
    ):
        position = positions[event_id]
        prev = store.leaf(position - 1) if position else merkle.ZERO_HASH
        path = merkle.inclusion_path(position, size, store.subtree)
        leaf = merkle.leaf_hash(prev, body.encode("ascii"))
        if not merkle.verify_inclusion(position, size, leaf, path, root_hash):
            raise ProofError(f"序号 {position} 的包含证明与检查点不符：请运行 audit_verify --full")
        entries.append(
            {
                "position": position,
                "prev_hash": prev.hex(),
                "body": body,
                "inclusion_proof": [h.hex() for h in path],
            }
        )
    public = signing.load_signing_key().public_key()
    return {
        "format": PROOF_FORMAT,
        "object": f"{object_type}:{object_id}",
        "checkpoint": checkpoint.note,
        "public_key_pem": signing.public_pem(public),
        "events": entries,
        "unsealed_events": len(events) - len(entries),
    }


def consistency_proof(old: signing.Checkpoint, new: AuditCheckpoint) -> dict[str, Any]:
    store = TreeStore()
    path = merkle.consistency_path(old.tree_size, new.tree_size, store.subtree)
    if not merkle.verify_consistency(
        old.tree_size, new.tree_size, old.root_hash, bytes(new.root_hash), path
    ):
        raise ProofError(
            f"日志（{new.tree_size}）不是检查点（{old.tree_size}）的延续：历史被改写或截断"
        )
    return {
        "format": CONSISTENCY_FORMAT,
        "old_size": old.tree_size,
        "new_size": new.tree_size,
        "proof": [h.hex() for h in path],
    }
