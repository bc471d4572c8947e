"""Which version of a patrol rule's settings is in force for a bureau (the same reading as the
deadline rules: defaults plus the bureau's own, latest ``effective_from`` on or before the day,
ties to the one written last)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from shoulian.core import versioning
from shoulian.supervision.models import PatrolRule


def chain(code: str, bureau_id: int | None) -> QuerySet[PatrolRule]:
    return versioning.chain(PatrolRule, bureau_id, code=code)


def pick(versions: Iterable[PatrolRule], on: dt.date) -> PatrolRule | None:
    return versioning.pick(versions, on)


def in_force_all(bureau_id: int | None, on: dt.date) -> dict[str, PatrolRule]:
    """Every rule's version in force on ``on`` for a bureau, in one query."""
    by_code: dict[str, list[PatrolRule]] = {}
    for rule in versioning.chain(PatrolRule, bureau_id):
        by_code.setdefault(rule.code, []).append(rule)
    result = {}
    for code, rows in by_code.items():
        chosen = pick(rows, on)
        if chosen is not None:
            result[code] = chosen
    return result


def in_force(code: str, bureau_id: int | None, on: dt.date) -> PatrolRule | None:
    return pick(list(chain(code, bureau_id)), on)


def next_version_number(code: str, bureau_id: int | None) -> int:
    return max(chain(code, bureau_id).values_list("version", flat=True), default=0) + 1
