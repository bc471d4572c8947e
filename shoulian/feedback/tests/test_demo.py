"""The feedback demo seeder: complaints and calls over the workflow demo's closed alerts,
consistent with the 回访 steps the workflow recorded, and idempotent."""

from __future__ import annotations

import pytest

from shoulian.feedback.choices import ComplaintStatus, FollowUpStatus
from shoulian.feedback.demo import seed_feedback
from shoulian.feedback.models import Complaint, FollowUp, FollowUpAttempt
from shoulian.intake.choices import AlertStatus
from shoulian.intake.models import Alert
from shoulian.workflow.demo import seed_workflow
from shoulian.workflow.tests.test_demo import demo_alerts  # noqa: F401 - the fixture
from shoulian.workflow.workflow import FINAL_STATUSES

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, ...]:
    return (
        Complaint.objects.count(),
        Complaint.objects.filter(status=ComplaintStatus.ANSWERED).count(),
        FollowUp.objects.count(),
        FollowUpAttempt.objects.count(),
    )


def test_feedback_demo_is_consistent_with_the_workflow_and_idempotent(
    demo_alerts: list[Alert],  # noqa: F811
) -> None:
    seed_workflow()
    summary = seed_feedback()
    assert "投诉建议" in summary
    complaints = Complaint.objects.all()
    assert complaints.count() >= 5
    assert complaints.filter(status=ComplaintStatus.ANSWERED).exists()
    assert complaints.filter(status=ComplaintStatus.RECEIVED).exists()
    for alert in Alert.objects.all():
        task = FollowUp.objects.filter(alert=alert).first()
        if alert.status in FINAL_STATUSES:
            assert task is not None and task.status in (
                FollowUpStatus.OPEN, FollowUpStatus.WAITING, FollowUpStatus.UNREACHABLE,
            ), alert.number  # fmt: skip
        elif alert.status == AlertStatus.FOLLOWED_UP:
            assert task is not None and task.status in (
                FollowUpStatus.DONE, FollowUpStatus.UNREACHABLE,
            ), alert.number  # fmt: skip
        else:
            assert task is None or task.status == FollowUpStatus.CANCELLED, alert.number
    before = snapshot()
    seed_feedback()
    assert snapshot() == before
