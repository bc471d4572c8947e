"""U3 (append-only in the database) and Z6 (nobody edits or deletes through the app; every attempt
is itself journalled)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from shoulian.accounts.models import User
from shoulian.audit import guard, sealer
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf, AuditTreeNode
from shoulian.audit.tests.conftest import postgresql_only
from shoulian.audit.triggers import TABLES
from shoulian.conftest import login_as

pytestmark = pytest.mark.django_db

# On PostgreSQL a tamper attempt is committed through its own connection, past the test's
# transaction; there such tests run in transactional mode so the database is flushed after them.
records_attempts = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


def _tamper_attempts() -> list[dict[str, Any]]:
    return [e.data for e in AuditEvent.objects.filter(event_type=EventType.JOURNAL_TAMPER_ATTEMPT)]


SEALED_EVENTS = 257  # one complete tile, so every journal table has rows


@pytest.fixture
def sealed(signing_key: Any, officer: User) -> None:
    for _ in range(SEALED_EVENTS):
        record(EventType.USER_UPDATED, obj=officer, actor=officer)
    sealer.seal(key=signing_key)


@pytest.mark.parametrize("table", TABLES)
def test_database_refuses_update_of_every_journal_table(sealed: None, table: str) -> None:
    column = {"audit_auditevent": "body", "audit_auditleaf": "event_id"}.get(table, "id")
    value = "'{}'" if column == "body" else "0"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {value}")  # noqa: S608


@pytest.mark.parametrize("table", TABLES)
def test_database_refuses_delete_from_every_journal_table(sealed: None, table: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] > 0


@postgresql_only
@pytest.mark.parametrize("table", TABLES)
def test_postgresql_refuses_truncate_of_every_journal_table(sealed: None, table: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")


@records_attempts
def test_saving_an_existing_event_is_refused_and_audited(sealed: None) -> None:
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    event.body = event.body.replace("officer", "someone")
    with pytest.raises(guard.JournalAppendOnly):
        event.save()
    assert _tamper_attempts() == [{"operation": "update", "table": "audit_auditevent"}]


@records_attempts
@pytest.mark.parametrize(
    "attempt",
    [
        lambda: AuditEvent.objects.order_by("id")[0].delete(),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.filter(event_type=EventType.USER_UPDATED).update(body="{}"),
        lambda: AuditLeaf.objects.all().delete(),
        lambda: AuditTreeNode.objects.all().update(level=0),
        lambda: AuditCheckpoint.objects.all().delete(),
        lambda: AuditEvent.objects.bulk_update(list(AuditEvent.objects.all()), ["body"]),
    ],
    ids=[
        "delete",
        "queryset-delete",
        "update",
        "leaf-delete",
        "node-update",
        "checkpoint-delete",
        "bulk-update",
    ],
)
def test_orm_updates_and_deletes_are_refused_and_audited(sealed: None, attempt: Any) -> None:
    rows = AuditEvent.objects.count()
    with pytest.raises(guard.JournalAppendOnly):
        attempt()
    attempts = _tamper_attempts()
    assert len(attempts) == 1 and attempts[0]["operation"] in {"update", "delete"}
    assert AuditEvent.objects.count() == rows + 1  # only the attempt itself was added


@records_attempts
def test_inserting_outside_the_journal_api_is_refused_and_audited(officer: User) -> None:
    forged = '{"event_type":2001}'
    with pytest.raises(guard.JournalAppendOnly):
        AuditEvent.objects.create(body=forged)
    with pytest.raises(guard.JournalAppendOnly):
        AuditLeaf.objects.bulk_create([AuditLeaf(position=0, event_id=1, leaf_hash=b"x" * 32)])
    assert not AuditEvent.objects.filter(body=forged).exists()
    assert [a["operation"] for a in _tamper_attempts()] == ["insert", "insert"]


@postgresql_only
@records_attempts
def test_tamper_attempt_survives_the_rollback_of_the_callers_transaction(officer: User) -> None:
    record(EventType.USER_UPDATED, obj=officer, actor=officer)
    with pytest.raises(guard.JournalAppendOnly), transaction.atomic():
        AuditEvent.objects.all().update(body="{}")
    # Written through its own connection: the attempt is there although the caller rolled back.
    assert _tamper_attempts() == [{"operation": "update", "table": "audit_auditevent"}]


@records_attempts
def test_flushing_the_journal_outside_tests_is_refused_and_audited(
    settings: Any, sealed: None
) -> None:
    settings.AUDIT_ALLOW_FLUSH = False
    leaves = AuditLeaf.objects.count()
    with pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditLeaf.objects.count() == leaves >= SEALED_EVENTS
    assert _tamper_attempts() == [{"operation": "flush", "table": "*"}]


@records_attempts
def test_flush_is_refused_unless_the_settings_allow_it_even_in_the_test_environment(
    settings: Any, sealed: None
) -> None:
    # The test environment itself (its mail outbox, its runner) allows nothing: only the setting.
    del settings.AUDIT_ALLOW_FLUSH
    assert not guard.flush_allowed()
    leaves = AuditLeaf.objects.count()
    with pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditLeaf.objects.count() == leaves >= SEALED_EVENTS
    settings.AUDIT_ALLOW_FLUSH = "yes"  # a truthy string from an environment variable is not True
    assert not guard.flush_allowed()


@records_attempts
def test_journal_pages_refuse_writes_and_record_the_attempt(inspector: User) -> None:
    client = login_as(Client(), inspector)
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(reverse("audit:journal"))
        assert response.status_code == 405
    assert [a["operation"] for a in _tamper_attempts()] == ["POST", "PUT", "DELETE"]
