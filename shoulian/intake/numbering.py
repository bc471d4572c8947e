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

from shoulian.core.counters import next_in_series
from shoulian.intake.models import AlertNumberCounter
from shoulian.org.models import Unit

# No 0/O, 1/I/L: the code is read aloud on the phone and typed from paper.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 10  # 31**10 ≈ 2**49.5: not guessable within the query throttle (Z7)


def next_sequence(unit: Unit, day: date) -> int:
    """The next number of ``unit`` on ``day``; must run inside the registering transaction."""
    return next_in_series(
        AlertNumberCounter,
        "alert numbers are allocated inside the registering transaction",
        unit=unit,
        day=day,
    )


def format_number(unit: Unit, day: date, sequence: int) -> str:
    return f"{unit.code}-{day:%Y%m%d}-{sequence:04d}"


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalize_query_code(value: str) -> str:
    """What a citizen types (lower case, spaces, the printed hyphen) → the stored form."""
    return "".join(ch for ch in value.upper() if ch.isalnum())
