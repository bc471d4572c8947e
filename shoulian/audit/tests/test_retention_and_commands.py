"""U6 (365-day retention floor), the sealer's handling of concurrent writers, and the commands."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from shoulian.audit import guard, sealer, services, signing, verify
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.audit.models import AuditEvent, AuditLeaf
from shoulian.audit.tests.conftest import as_dba, postgresql_only

pytestmark = pytest.mark.django_db


def _journal_with_old_events(monkeypatch: pytest.MonkeyPatch, key: Ed25519PrivateKey) -> None:
    long_ago = timezone.now() - dt.timedelta(days=400)
    with monkeypatch.context() as patched:
        patched.setattr(timezone, "now", lambda: long_ago)
        for k in range(3):
            record(EventType.USER_UPDATED, obj=("user", str(k)))
    for k in range(2):
        record(EventType.USER_UPDATED, obj=("user", str(k)))
    sealer.seal(key=key)


def test_purge_within_the_retention_floor_is_refused_and_journalled(
    signing_key: Ed25519PrivateKey,
) -> None:
    with pytest.raises(services.PurgeRefused):
        services.journal_purge(before=timezone.localdate() - dt.timedelta(days=364))
    refused = AuditEvent.objects.get(event_type=EventType.JOURNAL_PURGE_REFUSED)
    assert refused.outcome == Outcome.DENIED and refused.data["retention_days"] == 365
    with pytest.raises(CommandError):
        call_command("audit_purge", before=timezone.localdate().isoformat())


def test_retention_can_be_lengthened_but_never_shortened(settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    assert services.retention_days() == 365
    settings.AUDIT_RETENTION_DAYS = 3650
    assert services.retention_days() == 3650


def test_database_refuses_purging_young_events_whatever_the_application_asks(
    monkeypatch: pytest.MonkeyPatch, signing_key: Ed25519PrivateKey
) -> None:
    _journal_with_old_events(monkeypatch, signing_key)
    with pytest.raises(DatabaseError), transaction.atomic():
        with guard.maintenance(guard.MODE_PURGE), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 5


def test_purge_of_old_events_keeps_the_journal_verifiable(
    monkeypatch: pytest.MonkeyPatch, signing_key: Ed25519PrivateKey
) -> None:
    _journal_with_old_events(monkeypatch, signing_key)
    result = services.journal_purge(before=timezone.localdate() - dt.timedelta(days=366))
    assert (result.deleted, result.through_position) == (3, 3)
    assert AuditLeaf.objects.count() == 5 and AuditEvent.objects.count() == 3  # 2 young + the purge
    sealer.seal(key=signing_key)
    assert verify.verify().ok
    # The purge excuses only what it purged: a younger event deleted later is still found.
    with as_dba() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE id = (SELECT event_id FROM audit_auditleaf WHERE position = 4)"
        )
    assert verify.verify().first_bad_position == 4


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_slow_transaction_is_never_skipped_by_the_sealer(signing_key: Ed25519PrivateKey) -> None:
    """PostgreSQL commits concurrently: an event committed after a later-id event was sealed must
    still be sealed. The sealer waits for every older transaction instead of trusting ids."""
    started, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                record(EventType.USER_UPDATED, obj=("user", "slow"))
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    started.wait(10)
    record(EventType.USER_UPDATED, obj=("user", "fast"))
    sealed_while_open = sealer.seal(key=signing_key).sealed
    release.set()
    thread.join(10)
    objects: set[str] = set()
    deadline = time.monotonic() + 20
    # Another session anywhere on the server (a parallel test run) may hold the horizon back too.
    while not {"slow", "fast"} <= objects and time.monotonic() < deadline:
        sealer.seal_all(key=signing_key)
        objects = {
            e.object_id
            for e in AuditEvent.objects.filter(id__in=AuditLeaf.objects.values("event_id"))
        }
        time.sleep(0.1)
    assert sealed_while_open == 0  # the fast event waits behind the older, open transaction
    assert {"slow", "fast"} <= objects
    assert verify.verify().ok


def test_keygen_writes_a_private_key_once_and_refuses_to_overwrite(
    settings: Any, tmp_path: Path, capsys: Any
) -> None:
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "k" / "key.pem")
    call_command("audit_keygen")
    assert (tmp_path / "k" / "key.pem").stat().st_mode & 0o077 == 0
    assert "BEGIN PUBLIC KEY" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("audit_keygen")
    call_command("audit_keygen", if_missing=True)
    assert AuditEvent.objects.filter(event_type=EventType.SIGNING_KEY_CREATED).count() == 1


def test_sealing_without_a_key_says_how_to_make_one(settings: Any, tmp_path: Path) -> None:
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "none.pem")
    record(EventType.USER_UPDATED, obj=("user", "1"))
    with pytest.raises(signing.SigningKeyMissing, match="audit_keygen"):
        sealer.seal()
    with pytest.raises(CommandError):
        call_command("audit_checkpoint")


def test_sealer_command_and_periodic_task_seal_everything(signing_key: Ed25519PrivateKey) -> None:
    from shoulian.audit.tasks import seal_journal, verify_journal

    record(EventType.USER_UPDATED, obj=("user", "1"))
    call_command("audit_sealer", once=True)
    record(EventType.USER_UPDATED, obj=("user", "2"))
    seal_journal.call_local()
    assert AuditLeaf.objects.count() == AuditEvent.objects.count() == 2
    assert verify_journal.call_local() is True
    assert AuditEvent.objects.get(event_type=EventType.JOURNAL_VERIFIED).outcome == Outcome.SUCCESS


def test_audit_verify_exits_zero_when_intact_and_one_naming_the_position(
    signing_key: Ed25519PrivateKey, capsys: Any
) -> None:
    for k in range(6):
        record(EventType.USER_UPDATED, obj=("user", str(k)))
    sealer.seal(key=signing_key)
    call_command("audit_verify", workers=1)
    assert "审计日志完整" in capsys.readouterr().out
    with as_dba() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE id = (SELECT event_id FROM audit_auditleaf WHERE position = 2)"
        )
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", workers=1)
    assert exit_info.value.code == 1
    assert "第一个异常位置 2" in capsys.readouterr().out
    last = AuditEvent.objects.filter(event_type=EventType.JOURNAL_VERIFIED).order_by("-id").first()
    assert (
        last is not None
        and last.outcome == Outcome.FAILURE
        and last.data["first_bad_position"] == 2
    )
