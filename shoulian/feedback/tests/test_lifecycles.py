"""Complaints and follow-up tasks on the lifecycle engine: one compare-and-set, one journal event
per accepted move, refusals journalled so that they survive the rollback (U1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.core.lifecycle import Guard, Refusal
from shoulian.feedback import services
from shoulian.feedback.choices import FollowUpStatus
from shoulian.feedback.lifecycles import FOLLOW_UPS, FeedbackCtx
from shoulian.feedback.models import FollowUpAttempt
from shoulian.feedback.tests.helpers import follow_up_of
from shoulian.intake.choices import AlertStatus
from shoulian.workflow import workflow
from shoulian.workflow.services import TransitionError
from shoulian.workflow.tests.helpers import approve, fresh, handling, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(clerk: Any, officer: Any, leader: Any, bureau_head: Any) -> Any:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    approve(leader, decision)
    approve(bureau_head, decision)
    return fresh(alert)


def test_a_workflow_refusal_inside_the_follow_up_service_survives_its_rollback(
    closed: Any, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(ctx: workflow.Ctx) -> None:
        raise Refusal("window_open", "报案人申请复议、复核的期限尚未届满，不能回访办结。")

    # The workflow refuses the 回访 step that follow_up_record takes inside its own transaction.
    monkeypatch.setitem(
        workflow.guards._guards,
        "no_open_reconsideration",
        Guard("no_open_reconsideration", refuse),
    )
    task = follow_up_of(closed)
    with pytest.raises(TransitionError, match="期限尚未届满"):
        services.follow_up_record(
            actor=clerk, follow_up=task, reached=True, satisfaction="satisfied"
        )
    # The outer transaction rolled back: no attempt, the task and the alert as they were …
    assert not FollowUpAttempt.objects.exists()
    assert follow_up_of(closed).status == FollowUpStatus.OPEN
    assert fresh(closed).status == AlertStatus.CRIMINAL_CASE
    assert not AuditEvent.objects.filter(event_type=EventType.FOLLOW_UP_RECORDED).exists()
    # … and the refusal is still on record (U1).
    [denial] = AuditEvent.objects.filter(event_type=EventType.WORKFLOW_REFUSED)
    assert denial.outcome == Outcome.DENIED and denial.actor_id == clerk.pk
    assert (denial.object_type, denial.object_id) == ("alert", str(closed.pk))
    assert denial.data["code"] == "window_open" and denial.data["action"] == "follow_up"


def test_a_refused_follow_up_call_is_journalled_once(closed: Any, officer: Any) -> None:
    before = AuditEvent.objects.filter(event_type=EventType.ACCESS_DENIED).count()
    with pytest.raises(PermissionDenied):
        services.follow_up_record(
            actor=officer, follow_up=follow_up_of(closed), reached=False, note="未接"
        )
    denials = AuditEvent.objects.filter(event_type=EventType.ACCESS_DENIED)
    assert denials.count() == before + 1
    assert denials.last().data["action"] == "follow_up_record"  # type: ignore[union-attr]


def test_a_conflicting_call_is_refused_and_changes_nothing(closed: Any, clerk: Any) -> None:
    task = follow_up_of(closed)
    services.follow_up_record(actor=clerk, follow_up=task, reached=False)
    with pytest.raises(ValidationError, match="刷新"):
        services.follow_up_record(
            actor=clerk, follow_up=task, reached=False, expected_version=task.version - 1
        )
    assert follow_up_of(closed).attempts == 1


def test_staff_cannot_apply_the_tasks_system_rows(closed: Any, clerk: Any) -> None:
    task = follow_up_of(closed)
    ctx = FeedbackCtx(actor=clerk, obj=task, action="cancel")
    with pytest.raises(Refusal) as caught:
        FOLLOW_UPS.checked_row(ctx, task.status, "cancel", "")
    assert caught.value.permission
    assert [r.action for r in FOLLOW_UPS.available(ctx, task.status)] == [
        "attempt",
        "record",
        "give_up",
    ]
