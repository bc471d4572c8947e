"""Append-only enforcement: the application side (Z6) and the database's maintenance modes (U3, U6).

Application side: the journal models refuse every ORM update, delete and any insert that does
not come from the journal API or the sealer, raise ``JournalAppendOnly`` (a ``PermissionDenied``,
so a view answers 403) and journal the attempt through a path that commits even when the caller's
transaction is rolled back (``record_committed``).

Database side: the triggers of migration 0002 refuse UPDATE always, and DELETE/TRUNCATE unless the
connection is in a maintenance mode:

- ``purge``: deletes of event bodies older than the 365-day floor (``audit_purge``); younger rows are
  refused by the trigger itself, whatever the application asks (U6).
- ``flush``: Django's test-database flush, only where the settings module says so with
  ``AUDIT_ALLOW_FLUSH = True`` (config/settings_test.py does; no other settings module may).

SQLite sees the mode through a function registered on each connection the application opens
(``shoulian_audit_mode()``); the sqlite3 shell has no such function, so its deletes fail too.
PostgreSQL sees it through a transaction-local setting. Both are guards against the application
and its bugs, not against a database administrator, who can drop triggers: that is what the hash
chain and the signed checkpoints are for (docs/audit.md, threat model).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, transaction

log = logging.getLogger(__name__)

MODE_STRICT = ""
MODE_PURGE = "purge"
MODE_FLUSH = "flush"
_SQLITE_MODE_ATTR = "_shoulian_audit_mode"
SQLITE_MODE_FUNCTION = "shoulian_audit_mode"
PG_MODE_SETTING = "shoulian.audit_mode"

_OPERATIONS = {"update": "修改", "delete": "删除", "insert": "绕过日志接口写入"}

_writer: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "shoulian_audit_writer", default=False
)


class JournalAppendOnly(PermissionDenied):
    pass


@contextlib.contextmanager
def writer() -> Iterator[None]:
    """Marks the journal API and the sealer: the only code allowed to insert journal rows."""
    token = _writer.set(True)
    try:
        yield
    finally:
        _writer.reset(token)


def require_writer(model: Any) -> None:
    if not _writer.get():
        raise refuse("insert", model)


def refuse(operation: str, model: Any) -> JournalAppendOnly:
    """Journal the attempt and return the exception for the caller to raise."""
    table = model._meta.db_table
    record_committed(operation=operation, table=table)
    return JournalAppendOnly(
        f"审计日志只能追加，不能{_OPERATIONS.get(operation, operation)}（{table}）。"
    )


def record_committed(*, operation: str, table: str, extra: dict[str, Any] | None = None) -> None:
    """Write JOURNAL_TAMPER_ATTEMPT so that it survives a rollback of the caller's transaction.

    Outside a transaction the event commits at once. Inside one, PostgreSQL gets it through a
    second connection (an autonomous transaction). SQLite cannot: the caller's transaction holds
    the database's only write lock, so a second connection would wait for us forever; there the
    event joins the caller's transaction (documented limitation).
    """
    from shoulian.audit import journal
    from shoulian.audit.catalogue import EventType, Outcome

    data = {"operation": operation, "table": table, **(extra or {})}
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and connection.vendor == "postgresql":
        body = journal.build_body(
            EventType.JOURNAL_TAMPER_ATTEMPT, outcome=Outcome.DENIED, data=data
        )
        insert_autonomously(body)
        return
    with writer():
        journal.record(EventType.JOURNAL_TAMPER_ATTEMPT, outcome=Outcome.DENIED, data=data)


def insert_autonomously(body: str) -> None:
    """Insert one journal body through a second connection that commits on its own
    (PostgreSQL: the caller's transaction may roll back, this row stays)."""
    from shoulian.audit.models import AuditEvent

    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {other.ops.quote_name(AuditEvent._meta.db_table)} "  # noqa: S608
                f"({other.ops.quote_name('body')}) VALUES (%s)",
                [body],
            )
    finally:
        other.close()


# --- Maintenance modes ----------------------------------------------------------------------
def flush_allowed() -> bool:
    """Only an explicit setting allows it: nothing a process can stumble into (a test helper
    imported by a shell, a module attribute) turns it on."""
    return getattr(settings, "AUDIT_ALLOW_FLUSH", False) is True


def current_mode(connection: Any) -> str:
    return str(connection.__dict__.get(_SQLITE_MODE_ATTR, MODE_STRICT))


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: gives the SQLite triggers their view of the mode."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_MODE_FUNCTION, 0, lambda: current_mode(connection), deterministic=False
    )


@contextlib.contextmanager
def maintenance(mode: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    if mode not in (MODE_PURGE, MODE_FLUSH):
        raise ValueError(mode)
    if mode == MODE_FLUSH and not flush_allowed():
        raise JournalAppendOnly("审计日志不能清空：仅测试环境允许。")
    connection = connections[using]
    if connection.vendor == "sqlite":
        previous = current_mode(connection)
        connection.__dict__[_SQLITE_MODE_ATTR] = mode
        try:
            yield
        finally:
            connection.__dict__[_SQLITE_MODE_ATTR] = previous
        return
    # A transaction-local setting: it ends with the transaction (or its savepoint) at the latest.
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [PG_MODE_SETTING, mode])
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [PG_MODE_SETTING, MODE_STRICT])
