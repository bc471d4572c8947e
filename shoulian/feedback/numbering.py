"""Complaint numbers: ``<bureau code>-TS<YYYY>-<sequence>`` (``35042700-TS2026-00012``).

One series per bureau and year (the 信访 register is kept per bureau and year). The sequence
comes from one counter row per bureau and year, incremented with ``UPDATE … RETURNING`` inside
the submitting transaction: the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE)
serialises concurrent submissions, so two complaints never share a number (R6); the unique index
on ``Complaint.number`` backs that up. Same pattern as ``shoulian.intake.numbering``.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from shoulian.feedback.models import ComplaintNumberCounter
from shoulian.intake.numbering import new_query_code, normalize_query_code
from shoulian.org.models import Unit

__all__ = ["format_number", "new_query_code", "next_sequence", "normalize_query_code"]


def _increment(bureau_id: int, year: int) -> int | None:
    table = ComplaintNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE bureau_id = %s AND year = %s RETURNING last",  # noqa: S608 - table name from model meta
            [bureau_id, year],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def next_sequence(bureau: Unit, year: int) -> int:
    """The next complaint number of ``bureau`` in ``year``; inside the submitting transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("complaint numbers are allocated inside the submitting transaction")
    value = _increment(bureau.pk, year)
    if value is not None:
        return value
    try:
        # A savepoint: losing the race for the year's first number must not abort the caller.
        with transaction.atomic():
            ComplaintNumberCounter.objects.create(bureau=bureau, year=year, last=1)
        return 1
    except IntegrityError:
        value = _increment(bureau.pk, year)
        if value is None:  # pragma: no cover - the row exists, the insert said so
            raise
        return value


def format_number(bureau: Unit, year: int, sequence: int) -> str:
    return f"{bureau.code}-TS{year}-{sequence:05d}"
