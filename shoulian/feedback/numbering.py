"""Complaint numbers: ``<bureau code>-TS<YYYY>-<sequence>`` (``35042700-TS2026-00012``).

One series per bureau and year (the 信访 register is kept per bureau and year). The sequence
comes from one counter row per bureau and year, incremented with ``UPDATE … RETURNING`` inside
the submitting transaction: the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE)
serialises concurrent submissions, so two complaints never share a number (R6); the unique index
on ``Complaint.number`` backs that up. Same pattern as ``shoulian.intake.numbering``.
"""

from __future__ import annotations

from shoulian.core.counters import next_in_series
from shoulian.feedback.models import ComplaintNumberCounter
from shoulian.intake.numbering import new_query_code, normalize_query_code
from shoulian.org.models import Unit

__all__ = ["format_number", "new_query_code", "next_sequence", "normalize_query_code"]


def next_sequence(bureau: Unit, year: int) -> int:
    """The next complaint number of ``bureau`` in ``year``; inside the submitting transaction."""
    return next_in_series(
        ComplaintNumberCounter,
        "complaint numbers are allocated inside the submitting transaction",
        bureau=bureau,
        year=year,
    )


def format_number(bureau: Unit, year: int, sequence: int) -> str:
    return f"{bureau.code}-TS{year}-{sequence:05d}"
