"""Pinned query plans of the 回访任务 and 投诉建议 pages (issue 14): each list's main statements
read their order from an index, so a later change cannot bring back a sort of every task or
complaint of the bureau (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from shoulian.core.paging import explain, past_cursor, scans_table
from shoulian.feedback.choices import ComplaintStatus, FollowUpStatus
from shoulian.feedback.models import Complaint, FollowUp
from shoulian.feedback.selectors import complaints_answered, follow_ups_done

pytestmark = pytest.mark.django_db


def assert_index(qs: QuerySet[Any], table: str, index: str) -> None:
    plan = explain(qs)
    assert index in plan, plan
    assert not scans_table(plan, table), plan


def test_the_follow_up_queues_read_their_order_from_an_index(clerk: Any) -> None:
    visible = FollowUp.objects.visible_by_order(clerk)
    for status in (FollowUpStatus.OPEN, FollowUpStatus.WAITING):
        dated = visible.filter(status=status, due_at__isnull=False)
        undated = visible.filter(status=status, due_at__isnull=True)
        for qs in (
            dated.order_by("due_at", "opened_at", "pk")[:300],
            undated.order_by("due_at", "opened_at", "pk")[:300],
        ):
            assert_index(qs, "feedback_followup", "follow_up_due_idx")


def _keyset_statements(qs: QuerySet[Any], field: str) -> list[QuerySet[Any]]:
    """The statements of core.paging.keyset_page over ``qs``: first, older, newer, last page."""
    moment, pk = timezone.now(), 10**6
    desc, asc = qs.order_by(f"-{field}", "-pk"), qs.order_by(field, "pk")
    return [
        desc[:31],
        desc.filter(past_cursor(field, moment, pk, "lt"))[:31],
        asc.filter(past_cursor(field, moment, pk, "gt"))[:31],
        asc[:31],
    ]


def test_the_finished_follow_ups_page_by_keyset_along_the_done_index(clerk: Any) -> None:
    for qs in _keyset_statements(follow_ups_done(clerk), "done_at"):
        assert_index(qs, "feedback_followup", "follow_up_done_idx")


def test_the_answered_complaints_page_by_keyset_along_the_answered_index(head: Any) -> None:
    for qs in _keyset_statements(complaints_answered(head), "answered_at"):
        assert_index(qs, "feedback_complaint", "complaint_answered_idx")


def test_the_complaint_lists_read_their_order_from_an_index(head: Any) -> None:
    visible = Complaint.objects.visible_by_order(head)
    waiting = visible.filter(status=ComplaintStatus.RECEIVED).order_by("submitted_at", "pk")
    assert_index(waiting[:200], "feedback_complaint", "complaint_waiting_idx")
    answered = visible.filter(status=ComplaintStatus.ANSWERED, answered_at__isnull=False)
    assert_index(
        answered.order_by("-answered_at", "-pk")[:200],
        "feedback_complaint",
        "complaint_answered_idx",
    )
