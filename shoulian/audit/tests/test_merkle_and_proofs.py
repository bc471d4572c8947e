"""RFC 6962 trees and proofs, the object proof file and the standalone auditor's tool."""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from shoulian.accounts.models import User
from shoulian.accounts.services import user_disable, user_enable
from shoulian.audit import merkle, sealer, signing, verify
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.tests.conftest import as_dba
from shoulian.audit.tree import TreeStore

TOOL = Path(__file__).resolve().parents[3] / "tools" / "audit_verify_standalone.py"


# --- the definitions of RFC 6962 §2.1, written as literally as possible --------------------------
def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = merkle.split_point(len(leaves))
    return merkle.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = merkle.split_point(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    if m == len(leaves):
        return [] if complete else [mth(leaves)]
    k = merkle.split_point(len(leaves))
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


LEAVES = [hashlib.sha256(bytes([i])).digest() for i in range(40)]


def subtree_of(leaves: list[bytes]) -> Any:
    return lambda start, end: mth(leaves[start:end])


@pytest.mark.parametrize("size", range(1, 41))
def test_roots_and_proofs_follow_rfc6962(size: int) -> None:
    leaves = LEAVES[:size]
    assert merkle.root(leaves) == mth(leaves)
    for m in range(size):
        proof = merkle.inclusion_path(m, size, subtree_of(leaves))
        assert proof == path(m, leaves)
        assert merkle.verify_inclusion(m, size, leaves[m], proof, mth(leaves))
        assert not merkle.verify_inclusion(m, size, LEAVES[39 - m], proof, mth(leaves))
    for old in range(1, size + 1):
        proof = merkle.consistency_path(old, size, subtree_of(leaves))
        assert proof == subproof(old, leaves, True)
        assert merkle.verify_consistency(old, size, mth(leaves[:old]), mth(leaves), proof)
        if old < size:
            assert not merkle.verify_consistency(
                old, size, mth(LEAVES[1 : old + 1]), mth(leaves), proof
            )


@pytest.mark.django_db
def test_stored_tree_nodes_give_the_same_roots_and_proofs(signing_key: Ed25519PrivateKey) -> None:
    for k in range(700):
        record(EventType.USER_UPDATED, obj=("user", str(k % 3)))
        if k in (100, 255, 256, 600):
            sealer.seal(key=signing_key)
    sealer.seal(key=signing_key)
    store = TreeStore()
    leaves = store.leaf_hashes(0, 700)
    for size in (1, 255, 256, 257, 512, 513, 700):
        assert store.root(size) == mth(leaves[:size])
    for m in (0, 255, 256, 511, 699):
        assert merkle.inclusion_path(m, 700, store.subtree) == path(m, leaves)
    assert merkle.consistency_path(300, 700, store.subtree) == subproof(300, leaves, True)
    assert verify.verify(full=True).ok


def run_tool(*args: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(TOOL), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_standalone_tool_needs_no_django_and_no_shoulian() -> None:
    imported = set()
    for node in ast.walk(ast.parse(TOOL.read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


@pytest.mark.django_db
def test_user_account_proof_verifies_offline_and_fails_after_one_changed_byte(
    tmp_path: Path, signing_key: Ed25519PrivateKey, admin_user: User, officer: User
) -> None:
    user_disable(actor=admin_user, user=officer, reason="调离")
    user_enable(actor=admin_user, user=officer)
    proof_file, key_file = tmp_path / "proof.json", tmp_path / "public-key.pem"
    key_file.write_text(signing.public_pem(signing_key.public_key()))
    call_command("audit_proof", object=f"user:{officer.pk}", out=str(proof_file))

    proof = json.loads(proof_file.read_text())
    types = [json.loads(e["body"])["event_type"] for e in proof["events"]]
    assert types[:1] == [EventType.USER_CREATED] and EventType.USER_DISABLED in types
    ok = run_tool("proof", proof_file, "--key", key_file)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"events of user:{officer.pk} verified" in ok.stdout

    # One byte of one event: the timestamp's last digit.
    body = proof["events"][1]["body"]
    digit = body.index('"occurred_us":') + len('"occurred_us":') + 15
    proof["events"][1]["body"] = body[:digit] + str((int(body[digit]) + 1) % 10) + body[digit + 1 :]
    proof_file.write_text(json.dumps(proof))
    bad = run_tool("proof", proof_file, "--key", key_file)
    assert bad.returncode == 1 and "not in the signed tree" in bad.stdout


@pytest.mark.django_db
def test_proof_against_another_key_is_rejected(
    tmp_path: Path, signing_key: Ed25519PrivateKey, officer: User
) -> None:
    proof_file, key_file = tmp_path / "proof.json", tmp_path / "other.pem"
    key_file.write_text(signing.public_pem(Ed25519PrivateKey.generate().public_key()))
    call_command("audit_proof", object=f"user:{officer.pk}", out=str(proof_file))
    result = run_tool("proof", proof_file, "--key", key_file)
    assert result.returncode == 1 and "not signed by the given key" in result.stdout


@pytest.mark.django_db
def test_proof_of_an_object_without_events_is_refused(
    tmp_path: Path, signing_key: Ed25519PrivateKey, officer: User
) -> None:
    with pytest.raises(CommandError):
        call_command("audit_proof", object="alert:999", out=str(tmp_path / "p.json"))
    with pytest.raises(CommandError):
        call_command("audit_proof", object="alert", out=str(tmp_path / "p.json"))


@pytest.mark.django_db
def test_exported_checkpoints_chain_for_the_auditor_and_catch_a_truncation(
    tmp_path: Path, signing_key: Ed25519PrivateKey, officer: User, capsys: Any
) -> None:
    folder = tmp_path / "auditor"
    call_command("audit_checkpoint", export=str(folder))
    for _ in range(5):
        record(EventType.USER_UPDATED, obj=officer)
    call_command("audit_checkpoint", export=str(folder))
    names = sorted(p.name for p in folder.iterdir())
    assert len([n for n in names if n.startswith("checkpoint-")]) == 2
    assert len([n for n in names if n.startswith("consistency-")]) == 1
    result = run_tool("checkpoints", folder, "--key", folder / "public-key.pem")
    assert result.returncode == 0, result.stdout

    sizes = sorted(int(p.stem.split("-")[1]) for p in folder.glob("checkpoint-*.txt"))
    latest = folder / f"checkpoint-{sizes[-1]}.txt"
    call_command("audit_verify", checkpoint=[latest], workers=1)
    # Cut the journal back to the first exported checkpoint, checkpoints included: what is left
    # is self-consistent, only the auditor's newer copy shows what is missing.
    cut = sizes[0]
    with as_dba() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE id IN "
            "(SELECT event_id FROM audit_auditleaf WHERE position >= %s)",
            [cut],
        )
        cursor.execute("DELETE FROM audit_auditleaf WHERE position >= %s", [cut])
        cursor.execute("DELETE FROM audit_auditcheckpoint WHERE tree_size > %s", [cut])
    assert verify.verify().ok
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", checkpoint=[latest], workers=1)
    assert exit_info.value.code == 1
    assert f"第一个异常位置 {cut}" in capsys.readouterr().out

    # The auditor's folder also refuses to accept the rewritten journal as a continuation.
    for _ in range(4):
        record(EventType.USER_UPDATED, obj=officer)
    with pytest.raises(CommandError):
        call_command("audit_checkpoint", export=str(folder))
