"""The journal's completeness (issue 13 item 2): event rows written beside the journal API, at
database level with raw SQL, are refused by a trigger below the sealed id, found by the verifier
(with their ids) and refused by the sealer, which journals one tamper event. On SQLite and
PostgreSQL alike (the suite runs on both)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from shoulian.audit import schema, sealer, verify
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import build_body, record
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf
from shoulian.audit.tests.conftest import as_dba

pytestmark = pytest.mark.django_db


def _journal(key: Ed25519PrivateKey, n: int = 5) -> None:
    for k in range(n):
        record(EventType.USER_UPDATED, obj=("user", str(k)), data={"k": k})
    assert sealer.seal(key=key, check_orphans=True).sealed == n


def _forged_body(**changes: Any) -> str:
    body = json.loads(build_body(EventType.USER_UPDATED, obj=("user", "9")))
    body.update(changes)
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _insert(cursor: Any, body: str, event_id: int | None = None) -> None:
    if event_id is None:
        cursor.execute("INSERT INTO audit_auditevent (body) VALUES (%s)", [body])
    else:
        cursor.execute("INSERT INTO audit_auditevent (id, body) VALUES (%s, %s)", [event_id, body])


def _sealed_ids() -> list[int]:
    return sorted(AuditLeaf.objects.values_list("event_id", flat=True))


def test_the_application_role_cannot_insert_below_the_sealed_id(
    signing_key: Ed25519PrivateKey,
) -> None:
    _journal(signing_key)
    lowest = _sealed_ids()[0]
    with pytest.raises(DatabaseError, match="sealed event id"):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert(cursor, _forged_body(), event_id=lowest - 1)
    # Ordinary writes still go in above it.
    record(EventType.USER_UPDATED, obj=("user", "1"))
    assert sealer.seal(key=signing_key, check_orphans=True).sealed == 1


def test_a_row_inserted_below_the_sealed_id_is_reported_with_its_id(
    signing_key: Ed25519PrivateKey,
) -> None:
    _journal(signing_key)
    with as_dba() as cursor:  # the triggers off, as only the database owner can
        _insert(cursor, _forged_body(), event_id=_sealed_ids()[0] - 1)
    forged = _sealed_ids()[0] - 1
    report = verify.verify()
    assert not report.ok
    assert report.orphans == [forged]
    assert report.pending == 0
    assert any(f"id {forged}" in f.message and "没有日志序号" in f.message for f in report.findings)


def test_the_sealer_refuses_rows_below_the_sealed_id_and_journals_it_once(
    signing_key: Ed25519PrivateKey,
) -> None:
    _journal(signing_key)
    forged = _sealed_ids()[0] - 1
    with as_dba() as cursor:
        _insert(cursor, _forged_body(), event_id=forged)
    record(EventType.USER_UPDATED, obj=("user", "1"))
    for _ in range(3):
        with pytest.raises(sealer.ForgedEvents) as refused:
            sealer.seal(key=signing_key, check_orphans=True)
        assert refused.value.orphans == [forged]
    assert AuditCheckpoint.objects.count() == 1
    tamper = AuditEvent.objects.filter(event_type=EventType.JOURNAL_FORGERY_FOUND)
    assert tamper.count() == 1
    assert tamper.get().data["orphans"] == [forged]
    assert tamper.get().outcome == "failure"


def test_a_malformed_body_above_the_sealed_id_is_refused_and_reported(
    signing_key: Ed25519PrivateKey,
) -> None:
    _journal(signing_key)
    # The application role may insert above what is sealed: the trigger lets it in.
    with connection.cursor() as cursor:
        _insert(cursor, _forged_body(event_type=9999))
        _insert(cursor, json.dumps({"event_type": 4001, "note": "伪造"}))
    bad = list(AuditEvent.objects.filter(id__gt=max(_sealed_ids())).values_list("id", flat=True))
    assert len(bad) == 2
    with pytest.raises(sealer.ForgedEvents) as refused:
        sealer.seal(key=signing_key)
    assert [i for i, _ in refused.value.malformed] == bad
    assert AuditLeaf.objects.count() == 5  # nothing sealed, the good rows neither
    report = verify.verify()
    assert not report.ok
    assert [i for i, _ in report.malformed] == bad
    assert any("未登记" in why for _, why in report.malformed)


def test_audit_verify_command_names_the_rows_and_fails(
    signing_key: Ed25519PrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    _journal(signing_key)
    forged = _sealed_ids()[0] - 1
    with as_dba() as cursor:
        _insert(cursor, _forged_body(), event_id=forged)
    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", "--json", "--workers", "1")
    assert exited.value.code == 1
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["ok"] is False and out["orphans"] == [forged]


def test_an_intact_journal_has_no_orphans_and_no_malformed_bodies(
    signing_key: Ed25519PrivateKey,
) -> None:
    _journal(signing_key, 12)
    record(EventType.USER_UPDATED, obj=("user", "1"))  # pending, not an orphan
    report = verify.verify(full=True)
    assert report.ok, report.findings
    assert report.orphans == [] and report.malformed == [] and report.pending == 1


@pytest.mark.parametrize(
    "change",
    [
        {"v": 2},
        {"event_type": 1},
        {"outcome": "maybe"},
        {"actor_id": "7"},
        {"data": []},
        {"object_type": "User!"},
        {"occurred_us": True},
    ],
)
def test_the_schema_refuses_what_the_journal_api_never_writes(change: dict[str, Any]) -> None:
    assert schema.body_problem(_forged_body()) is None
    assert schema.body_problem(_forged_body(**change)) is not None


def test_the_schema_refuses_missing_members_and_uncanonical_text(db: None) -> None:
    good = _forged_body()
    content = json.loads(good)
    del content["request_id"]
    assert schema.body_problem(json.dumps(content, sort_keys=True, separators=(",", ":")))
    assert schema.body_problem(json.dumps(json.loads(good), sort_keys=True))  # spaces
    assert schema.body_problem("[1, 2]") and schema.body_problem("{")


def test_events_carrying_masked_personal_values_are_sealed_and_verify_clean(
    signing_key: Ed25519PrivateKey,
) -> None:
    # A registration's parties carry an ID number and a mobile; the journal protects each as
    # {"masked", "hmac"}. Those bodies are the journal's own and must never read as forged.
    record(
        EventType.ALERT_REGISTERED,
        obj=("alert", "1"),
        data={"parties": [{"id_number": "350427199001011234", "mobile": "13812348000"}]},
    )
    body = AuditEvent.objects.get().body
    assert '"masked"' in body and schema.body_problem(body) is None
    assert sealer.seal(key=signing_key, check_orphans=True).sealed == 1
    report = verify.verify(full=True)
    assert report.ok, report.findings
