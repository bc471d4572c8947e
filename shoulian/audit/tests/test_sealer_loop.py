"""Issue 13 §4: the sealer loop survives database errors — it backs off, reconnects, journals each
distinct error once — and its lag is what ``/healthz`` and ``manage.py health`` report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import OperationalError, connection

from shoulian.audit import sealer, verify
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.models import AuditEvent, AuditLeaf

pytestmark = pytest.mark.django_db


class Outage:
    """A database that fails chosen statements, at the driver level (Django's execute wrapper),
    with a chosen error message, until ``lift()``."""

    def __init__(self, message: str, *, tables: tuple[str, ...] = ("audit_auditcheckpoint",)):
        self.message = message
        self.tables = tables
        self.active = True
        self.failed = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any
    ) -> Any:
        if self.active and sql.lstrip().upper().startswith("INSERT"):
            if any(table in sql for table in self.tables):
                self.failed += 1
                raise OperationalError(self.message)
        return execute(sql, params, many, ctx)

    def lift(self) -> None:
        self.active = False


@contextmanager
def failing(outage: Outage) -> Iterator[Outage]:
    with connection.execute_wrapper(outage):
        yield outage


def run(
    steps: int, *, key: Ed25519PrivateKey, on_step: Callable[[int], None] = lambda n: None
) -> tuple[list[float], sealer.LoopState]:
    """Run the loop for ``steps`` attempts with a fake clock; return the backoff after each."""
    waits: list[float] = []
    attempts = {"n": 0}
    clock = {"t": 0.0}
    step = sealer.seal_step

    def counted(state: sealer.LoopState, **kwargs: Any) -> float:
        attempts["n"] += 1
        on_step(attempts["n"])
        wait = step(state, **kwargs)
        waits.append(wait)
        return wait

    def sleep(seconds: float) -> None:
        clock["t"] += seconds

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sealer, "seal_step", counted)
        state = sealer.run_loop(
            key=key,
            interval=0.25,
            should_stop=lambda: attempts["n"] >= steps,
            sleep=sleep,
            now=lambda: clock["t"],
        )
    return waits, state


def db_errors() -> list[dict[str, Any]]:
    return [
        e.data
        for e in AuditEvent.objects.filter(event_type=EventType.SEALER_DB_ERROR).order_by("id")
    ]


def test_disk_full_at_commit_backs_off_journals_once_and_seals_after_recovery(
    signing_key: Ed25519PrivateKey,
) -> None:
    for k in range(3):
        record(EventType.USER_UPDATED, obj=("user", str(k)))
    outage = Outage("database or disk is full")
    with failing(outage):
        waits, state = run(8, key=signing_key, on_step=lambda n: outage.lift() if n == 7 else None)
    assert outage.failed == 6  # six attempts failed, the loop went on
    # One event for the error, one for the recovery; not one per retry.
    errors = db_errors()
    assert [e["recovered"] for e in errors] == [False, True]
    assert "disk is full" in errors[0]["error"] and errors[1]["attempts"] == 6
    # Backoff: the waits double while it fails; after recovery the normal interval again.
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 0.0, 0.0]
    assert state.error is None and state.unjournalled == []
    # Everything committed is sealed, the journal's own error events included, and verifies.
    sealer.seal_all(key=signing_key)
    assert AuditLeaf.objects.count() == AuditEvent.objects.count()
    assert verify.verify(workers=1).ok


def test_distinct_errors_are_journalled_once_each(signing_key: Ed25519PrivateKey) -> None:
    record(EventType.USER_UPDATED, obj=("user", "1"))
    first, second = Outage("disk I/O error"), Outage("database is locked")
    with failing(first):
        run(3, key=signing_key)
    with failing(second):
        run(3, key=signing_key)
    texts = [e["error"] for e in db_errors() if not e["recovered"]]
    assert len(texts) == 2 and "disk I/O" in texts[0] and "locked" in texts[1]


def test_an_error_the_journal_cannot_take_either_is_journalled_when_the_database_is_back(
    signing_key: Ed25519PrivateKey,
) -> None:
    record(EventType.USER_UPDATED, obj=("user", "1"))
    outage = Outage(
        "database or disk is full", tables=("audit_auditcheckpoint", "audit_auditevent")
    )
    with failing(outage):
        run(6, key=signing_key, on_step=lambda n: outage.lift() if n == 5 else None)
    errors = db_errors()
    assert [e["recovered"] for e in errors] == [False, True]


def test_the_sealer_command_keeps_running_through_database_errors(
    signing_key: Ed25519PrivateKey,
) -> None:
    """Before issue 13 the first database error ended the command (and nothing restarted it)."""
    record(EventType.USER_UPDATED, obj=("user", "1"))
    outage = Outage("server closed the connection unexpectedly")
    with failing(outage):
        call_command("audit_sealer", interval=0.01, max_seconds=1.2)
    assert outage.failed >= 2
    assert len(db_errors()) == 1


def test_sealer_lag_is_the_age_of_the_oldest_unsealed_event(
    signing_key: Ed25519PrivateKey,
) -> None:
    import time_machine
    from django.utils import timezone

    assert sealer.lag_seconds()[0] == 0.0 or AuditEvent.objects.exists()
    sealer.seal_all(key=signing_key)
    assert sealer.lag_seconds()[0] == 0.0
    record(EventType.USER_UPDATED, obj=("user", "1"))
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=90)):
        lag, detail = sealer.lag_seconds()
    assert lag is not None and 89 < lag < 100 and "等待" in detail
    sealer.seal_all(key=signing_key)
    assert sealer.lag_seconds()[0] == 0.0
