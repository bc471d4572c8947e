"""The inspector's journal (search, CSV export) and the staff timeline of one object.

Every page here is itself journalled (U1, Z6): reading the journal is an event, exporting it is
an event, looking at an object's timeline is an event. The journal has no write endpoint: any
method other than GET/HEAD is answered 405 and recorded as a tamper attempt.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any, TypeVar, cast

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit import selectors, timeline
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.forms import JournalFilterForm
from shoulian.audit.journal import record
from shoulian.audit.selectors import JournalFilter
from shoulian.core.access import role_required
from shoulian.core.paging import capped_count, count_label, keyset_page

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


View = TypeVar("View", bound=Callable[..., Any])


def read_only(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            record(
                EventType.JOURNAL_TAMPER_ATTEMPT,
                outcome=Outcome.DENIED,
                data={"operation": str(request.method), "path": request.path[:200]},
            )
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response: HttpResponseBase = view(request, *args, **kwargs)
        return response

    return cast(View, wrapped)


def _filters(request: HttpRequest) -> tuple[JournalFilterForm, JournalFilter]:
    form = JournalFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.filters()
    return form, JournalFilter()


@role_required(Role.INSPECTOR)
@read_only
def journal_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    events = selectors.journal_events(user=request.user, filters=filters)
    # Keyset pages on (occurred_us, id) and a capped count (issue 14): no OFFSET, no COUNT of
    # the whole journal.
    page = keyset_page(events, request.GET, time_field="occurred_us", size=PAGE_SIZE)
    rows = selectors.journal_rows(page.rows)
    position = [
        f"{k}={request.GET[k][:40]}" for k in ("older", "newer", "last") if k in request.GET
    ]
    record(
        EventType.JOURNAL_READ,
        data={
            "filters": filters.as_data(),
            "page": " ".join(position) or "first",
            "rows": len(rows),
        },
    )
    query = request.GET.copy()
    for key in ("older", "newer", "last"):
        query.pop(key, None)
    return render(
        request,
        "audit/journal.html",
        {
            "form": form,
            "page": page,
            "total": count_label(capped_count(events)),
            "rows": rows,
            "status": selectors.journal_status(),
            "query": query.urlencode(),
        },
    )


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell must never start a formula when the CSV is opened.
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(events: Any, limit: int) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 Chinese correctly only with a byte order mark
    yield writer.writerow(
        [
            "日志序号",
            "事件编号",
            "时间(UTC)",
            "时间(北京时间)",
            "类型编号",
            "事件类型",
            "操作人",
            "用户名",
            "角色",
            "单位路径",
            "来源地址",
            "渠道",
            "请求编号",
            "对象类型",
            "对象编号",
            "结果",
            "内容",
        ]
    )
    batch: list[Any] = []

    def flush() -> Iterator[str]:
        for row in selectors.journal_rows(batch):
            e = row.event
            yield writer.writerow(
                [
                    _cell(x)
                    for x in (
                        row.position,
                        e.pk,
                        e.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        timezone.localtime(e.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                        e.event_type,
                        row.type_label,
                        row.actor_name,
                        e.actor_username,
                        e.actor_roles,
                        e.actor_unit_path,
                        e.source_ip,
                        e.channel,
                        e.request_id,
                        e.object_type,
                        e.object_id,
                        e.get_outcome_display(),
                        json.dumps(row.data, ensure_ascii=False, sort_keys=True),
                    )
                ]
            )

    for event in events[:limit].iterator(chunk_size=1000):
        batch.append(event)
        if len(batch) == 1000:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


@role_required(Role.INSPECTOR)
@read_only
def journal_export(request: HttpRequest) -> StreamingHttpResponse:
    _, filters = _filters(request)
    events = selectors.journal_events(user=request.user, filters=filters)
    count = min(events.count(), EXPORT_LIMIT)
    record(
        EventType.JOURNAL_EXPORTED,
        data={"filters": filters.as_data(), "rows": count, "limit": EXPORT_LIMIT},
    )
    response = StreamingHttpResponse(
        _csv_lines(events, EXPORT_LIMIT), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-journal-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@read_only
def object_timeline(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    obj = timeline.resolve(request.user, object_type, object_id)
    if obj is None:
        # Not registered, not visible and missing all answer alike (Z3).
        raise Http404("没有找到该对象。")
    entries = selectors.object_timeline(
        user=request.user, object_type=object_type, object_id=object_id
    )
    record(EventType.TIMELINE_READ, obj=(object_type, object_id), data={"entries": len(entries)})
    context = {
        "entries": entries,
        "status": selectors.object_status(object_type, object_id),
        "object_label": str(obj),
    }
    template = (
        "audit/_timeline.html" if getattr(request, "htmx", False) else "audit/timeline_page.html"
    )
    return render(request, template, context)
