"""Gap-free per-series counters (alert, complaint and document numbers, R6).

A counter model has the series' key fields and a ``last`` integer with a unique constraint on
the key. The next value comes from ``UPDATE … SET last = last + 1 … RETURNING last`` inside the
caller's transaction: the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE)
serialises concurrent callers, so two never get the same value. The first value of a series
inserts the row in a savepoint; a caller that loses that race increments the winner's row.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, models, transaction


def _increment(model: type[models.Model], key: dict[str, Any]) -> int | None:
    columns = [model._meta.get_field(name).column for name in key]  # type: ignore[union-attr]
    where = " AND ".join(f"{column} = %s" for column in columns)
    values = [getattr(value, "pk", value) for value in key.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET last = last + 1 WHERE {where} RETURNING last",  # noqa: S608 - names from model meta
            values,
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def next_in_series(model: type[models.Model], outside: str, **key: Any) -> int:
    """The next value of the series ``key`` of ``model``; inside the caller's transaction
    (``outside`` is the error raised when called outside one)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(outside)
    value = _increment(model, key)
    if value is not None:
        return value
    try:
        # A savepoint: losing the race for the series' first value must not abort the caller.
        with transaction.atomic():
            model._default_manager.create(**key, last=1)
        return 1
    except IntegrityError:
        value = _increment(model, key)
        if value is None:  # pragma: no cover - the row exists, the insert said so
            raise
        return value
