"""Alert numbers and query codes.

An alert number reads ``<registering unit code>-<YYYYMMDD>-<sequence>`` (``35042701-20260715-0012``):
the unit and the day are visible at a glance and the sequence restarts every day. The sequence comes
from one counter row per unit and day, incremented with ``UPDATE … RETURNING`` inside the caller's
transaction: the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) serialises
concurrent intakes, so two alerts never share a number (R6); the unique index on ``Alert.number``
backs that up.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.db import IntegrityError, connection, transaction

from shoulian.intake.models import AlertNumberCounter
from shoulian.org.models import Unit

# No 0/O, 1/I/L: the code is read aloud on the phone and typed from paper.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 10  # 31**10 ≈ 2**49.5: not guessable within the query throttle (Z7)


def _increment(unit_id: int, day: date) -> int | None:
    table = AlertNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE unit_id = %s AND day = %s RETURNING last",  # noqa: S608 - table name from model meta
            [unit_id, day],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def next_sequence(unit: Unit, day: date) -> int:
    """The next number of ``unit`` on ``day``; must run inside the registering transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("alert numbers are allocated inside the registering transaction")
    value = _increment(unit.pk, day)
    if value is not None:
        return value
    try:
        # A savepoint: losing the race for the first number of the day must not abort the caller.
        with transaction.atomic():
            AlertNumberCounter.objects.create(unit=unit, day=day, last=1)
        return 1
    except IntegrityError:
        value = _increment(unit.pk, day)
        if value is None:  # pragma: no cover - the row exists, the insert said so
            raise
        return value


def format_number(unit: Unit, day: date, sequence: int) -> str:
    return f"{unit.code}-{day:%Y%m%d}-{sequence:04d}"


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalize_query_code(value: str) -> str:
    """What a citizen types (lower case, spaces, the printed hyphen) → the stored form."""
    return "".join(ch for ch in value.upper() if ch.isalnum())
