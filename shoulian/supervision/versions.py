"""Which version of a patrol rule's settings is in force for a bureau (the same reading as the
deadline rules: defaults plus the bureau's own, latest ``effective_from`` on or before the day,
ties to the one written last)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save

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


# --- The versions in force, kept between evaluations --------------------------------------------
#
# An incremental evaluation runs with every step of every alert; reading every rule's versions
# each time is the same answer almost always. Versions are never edited (a change is a new row),
# so the table's row count and its newest row (id and writing time) name its content: the caller
# reads that generation in a statement it makes anyway (``generation()``), and the versions are
# read again only when it moved (a rule revised, by any process) or the day changed. The time
# tells apart two rows given the same id in turn (SQLite reuses the id of a rolled-back insert);
# a revision in this process also empties the cache at once.

Generation = tuple[Any, ...]
_CACHE: dict[tuple[int | None, dt.date, Generation], dict[str, PatrolRule]] = {}
_CACHE_SIZE = 64


def generation() -> dict[str, Subquery]:
    """Annotations that read the versions' generation along with another statement's rows."""
    # A plain function over the whole table (no GROUP BY): one row, one number.
    count = PatrolRule.objects.order_by().annotate(n=Func(F("pk"), function="COUNT"))
    latest = PatrolRule.objects.order_by("-pk")[:1]
    return {
        "rules_count": Subquery(count.values("n"), output_field=IntegerField()),
        "rules_latest": Subquery(latest.values("pk")),
        "rules_written": Subquery(latest.values("created_at")),
    }


def generation_of(row: Any) -> Generation:
    """The generation read by ``generation()``'s annotations on ``row``."""
    return (row.rules_latest, row.rules_count, row.rules_written)


def in_force_at(bureau_id: int | None, on: dt.date, gen: Generation) -> dict[str, PatrolRule]:
    """``in_force_all``, read again only when ``gen`` (from ``generation()``) or the day moved.
    The rows are shared between evaluations: read them, never change them."""
    key = (bureau_id, on, gen)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        found = _CACHE[key] = in_force_all(bureau_id, on)
    return found


def _forget(**kwargs: Any) -> None:
    _CACHE.clear()


post_save.connect(_forget, sender=PatrolRule, dispatch_uid="supervision.versions.forget_saved")
post_delete.connect(_forget, sender=PatrolRule, dispatch_uid="supervision.versions.forget_deleted")
