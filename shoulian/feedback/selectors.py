"""Reads of the feedback app. Staff reads go through ``visible_to(user)``; the citizen reads a
complaint only as a ``PublicComplaint`` of allow-listed fields (Z7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from shoulian.core.paging import COUNT_CAP, capped_count
from shoulian.core.text import last_day
from shoulian.deadlines.models import Deadline
from shoulian.deadlines.selectors import QueueItem, queue_item
from shoulian.feedback.choices import (
    ComplaintKind,
    ComplaintStatus,
    FollowUpStatus,
)
from shoulian.feedback.models import Complaint, FollowUp, FollowUpAttempt
from shoulian.feedback.numbering import normalize_query_code
from shoulian.feedback.services import (
    COMPLAINT_OBJECT_TYPE,
    COMPLAINT_RULE,
    complaint_deadline,
)
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for
from shoulian.privacy.validators import normalize_mobile


# --- the citizen's view (agreed interface with shoulian.citizen) ----------------------------------
@dataclass(frozen=True)
class PublicComplaint:
    """What the complainant may read: nothing about the content's people, the staff or the unit's
    internal handling beyond the answer itself."""

    number: str
    kind_label: str
    submitted_at: dt.datetime
    status_label: str
    due_date: dt.date | None
    answer_text: str
    answered_at: dt.datetime | None

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


def complaint_by_query_code(code: str) -> Complaint | None:
    normalized = normalize_query_code(code or "")
    if not normalized:
        return None
    return (
        Complaint.objects.select_related("bureau", "center").filter(query_code=normalized).first()
    )


def complaint_mobile_matches(complaint: Complaint, mobile: str) -> bool:
    """Compares keyed hashes, never the clear value; any malformed input simply does not match."""
    try:
        canonical = normalize_mobile((mobile or "").strip())
    except Exception:  # noqa: BLE001 - every malformed number is a plain mismatch (Z7)
        return False
    stored = complaint.mobile_index
    return bool(stored) and stored == index_for(canonical, Kind.PHONE)


def _public(complaint: Complaint, deadline: Deadline | None) -> PublicComplaint:
    return PublicComplaint(
        number=complaint.number,
        kind_label=str(ComplaintKind(complaint.kind).label),
        submitted_at=complaint.submitted_at,
        status_label=str(ComplaintStatus(complaint.status).label),
        due_date=last_day(deadline.due_at) if deadline is not None else None,
        answer_text=complaint.answer if complaint.status == ComplaintStatus.ANSWERED else "",
        answered_at=complaint.answered_at if complaint.status == ComplaintStatus.ANSWERED else None,
    )


def public_complaint(complaint: Complaint) -> PublicComplaint:
    return _public(complaint, complaint_deadline(complaint))


def public_complaints_for_alert(alert: Any) -> list[PublicComplaint]:
    """The complaints filed about ``alert``, oldest first, with their due dates (two queries)."""
    complaints = list(Complaint.objects.filter(alert=alert).order_by("submitted_at", "pk"))
    deadlines = _deadlines_by_complaint(complaints)
    return [_public(c, deadlines.get(str(c.pk))) for c in complaints]


def _deadlines_by_complaint(complaints: list[Complaint]) -> dict[str, Deadline]:
    if not complaints:
        return {}
    rows = (
        Deadline.objects.filter(
            object_type=COMPLAINT_OBJECT_TYPE,
            object_id__in=[str(c.pk) for c in complaints],
            code=COMPLAINT_RULE,
        )
        .select_related("rule")
        .prefetch_related("pauses")
        .order_by("started_at", "id")
    )
    return {d.object_id: d for d in rows}


# --- staff reads ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    deadline: QueueItem | None


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    return Complaint.objects.visible_to(user)


# Rows of a queue page (issue 14): the most urgent this many, the rest counted up to COUNT_CAP.
QUEUE_PAGE = 30


def waiting_complaints(user: Any) -> QuerySet[Complaint]:
    """The unanswered ones, oldest first (they are the ones running out of time): the
    ``(status, submitted_at, id)`` index walked with the unit checked on the way."""
    qs = Complaint.objects.visible_by_order(user).select_related("alert", "center", "source_unit")
    return qs.filter(status=ComplaintStatus.RECEIVED).order_by("submitted_at", "pk")


def complaints_waiting(user: Any, *, limit: int | None = None) -> list[Complaint]:
    """The oldest ``limit`` (default ``QUEUE_PAGE``) unanswered ones (``complaint_rows`` adds
    each one's deadline band): a page costs the same whatever the backlog (issue 14)."""
    return list(waiting_complaints(user)[: QUEUE_PAGE if limit is None else limit])


def complaints_answered(user: Any) -> QuerySet[Complaint]:
    """The answered ones for keyset pages on ``(answered_at, id)`` newest first (issue 14): the
    ``(status, answered_at, id)`` index, no sort of every answer the bureau ever gave."""
    return (
        Complaint.objects.visible_by_order(user)
        .filter(status=ComplaintStatus.ANSWERED, answered_at__isnull=False)
        .select_related("alert", "center", "source_unit")
    )


def complaint_rows(
    complaints: list[Complaint], *, now: dt.datetime | None = None
) -> list[ComplaintRow]:
    """Each complaint with its deadline's colour band (one query for the lot)."""
    now = now or timezone.now()
    deadlines = _deadlines_by_complaint(complaints)
    return [
        ComplaintRow(c, queue_item(deadlines[str(c.pk)], now) if str(c.pk) in deadlines else None)
        for c in complaints
    ]


def complaint_for_detail(user: Any, pk: int) -> Complaint:
    complaint = (
        complaints_visible_to(user)
        .select_related("alert", "center", "bureau", "source_unit", "answered_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise Http404("投诉建议不存在")
    return complaint


def complaint_deadline_item(
    complaint: Complaint, now: dt.datetime | None = None
) -> QueueItem | None:
    deadline = complaint_deadline(complaint)
    return None if deadline is None else queue_item(deadline, now or timezone.now())


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    overdue: bool
    callable_now: bool


QUEUE_LIMIT = QUEUE_PAGE


def _due_first(qs: QuerySet[FollowUp], limit: int) -> list[FollowUp]:
    """Earliest due first, then those without a due date (oldest first): two reads of the
    ``(status, due_at, opened_at, id)`` index that stop after ``limit`` rows, where one
    ``ORDER BY due_at NULLS LAST`` would sort every task of the status (SQLite's index keeps
    nulls first)."""
    rows = list(qs.filter(due_at__isnull=False).order_by("due_at", "opened_at", "pk")[:limit])
    if len(rows) < limit:
        # due_at first although it is NULL throughout: PostgreSQL then reads the order from the
        # index instead of sorting (it does not take IS NULL as an equality for the order).
        undated = qs.filter(due_at__isnull=True).order_by("due_at", "opened_at", "pk")
        rows += undated[: limit - len(rows)]
    return rows


def follow_up_queue(user: Any, *, now: dt.datetime | None = None) -> list[FollowUpRow]:
    """Open tasks oldest due first, then those waiting for the 复议/复核 windows; at most
    ``QUEUE_LIMIT`` rows, the rest counted by ``follow_ups_pending`` (issue 14: a page of
    every open task cost its rows' time)."""
    now = now or timezone.now()
    visible = FollowUp.objects.visible_by_order(user).select_related(
        "alert", "alert__handling_unit", "alert__category", "center"
    )
    tasks = _due_first(visible.filter(status=FollowUpStatus.OPEN), QUEUE_LIMIT)
    tasks += _due_first(visible.filter(status=FollowUpStatus.WAITING), QUEUE_LIMIT)
    result = []
    for f in tasks:
        callable_now = f.status == FollowUpStatus.OPEN or (
            f.ready_at is not None and f.ready_at <= now
        )
        result.append(FollowUpRow(f, f.is_overdue(now) and callable_now, callable_now))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    result.sort(
        key=lambda r: (
            not r.callable_now,
            r.follow_up.due_at or far,
            r.follow_up.opened_at,
            r.follow_up.pk,
        )
    )
    return result[:QUEUE_LIMIT]


def follow_ups_pending(user: Any) -> int:
    """How many tasks are open or waiting, up to ``COUNT_CAP + 1``."""
    visible = FollowUp.objects.visible_by_order(user)
    total = capped_count(visible.filter(status=FollowUpStatus.OPEN))
    if total <= COUNT_CAP:
        total += capped_count(visible.filter(status=FollowUpStatus.WAITING))
    return min(total, COUNT_CAP + 1)


def follow_ups_done(user: Any) -> QuerySet[FollowUp]:
    """The finished tasks for keyset pages on ``(done_at, id)`` newest first (``done_at`` is set
    exactly when a task ends, 办结 or 联系不上, and never cleared): the ``(done_at, id)`` index
    walked with the unit checked on the way (no sort of every finished task, issue 14)."""
    return (
        FollowUp.objects.visible_by_order(user)
        .filter(done_at__isnull=False)
        .select_related("alert", "done_by")
    )


def follow_up_for_detail(user: Any, pk: int) -> FollowUp:
    follow_up = (
        FollowUp.objects.visible_to(user)
        .select_related("alert", "alert__handling_unit", "alert__category", "center", "done_by")
        .prefetch_related(
            Prefetch(
                "attempts_made",
                queryset=FollowUpAttempt.objects.select_related("by").order_by("at", "pk"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if follow_up is None:
        raise Http404("回访任务不存在")
    return follow_up
