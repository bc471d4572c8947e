"""Follow-up visits: the task opens once when an alert closes (and, for 不予立案, only after the
complainant's windows), the invitation SMS, the outcome, unreachable attempts, dissatisfaction →
and who may do what (a dissatisfied call is a supervision finding: supervision/tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import make_user
from shoulian.feedback import selectors, services
from shoulian.feedback.choices import FollowUpStatus
from shoulian.feedback.models import FollowUp, FollowUpAttempt
from shoulian.feedback.tests.helpers import follow_up_of
from shoulian.intake.choices import AlertStatus, PartyRole
from shoulian.intake.models import AlertParty
from shoulian.intake.tests.helpers import MOBILE, reporter
from shoulian.notify.models import SmsMessage
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.models import FlowStep
from shoulian.workflow.tests.helpers import act, approve, fresh, handling, propose

pytestmark = pytest.mark.django_db


def filed(clerk: Any, officer: Any, leader: Any, bureau_head: Any, **overrides: Any) -> Any:
    alert = handling(clerk, officer, **overrides)
    decision = propose(officer, alert)
    approve(leader, decision)
    approve(bureau_head, decision)
    return fresh(alert)


def not_filed(clerk: Any, officer: Any, leader: Any, bureau_head: Any) -> Any:
    alert = handling(clerk, officer)
    decision = propose(
        officer, alert, DecisionKind.NOT_FILE, facts="经查，车辆系其亲属借用，没有犯罪事实。"
    )
    approve(leader, decision)
    approve(bureau_head, decision)
    return fresh(alert)


@pytest.fixture
def closed(clerk: Any, officer: Any, leader: Any, bureau_head: Any) -> Any:
    return filed(clerk, officer, leader, bureau_head)


# --- opening ------------------------------------------------------------------------------------
def test_closing_an_alert_opens_one_follow_up_task_for_the_center(
    closed: Any, bureau_a: Any
) -> None:
    assert closed.status == AlertStatus.CRIMINAL_CASE
    task = follow_up_of(closed)
    assert task.center == bureau_a.center
    assert task.status == FollowUpStatus.OPEN
    assert task.ready_at is not None
    assert task.due_at == task.ready_at + dt.timedelta(days=services.follow_up_days())
    assert FollowUp.objects.filter(alert=closed).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.FOLLOW_UP_OPENED).count() == 1


def test_alerts_still_in_handling_have_no_follow_up(clerk: Any, officer: Any) -> None:
    alert = handling(clerk, officer)
    propose(officer, alert)
    assert not FollowUp.objects.filter(alert=alert).exists()


def test_the_follow_up_days_are_configurable(
    settings: Any, clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    settings.SHOULIAN_FOLLOW_UP_DAYS = 3
    alert = filed(clerk, officer, leader, bureau_head)
    task = follow_up_of(alert)
    assert task.due_at is not None and task.ready_at is not None
    assert task.due_at - task.ready_at == dt.timedelta(days=3)


def test_the_subscriber_is_idempotent(closed: Any) -> None:
    from shoulian.feedback.subscribers import follow_up_on_transition
    from shoulian.workflow.hooks import TransitionRecord
    from shoulian.workflow.models import FlowStep

    task = follow_up_of(closed)
    step = FlowStep.objects.filter(alert=closed).order_by("-version").first()
    assert step is not None and step.action == Action.DECIDE_CRIMINAL_FILE
    follow_up_on_transition(TransitionRecord.from_step(step))
    assert FollowUp.objects.filter(alert=closed).count() == 1
    assert follow_up_of(closed).version == task.version
    assert AuditEvent.objects.filter(event_type=EventType.FOLLOW_UP_OPENED).count() == 1


def test_invitation_sms_goes_to_each_reporter_with_a_mobile_once(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    parties = (
        reporter(),
        reporter(name="张红", id_number="", id_type="", phone="13900139000"),
        reporter(name="李刚", id_number="", id_type="", phone="0598-5831234"),
        reporter(role=PartyRole.VICTIM, name="赵六", id_number="", id_type="", phone="13700137000"),
    )
    alert = filed(clerk, officer, leader, bureau_head, parties=parties)
    invitations = SmsMessage.objects.filter(template="follow_up", alert=alert)
    assert sorted(m.mobile.plaintext() for m in invitations) == [MOBILE, "13900139000"]
    assert all(m.key.startswith(f"alert:{alert.pk}:follow_up:") for m in invitations)
    for message in invitations:
        assert alert.number in message.text and "王小明" not in message.text
    assert follow_up_of(alert).invited_at is not None


def test_sensitive_categories_get_no_invitation_sms_but_a_task(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = filed(clerk, officer, leader, bureau_head, category_code="0120")
    assert follow_up_of(alert).status == FollowUpStatus.OPEN
    assert not SmsMessage.objects.filter(template="follow_up", alert=alert).exists()


def test_not_filed_alert_waits_for_the_windows_before_the_call(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = not_filed(clerk, officer, leader, bureau_head)
    task = follow_up_of(alert)
    assert task.status == FollowUpStatus.WAITING and task.ready_at is None
    assert not SmsMessage.objects.filter(template="follow_up", alert=alert).exists()

    act(officer, alert, Action.SERVE_NOTICE)
    task = follow_up_of(alert)
    from shoulian.workflow import clock

    window = clock.window_due(alert, "reconsideration_application")
    assert window is not None
    assert task.status == FollowUpStatus.WAITING and task.ready_at == window
    with pytest.raises(ValidationError, match="期限尚未届满"):
        services.follow_up_record(
            actor=clerk, follow_up=task, reached=True, satisfaction="satisfied"
        )

    # The window runs out without an application: the periodic job opens the task and invites.
    assert services.follow_ups_release(now=window + dt.timedelta(minutes=1)) == 1
    task = follow_up_of(alert)
    assert task.status == FollowUpStatus.OPEN
    assert SmsMessage.objects.filter(template="follow_up", alert=alert).count() == 1
    assert services.follow_ups_release(now=window + dt.timedelta(hours=2)) == 0


def test_reconsideration_keeps_the_follow_up_waiting_and_revocation_cancels_it(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = not_filed(clerk, officer, leader, bureau_head)
    act(officer, alert, Action.SERVE_NOTICE)
    applicant = AlertParty.objects.get(alert=alert, role=PartyRole.REPORTER)
    act(clerk, alert, Action.APPLY_RECONSIDERATION, applicant=applicant.pk, grounds="车辆并非借用")
    task = follow_up_of(alert)
    assert task.status == FollowUpStatus.WAITING and task.ready_at is None

    other_chief = make_user("chief2", officer.unit.bureau(), "bureau_head")
    act(other_chief, alert, Action.REVOKE_RECONSIDERATION, reason="事实不清，撤销原决定")
    assert fresh(alert).status == AlertStatus.HANDLING
    assert follow_up_of(alert).status == FollowUpStatus.CANCELLED

    # Handled again and filed: the same task opens again, still one per alert.
    decision = propose(officer, alert)
    approve(leader, decision)
    approve(bureau_head, decision)
    task = follow_up_of(alert)
    assert task.status == FollowUpStatus.OPEN
    assert FollowUp.objects.filter(alert=alert).count() == 1


# --- recording the outcome ---------------------------------------------------------------------------
def test_reached_and_satisfied_moves_the_alert_to_followed_up(closed: Any, clerk: Any) -> None:
    task = follow_up_of(closed)
    done = services.follow_up_record(
        actor=clerk, follow_up=task, reached=True, satisfaction="satisfied", note="报案人表示满意"
    )
    assert done.status == FollowUpStatus.DONE and done.satisfaction == "satisfied"
    assert done.done_by == clerk and done.attempts == 1
    alert = fresh(closed)
    assert alert.status == AlertStatus.FOLLOWED_UP
    step = FlowStep.objects.filter(alert=alert, action=Action.FOLLOW_UP).get()
    assert "满意" in step.reason
    assert AuditEvent.objects.filter(event_type=EventType.ALERT_FOLLOWED_UP).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.FOLLOW_UP_RECORDED).count() == 1


def test_reached_needs_a_satisfaction(closed: Any, clerk: Any) -> None:
    with pytest.raises(ValidationError):
        services.follow_up_record(actor=clerk, follow_up=follow_up_of(closed), reached=True)
    assert not FollowUpAttempt.objects.exists()


def test_unreachable_attempts_keep_the_task_open_up_to_the_limit(
    settings: Any, closed: Any, clerk: Any
) -> None:
    settings.SHOULIAN_FOLLOW_UP_MAX_ATTEMPTS = 3
    task = follow_up_of(closed)
    for n in (1, 2):
        task = services.follow_up_record(
            actor=clerk, follow_up=task, reached=False, note="无人接听"
        )
        assert task.status == FollowUpStatus.OPEN and task.attempts == n
        assert fresh(closed).status == AlertStatus.CRIMINAL_CASE
    task = services.follow_up_record(actor=clerk, follow_up=task, reached=False, note="关机")
    assert task.status == FollowUpStatus.UNREACHABLE and task.attempts == 3
    assert FollowUpAttempt.objects.filter(follow_up=task, reached=False).count() == 3
    # The loop closes without a satisfaction; nothing for supervision.
    assert fresh(closed).status == AlertStatus.FOLLOWED_UP
    assert AuditEvent.objects.filter(event_type=EventType.FOLLOW_UP_ATTEMPTED).count() == 2


def test_a_reached_call_after_unanswered_ones_closes_it(closed: Any, clerk: Any) -> None:
    task = services.follow_up_record(actor=clerk, follow_up=follow_up_of(closed), reached=False)
    task = services.follow_up_record(
        actor=clerk, follow_up=task, reached=True, satisfaction="satisfied"
    )
    assert task.status == FollowUpStatus.DONE and task.attempts == 2


def test_a_done_task_cannot_be_recorded_again(closed: Any, clerk: Any) -> None:
    task = services.follow_up_record(
        actor=clerk, follow_up=follow_up_of(closed), reached=True, satisfaction="satisfied"
    )
    with pytest.raises(ValidationError):
        services.follow_up_record(
            actor=clerk, follow_up=task, reached=True, satisfaction="dissatisfied"
        )


def test_a_stale_form_is_refused(closed: Any, clerk: Any, head: Any) -> None:
    task = follow_up_of(closed)
    services.follow_up_record(actor=head, follow_up=task, reached=False)
    with pytest.raises(ValidationError, match="刷新"):
        services.follow_up_record(
            actor=clerk, follow_up=task, reached=False, expected_version=task.version
        )


def test_follow_up_on_the_alert_page_closes_the_task_too(closed: Any, clerk: Any) -> None:
    act(clerk, closed, Action.FOLLOW_UP, reason="电话回访，报案人满意", satisfied=True)
    task = follow_up_of(closed)
    assert task.status == FollowUpStatus.DONE
    assert task.satisfaction == "satisfied" and task.done_by == clerk
    assert not selectors.follow_up_queue(clerk)


@pytest.mark.parametrize(
    "persona", ["officer", "leader", "legal", "bureau_head", "inspector", "admin_user"]
)
def test_only_center_staff_record_follow_ups(
    persona: str, request: pytest.FixtureRequest, closed: Any
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.follow_up_record(
            actor=user, follow_up=follow_up_of(closed), reached=True, satisfaction="satisfied"
        )
    assert fresh(closed).status == AlertStatus.CRIMINAL_CASE
    assert not FollowUpAttempt.objects.exists()


def test_another_bureaus_center_cannot_record(closed: Any, bureau_b: Any) -> None:
    other_clerk = make_user("bclerk", bureau_b.center, "clerk")
    with pytest.raises(PermissionDenied):
        services.follow_up_record(actor=other_clerk, follow_up=follow_up_of(closed), reached=False)


def test_auxiliary_clerk_may_record_a_follow_up(closed: Any, auxiliary_clerk: Any) -> None:
    # 回访 is no legal decision (the workflow's FOLLOW_UP row is open to every center clerk).
    done = services.follow_up_record(
        actor=auxiliary_clerk,
        follow_up=follow_up_of(closed),
        reached=True,
        satisfaction="satisfied",
    )
    assert done.status == FollowUpStatus.DONE


# --- the queue and who sees it ---------------------------------------------------------------------
def test_queue_lists_open_tasks_oldest_due_first_and_marks_overdue(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    first = filed(clerk, officer, leader, bureau_head)
    second = filed(clerk, officer, leader, bureau_head)
    rows = selectors.follow_up_queue(clerk)
    assert [r.follow_up.alert_id for r in rows] == [first.pk, second.pk]
    assert not any(r.overdue for r in rows)
    later = timezone.now() + dt.timedelta(days=services.follow_up_days() + 1)
    late = selectors.follow_up_queue(clerk, now=later)
    assert len(late) == 2 and all(r.overdue for r in late)


@pytest.mark.parametrize("persona", ["clerk", "auxiliary_clerk", "head"])
def test_center_staff_see_the_follow_ups(
    persona: str, request: pytest.FixtureRequest, closed: Any
) -> None:
    assert FollowUp.objects.visible_to(request.getfixturevalue(persona)).count() == 1


@pytest.mark.parametrize(
    "persona",
    [
        "officer",
        "leader",
        "legal_officer",
        "legal",
        "bureau_head",
        "inspector",
        "admin_user",
        "outsider",
    ],
)
def test_others_do_not_see_follow_up_tasks(
    persona: str, request: pytest.FixtureRequest, closed: Any
) -> None:
    assert not FollowUp.objects.visible_to(request.getfixturevalue(persona)).exists()
