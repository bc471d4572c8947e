"""The sealer's transaction-id horizon on PostgreSQL counts only this database's transactions.

Transaction ids are cluster-wide: with the snapshot's xmin as the horizon, a transaction left open
in another database of the same cluster (another application, a reporting job, another test
worker) held every later event of ours unsealed for as long as it stayed open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction

from shoulian.audit import sealer
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.models import AuditEvent, AuditLeaf

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's transaction ids"),
]


def _connect(dbname: str) -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    params = {k: v for k, v in params.items() if k not in {"cursor_factory", "context"}}
    params["dbname"] = dbname
    return psycopg.connect(**params)


@pytest.fixture
def open_transaction() -> Iterator[Any]:
    """A transaction holding a transaction id, left open, in a given database."""
    opened: list[psycopg.Connection[Any]] = []

    def open_in(dbname: str) -> int:
        conn = _connect(dbname)
        opened.append(conn)
        xid = conn.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        assert xid is not None
        return int(xid[0])

    yield open_in
    for conn in opened:
        conn.rollback()
        conn.close()


def _event(n: int) -> AuditEvent:
    with transaction.atomic():
        record(EventType.USER_UPDATED, data={"n": n})
    return AuditEvent.objects.order_by("-id").first()  # type: ignore[return-value]


def test_an_open_transaction_in_another_database_does_not_hold_sealing_back(
    open_transaction: Any, signing_key: Any
) -> None:
    open_transaction("postgres")  # another database of the same cluster, older than our event
    event = _event(1)
    sealer.seal_all()
    assert AuditLeaf.objects.filter(event_id=event.id).exists()


def test_an_open_transaction_in_this_database_still_holds_later_events_back(
    open_transaction: Any, signing_key: Any
) -> None:
    """The safe side: a transaction of ours that is still open could yet commit events with an
    older transaction id, so nothing at or above it is sealed until it ends."""
    open_transaction(connection.settings_dict["NAME"])
    event = _event(2)
    sealer.seal_all()
    assert not AuditLeaf.objects.filter(event_id=event.id).exists()
