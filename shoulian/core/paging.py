"""Lists that stay flat in the size of the data (issue 14): keyset pages and capped counts.

A page of a long list is read from where the previous one ended (the last row's ``(time, id)``,
the *cursor*), not with OFFSET: the database walks the index of the list's order from that point
and stops after one page, so the last page costs what the first one does. The first and the last
page are the two ends of the index; "older" and "newer" carry a cursor. A page knows whether
there is more in each direction by reading one row beyond it; the number of pages is not known,
and a list says how many rows it holds only up to ``COUNT_CAP`` ("1000+"), which the database
answers by stopping after that many rows instead of counting a whole table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import DateTimeField, Model, Q, QuerySet

T = TypeVar("T", bound=Model)

# Counts on list pages stop here and read "1000+".
COUNT_CAP = 1000

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def capped_count(qs: QuerySet[Any], cap: int | None = None) -> int:
    """``qs.count()`` up to ``cap + 1`` (default ``COUNT_CAP``): the database stops there."""
    cap = COUNT_CAP if cap is None else cap
    return qs.order_by()[: cap + 1].count()


def queue_total(shown: int, page: int, count: Callable[[], int]) -> int:
    """How many rows a queue page stands for: the ``shown`` ones when they did not fill the
    ``page``, else ``count()`` (a capped count: the database stops at ``COUNT_CAP + 1``)."""
    return count() if shown >= page else shown


def count_label(n: int, cap: int | None = None) -> str:
    cap = COUNT_CAP if cap is None else cap
    return f"{cap}+" if n > cap else str(n)


def encode_cursor(moment: dt.datetime | int, pk: int) -> str:
    """``<µs since 1970>-<id>``; a time kept as an integer (the journal's ``occurred_us``) as is."""
    micros = moment if isinstance(moment, int) else (moment - _EPOCH) // _MICROSECOND
    return f"{micros}-{pk}"


def decode_cursor(cursor: str, *, as_datetime: bool = True) -> tuple[Any, int] | None:
    """``(time, id)`` of a cursor, or None for anything a user may have typed instead."""
    head, _, tail = cursor.partition("-")
    if not (head.isdigit() and tail.isdigit() and len(head) <= 18 and len(tail) <= 18):
        return None
    if not as_datetime:
        return int(head), int(tail)
    try:
        return _EPOCH + int(head) * _MICROSECOND, int(tail)
    except OverflowError:
        return None


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    rows: list[T]
    # Cursors of the older (next) and newer (previous) page; "" where there is none.
    older: str
    newer: str

    @property
    def is_first(self) -> bool:
        return not self.newer

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def keyset_page(
    qs: QuerySet[T],
    params: Mapping[str, str],
    *,
    time_field: str,
    size: int,
) -> KeysetPage[T]:
    """One page of ``qs`` newest first by ``(time_field, id)``, positioned by the request's
    ``params``: ``older=<cursor>`` (the rows after it), ``newer=<cursor>`` (the rows before it),
    ``last=1`` (the oldest page), else the first page. ``time_field`` must not be null in ``qs``.
    """
    desc = qs.order_by(f"-{time_field}", "-pk")
    asc = qs.order_by(time_field, "pk")
    field = qs.model._meta.get_field(time_field)
    as_datetime = isinstance(field, DateTimeField)
    older = decode_cursor(params.get("older", ""), as_datetime=as_datetime)
    newer = decode_cursor(params.get("newer", ""), as_datetime=as_datetime)
    if newer is not None:
        moment, pk = newer
        after = past_cursor(time_field, moment, pk, "gt")
        rows = list(asc.filter(after)[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return _page(rows, time_field, older_exists=bool(rows), newer_exists=more_newer)
    if params.get("last") == "1":
        rows = list(asc[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return _page(rows, time_field, older_exists=False, newer_exists=more_newer)
    if older is not None:
        moment, pk = older
        before = past_cursor(time_field, moment, pk, "lt")
        rows = list(desc.filter(before)[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        return _page(rows, time_field, older_exists=more_older, newer_exists=bool(rows))
    rows = list(desc[: size + 1])
    more_older = len(rows) > size
    return _page(rows[:size], time_field, older_exists=more_older, newer_exists=False)


def past_cursor(time_field: str, moment: Any, pk: int, op: str) -> Q:
    """``(time, id)`` past the cursor, as a range on the time with the tie broken beside it:
    ``time <= t AND (time < t OR id < pk)``. Written as the plain OR of the two cases, SQLite
    reads each case from the index apart and sorts every row past the cursor (a page deep in a
    long list costs the list); the range lets both databases walk the index from the cursor."""
    inclusive = "lte" if op == "lt" else "gte"
    return Q(**{f"{time_field}__{inclusive}": moment}) & (
        Q(**{f"{time_field}__{op}": moment}) | Q(**{f"pk__{op}": pk})
    )


def _page(
    rows: list[T], time_field: str, *, older_exists: bool, newer_exists: bool
) -> KeysetPage[T]:
    def cursor(row: T) -> str:
        return encode_cursor(getattr(row, time_field), row.pk)

    return KeysetPage(
        rows=rows,
        older=cursor(rows[-1]) if rows and older_exists else "",
        newer=cursor(rows[0]) if rows and newer_exists else "",
    )


def explain(qs: QuerySet[Any], *, prefer_index: bool = True, sorts: bool = False) -> str:
    """The plan of ``qs``'s statement on the current database, one line per node (for the plan
    tests of list pages). On PostgreSQL, with ``prefer_index``, sequential scans and sorts are
    priced out (inside the caller's transaction): statistics that earlier tests left on a small
    table must not decide the plan, and a list no index serves still shows a Seq Scan or a Sort.
    A queue that may sort its few open rows passes ``sorts=True`` (only scans are priced out).
    """
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if prefer_index:
                cursor.execute("SET LOCAL enable_seqscan = off")
                if not sorts:
                    cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def scans_table(plan: str, table: str, *, sorts: bool = True) -> bool:
    """Whether ``plan`` reads ``table`` whole or (with ``sorts``) sorts: a Seq Scan or a sort on
    PostgreSQL, a SCAN without an index or a temporary B-tree for the order on SQLite. A queue
    that sorts the few rows of its open statuses passes ``sorts=False``."""
    for line in plan.splitlines():
        if sorts and ("Sort Key" in line or "TEMP B-TREE FOR ORDER BY" in line):
            return True
        if f"Seq Scan on {table}" in line or f'Seq Scan on "{table}"' in line:
            return True
        words = line.replace('"', "").split()
        if "SCAN" in words and table in words and "INDEX" not in words:
            return True
    return False


def explain_sql(sql: str, *, prefer_index: bool = True) -> str:
    """``explain`` for a statement as the test client captured it (``CaptureQueriesContext``
    gives it with its values in place): the plan tests of whole pages."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if prefer_index:
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def drives_from_scope(plan: str, table: str) -> bool:
    """Whether ``plan`` (SQLite) reads ``table`` through the index of a unit foreign key: every
    row of every visible unit fetched to find a few (a queue that should start from its status
    index and check the unit on the way, ``visible_by_order``)."""
    for line in plan.splitlines():
        words = line.replace('"', "").split()
        if "SEARCH" in words and table in words and "INDEX" in words:
            index = words[words.index("INDEX") + 1]
            if "unit" in index and "unit_id=?" in line:
                return True
    return False
