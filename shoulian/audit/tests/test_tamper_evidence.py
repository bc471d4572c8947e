"""U4: the verifier finds a modified, deleted, inserted, reordered or truncated event and names the
first bad position. The property test lets Hypothesis play the database administrator."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoulian.audit import merkle, sealer, verify
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf
from shoulian.audit.tests.conftest import as_dba, postgresql_only

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def build_journal(key: Ed25519PrivateKey, batches: list[int]) -> list[str]:
    """Events sealed in several batches (several checkpoints); returns the signed notes."""
    notes = []
    for number, size in enumerate(batches):
        for k in range(size):
            record(
                EventType.USER_UPDATED,
                obj=("user", str(k % 5)),
                data={
                    "changed": {"full_name": {"from": f"旧{k}", "to": f"新{k}"}},
                    "batch": number,
                },
            )
        result = sealer.seal(key=key)
        assert result.checkpoint is not None
        notes.append(result.checkpoint.note)
    return notes


def event_id_at(cursor: Any, position: int) -> int:
    cursor.execute("SELECT event_id FROM audit_auditleaf WHERE position = %s", [position])
    return int(cursor.fetchone()[0])


def body_at(cursor: Any, position: int) -> str:
    cursor.execute(
        "SELECT body FROM audit_auditevent WHERE id = %s", [event_id_at(cursor, position)]
    )
    return str(cursor.fetchone()[0])


def leaf_at(cursor: Any, position: int) -> bytes:
    cursor.execute("SELECT leaf_hash FROM audit_auditleaf WHERE position = %s", [position])
    return bytes(cursor.fetchone()[0])


def set_body(cursor: Any, position: int, body: str) -> None:
    cursor.execute(
        "UPDATE audit_auditevent SET body = %s WHERE id = %s", [body, event_id_at(cursor, position)]
    )


def one_byte_changed(body: str) -> str:
    """Bump the last digit of the timestamp: one byte, still valid JSON (the generated columns
    would refuse anything else, so that is what an administrator would have to do)."""
    event = json.loads(body)
    event["occurred_us"] += 1 if event["occurred_us"] % 10 != 9 else -1
    changed = json.dumps(event, sort_keys=True, separators=(",", ":"))
    assert sum(a != b for a, b in zip(body, changed, strict=True)) == 1
    return changed


# --- the tampering moves ------------------------------------------------------------------------
def modify(cursor: Any, i: int, j: int) -> None:
    set_body(cursor, i, one_byte_changed(body_at(cursor, i)))


def modify_column_through_body(cursor: Any, i: int, j: int) -> None:
    event = json.loads(body_at(cursor, i))
    event["actor_username"] = "nobody"
    set_body(cursor, i, json.dumps(event, sort_keys=True, separators=(",", ":")))


def delete_event(cursor: Any, i: int, j: int) -> None:
    cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event_id_at(cursor, i)])


def delete_leaf(cursor: Any, i: int, j: int) -> None:
    cursor.execute("DELETE FROM audit_auditleaf WHERE position = %s", [i])


def reorder(cursor: Any, i: int, j: int) -> None:
    a, b = event_id_at(cursor, i), event_id_at(cursor, j)
    cursor.execute("UPDATE audit_auditleaf SET event_id = -1 WHERE position = %s", [i])
    cursor.execute("UPDATE audit_auditleaf SET event_id = %s WHERE position = %s", [a, j])
    cursor.execute("UPDATE audit_auditleaf SET event_id = %s WHERE position = %s", [b, i])


def forge_leaf_hash(cursor: Any, i: int, j: int) -> None:
    cursor.execute("UPDATE audit_auditleaf SET leaf_hash = %s WHERE position = %s", [bytes(32), i])


def _insert_event(cursor: Any, body: str) -> int:
    cursor.execute("INSERT INTO audit_auditevent (body) VALUES (%s)", [body])
    cursor.execute("SELECT max(id) FROM audit_auditevent")
    return int(cursor.fetchone()[0])


def insert(cursor: Any, i: int, j: int) -> None:
    """Slip a forged event in at position i, shifting the rest, with a correctly chained hash."""
    forged = one_byte_changed(body_at(cursor, i))
    cursor.execute(
        "UPDATE audit_auditleaf SET position = position + 1000000 WHERE position >= %s", [i]
    )
    cursor.execute(
        "UPDATE audit_auditleaf SET position = position - 999999 WHERE position >= 1000000"
    )
    prev = leaf_at(cursor, i - 1) if i else merkle.ZERO_HASH
    cursor.execute(
        "INSERT INTO audit_auditleaf (position, event_id, leaf_hash) VALUES (%s, %s, %s)",
        [i, _insert_event(cursor, forged), merkle.leaf_hash(prev, forged.encode())],
    )


def rewrite_from(cursor: Any, i: int, j: int) -> None:
    """The careful administrator: change one event and recompute every later hash."""
    modify(cursor, i, j)
    cursor.execute("SELECT max(position) FROM audit_auditleaf")
    top = int(cursor.fetchone()[0])
    prev = leaf_at(cursor, i - 1) if i else merkle.ZERO_HASH
    for position in range(i, top + 1):
        prev = merkle.leaf_hash(prev, body_at(cursor, position).encode())
        cursor.execute(
            "UPDATE audit_auditleaf SET leaf_hash = %s WHERE position = %s", [prev, position]
        )


def append_forged(cursor: Any, i: int, j: int) -> None:
    cursor.execute("SELECT max(position) FROM audit_auditleaf")
    top = int(cursor.fetchone()[0])
    forged = one_byte_changed(body_at(cursor, i))
    cursor.execute(
        "INSERT INTO audit_auditleaf (position, event_id, leaf_hash) VALUES (%s, %s, %s)",
        [
            top + 1,
            _insert_event(cursor, forged),
            merkle.leaf_hash(leaf_at(cursor, top), forged.encode()),
        ],
    )


def truncate(cursor: Any, i: int, j: int) -> None:
    """Cut the log at i, with every checkpoint that would give it away."""
    cursor.execute(
        "DELETE FROM audit_auditevent WHERE id IN (SELECT event_id FROM audit_auditleaf WHERE position >= %s)",
        [i],
    )
    cursor.execute("DELETE FROM audit_auditleaf WHERE position >= %s", [i])
    cursor.execute("DELETE FROM audit_auditcheckpoint WHERE tree_size > %s", [i])
    # Journals in these tests are smaller than one tile: there are no tree nodes to cut.


def forge_checkpoint(cursor: Any, i: int, j: int) -> None:
    cursor.execute("SELECT id, note FROM audit_auditcheckpoint ORDER BY tree_size DESC")
    pk, note = cursor.fetchone()
    size = note.split("\n")[1]
    cursor.execute(
        "UPDATE audit_auditcheckpoint SET note = %s WHERE id = %s",
        [note.replace(f"\n{size}\n", f"\n{int(size) + 1}\n", 1), pk],
    )


# Moves whose first bad position the verifier must name exactly.
EXACT: dict[str, Callable[[Any, int, int], None]] = {
    "modify": modify,
    "modify_column": modify_column_through_body,
    "delete_event": delete_event,
    "delete_leaf": delete_leaf,
    "forge_leaf_hash": forge_leaf_hash,
}
# Moves the verifier must find, at or before the tampered position.
FOUND: dict[str, Callable[[Any, int, int], None]] = {
    "reorder": reorder,
    "insert": insert,
    "rewrite_from": rewrite_from,
    "append_forged": append_forged,
    "truncate": truncate,
    "forge_checkpoint": forge_checkpoint,
}


def test_intact_journal_verifies(signing_key: Ed25519PrivateKey) -> None:
    notes = build_journal(signing_key, [5, 300, 7])
    report = verify.verify(external=notes, full=True)
    assert report.ok, report.findings
    assert report.tree_size == AuditLeaf.objects.count() == AuditEvent.objects.count()
    assert report.checkpoints == 3


@pytest.mark.parametrize("move", sorted(EXACT))
def test_verifier_names_the_tampered_position(signing_key: Ed25519PrivateKey, move: str) -> None:
    build_journal(signing_key, [6, 6, 6])
    with as_dba() as cursor:
        EXACT[move](cursor, 7, 0)
    report = verify.verify()
    assert not report.ok
    assert report.first_bad_position == 7, report.findings


@pytest.mark.parametrize("move", sorted(FOUND))
def test_verifier_finds_reordering_insertion_rewriting_and_truncation(
    signing_key: Ed25519PrivateKey, move: str
) -> None:
    notes = build_journal(signing_key, [6, 6, 6])
    with as_dba() as cursor:
        FOUND[move](cursor, 12, 4)
    report = verify.verify(external=notes)
    assert not report.ok
    bad = report.first_bad_position
    expected = 18 if move == "append_forged" else 12
    assert move == "forge_checkpoint" or (bad is not None and bad <= expected), report.findings


def test_truncation_to_an_earlier_checkpoint_is_found_only_with_the_auditors_copy(
    signing_key: Ed25519PrivateKey,
) -> None:
    notes = build_journal(signing_key, [6, 6, 6])
    with as_dba() as cursor:
        truncate(cursor, 12, 0)
    # Cut exactly at a checkpoint, the rest is self-consistent: this is why auditors keep copies.
    assert verify.verify().ok
    report = verify.verify(external=notes)
    assert not report.ok and report.first_bad_position == 12


def test_structural_tampering_is_reported(signing_key: Ed25519PrivateKey) -> None:
    build_journal(signing_key, [3])
    with as_dba():
        report = verify.verify()
    assert not report.ok
    assert any("触发器" in f.message for f in report.findings)


@postgresql_only
def test_disabled_trigger_is_reported_postgresql_only(signing_key: Ed25519PrivateKey) -> None:
    build_journal(signing_key, [3])
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE audit_auditevent DISABLE TRIGGER shoulian_audit_auditevent_no_update"
        )
    report = verify.verify()
    assert any("shoulian_audit_auditevent_no_update" in f.message for f in report.findings)


def test_sealer_refuses_to_sign_a_log_it_did_not_write(signing_key: Ed25519PrivateKey) -> None:
    build_journal(signing_key, [4])
    with as_dba() as cursor:
        append_forged(cursor, 1, 0)
    record(EventType.USER_UPDATED, obj=("user", "1"))
    with pytest.raises(sealer.SealerRefused):
        sealer.seal(key=signing_key)
    assert AuditCheckpoint.objects.count() == 1


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_random_tampering_of_a_random_journal_is_detected(
    signing_key: Ed25519PrivateKey, data: st.DataObject
) -> None:
    batches = data.draw(st.lists(st.integers(1, 9), min_size=1, max_size=4), label="batches")
    size = sum(batches)
    moves = {**EXACT, **FOUND}
    name = data.draw(st.sampled_from(sorted(moves)), label="move")
    i = data.draw(st.integers(0, size - 1), label="position")
    j = data.draw(
        st.integers(0, size - 1).filter(lambda x: x != i) if size > 1 else st.just(i), label="other"
    )
    if name == "reorder" and i == j:
        return
    try:
        with transaction.atomic():
            notes = build_journal(signing_key, batches)
            assert verify.verify(external=notes).ok
            with as_dba() as cursor:
                moves[name](cursor, i, j)
            report = verify.verify(external=notes)
            assert not report.ok, (name, i, j, batches)
            if name in EXACT:
                assert report.first_bad_position == i, (name, i, report.findings)
            elif name == "append_forged":
                assert report.first_bad_position == size, report.findings
            elif name != "forge_checkpoint":
                assert report.first_bad_position is not None
                assert report.first_bad_position <= max(i, j), (name, i, j, report.findings)
            raise Rollback
    except Rollback:
        pass
