"""Rectification climbs the review chain to 销号; returns, escalation and refusals (Z5-style)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.supervision.choices import FindingStatus, Level, StepStatus
from shoulian.supervision.models import Finding, InboxMessage, ReviewStep
from shoulian.supervision.services import (
    FindingConflict,
    FindingDenied,
    FindingError,
    rectification_approve,
    rectification_return,
    rectification_submit,
)
from shoulian.supervision.tests.helpers import due, only, patrol
from shoulian.workflow.tests.helpers import handling

pytestmark = pytest.mark.django_db


def events(kind: EventType) -> int:
    return sum(1 for e in AuditEvent.objects.all() if e.event_type == kind)


@pytest.fixture
def overdue(bureau_a: Any, clerk: Any, officer: Any, leader: Any, legal_officer: Any) -> Finding:
    """A red finding: the officer's 立案审查 ran out two hours ago (the clock is pinned to a day
    of a year whose holidays are known, conftest.known_calendar_year)."""
    alert = handling(clerk, officer)
    from shoulian.deadlines.models import Deadline

    deadline = Deadline.objects.get(object_id=str(alert.pk), code="criminal_filing_review")
    patrol(bureau_a.bureau, now=due(deadline) + dt.timedelta(hours=2))
    return only("deadline_overdue")


def current(finding: Finding) -> Finding:
    return Finding.objects.get(pk=finding.pk)


def test_rectification_climbs_four_levels_to_sign_off(
    overdue: Finding, officer: Any, legal_officer: Any, leader: Any, head: Any, legal: Any
) -> None:
    f = rectification_submit(
        actor=officer,
        finding=overdue,
        text="已补办立案审查并作出决定。",
        expected_version=overdue.version,
    )
    assert f.status == FindingStatus.REVIEWING
    steps = list(ReviewStep.objects.filter(rectification__finding=f).order_by("position"))
    assert [(s.role, s.status) for s in steps] == [
        (Role.LEGAL_OFFICER, StepStatus.PENDING),
        (Role.LEADER, StepStatus.WAITING),
        (Role.CENTER_HEAD, StepStatus.WAITING),
        (Role.LEGAL_BRIGADE, StepStatus.WAITING),
    ]
    assert InboxMessage.objects.filter(finding=f, recipient=legal_officer, kind="review").exists()
    for reviewer in (legal_officer, leader, head):
        f = rectification_approve(actor=reviewer, finding=f, expected_version=current(f).version)
        assert f.status == FindingStatus.REVIEWING
    assert InboxMessage.objects.filter(finding=f, recipient=legal, kind="review").exists()
    f = rectification_approve(
        actor=legal, finding=f, expected_version=current(f).version, comment="销号"
    )
    assert f.status == FindingStatus.CLOSED and f.closed_at is not None
    assert [s.status for s in ReviewStep.objects.filter(rectification__finding=f)] == [
        "approved"
    ] * 4
    assert InboxMessage.objects.filter(finding=f, recipient=officer, kind="closed").exists()
    assert events(EventType.FINDING_CLOSED) == 1
    assert events(EventType.RECTIFICATION_APPROVED) == 3
    # 销号 is final: the patrol finds the node again, but the finding stays closed.
    patrol(f.bureau, now=f.last_seen_at + dt.timedelta(hours=1))
    assert current(f).status == FindingStatus.CLOSED


def test_a_level_returns_with_comments_and_the_officer_answers_again(
    overdue: Finding, officer: Any, legal_officer: Any, leader: Any, head: Any, legal: Any
) -> None:
    f = rectification_submit(actor=officer, finding=overdue, text="已整改。", expected_version=1)
    f = rectification_approve(actor=legal_officer, finding=f, expected_version=current(f).version)
    with pytest.raises(FindingError):
        rectification_return(
            actor=leader, finding=f, expected_version=current(f).version, comment=" "
        )
    f = rectification_return(
        actor=leader, finding=f, expected_version=current(f).version, comment="未写明原因"
    )
    assert f.status == FindingStatus.RETURNED and due(f) > timezone.now()
    assert InboxMessage.objects.filter(finding=f, recipient=officer, kind="returned").exists()
    waiting = ReviewStep.objects.filter(rectification__finding=f, rectification__round=1)
    assert [s.status for s in waiting.order_by("position")] == [
        "approved",
        "returned",
        "cancelled",
        "cancelled",
    ]
    f = rectification_submit(
        actor=officer,
        finding=f,
        text="补充：原因是值班交接遗漏。",
        expected_version=current(f).version,
    )
    assert f.rectifications.count() == 2 and f.status == FindingStatus.REVIEWING


def test_nobody_reviews_their_own_rectification_or_out_of_turn(
    overdue: Finding, officer: Any, leader: Any, legal_officer: Any, head: Any
) -> None:
    f = rectification_submit(
        actor=leader, finding=overdue, text="领导代为整改。", expected_version=1
    )
    with pytest.raises(FindingDenied):
        # Not the pending level: the center reviews after the station.
        rectification_approve(actor=head, finding=f, expected_version=current(f).version)
    f = rectification_approve(actor=legal_officer, finding=f, expected_version=current(f).version)
    with pytest.raises(FindingDenied):
        rectification_approve(actor=leader, finding=f, expected_version=current(f).version)
    assert events(EventType.SUPERVISION_REFUSED) == 2
    assert current(f).status == FindingStatus.REVIEWING


def test_a_leader_who_rectifies_is_left_out_of_the_chain_so_it_can_be_completed(
    overdue: Finding, leader: Any, legal_officer: Any, head: Any, legal: Any
) -> None:
    f = rectification_submit(
        actor=leader, finding=overdue, text="领导代为整改。", expected_version=1
    )
    roles = [
        s.role for s in ReviewStep.objects.filter(rectification__finding=f).order_by("position")
    ]
    assert roles == [Role.LEGAL_OFFICER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE]
    for reviewer in (legal_officer, head):
        f = rectification_approve(actor=reviewer, finding=f, expected_version=current(f).version)
    f = rectification_approve(actor=legal, finding=f, expected_version=current(f).version)
    assert current(f).status == FindingStatus.CLOSED


def test_one_person_signs_one_level_even_holding_two_levels_roles(
    bureau_a: Any, overdue: Finding, officer: Any, legal_officer: Any
) -> None:
    from shoulian.conftest import make_user

    both = make_user("both", bureau_a.station, Role.LEADER, Role.LEGAL_OFFICER)
    f = rectification_submit(
        actor=officer, finding=overdue, text="已补办。", expected_version=overdue.version
    )
    f = rectification_approve(actor=both, finding=f, expected_version=current(f).version)
    with pytest.raises(FindingDenied):
        # The next level is the leader's; ``both`` already signed the 法制员 level.
        rectification_approve(actor=both, finding=f, expected_version=current(f).version)
    assert events(EventType.SUPERVISION_REFUSED) == 1


def test_only_the_responsible_unit_submits(
    overdue: Finding, officer2: Any, head: Any, inspector: Any
) -> None:
    for actor in (officer2, inspector):
        with pytest.raises(PermissionDenied):
            rectification_submit(actor=actor, finding=overdue, text="越权", expected_version=1)
    assert current(overdue).status == FindingStatus.OPEN


def test_a_stale_version_is_a_conflict(overdue: Finding, officer: Any, leader: Any) -> None:
    rectification_submit(actor=officer, finding=overdue, text="第一次", expected_version=1)
    with pytest.raises(FindingConflict):
        rectification_submit(actor=leader, finding=overdue, text="第二次", expected_version=1)


def test_a_neglected_finding_escalates_one_level_at_a_time(
    overdue: Finding, officer: Any, leader: Any, head: Any, legal: Any, bureau_head: Any
) -> None:
    bureau = overdue.bureau
    assert overdue.level == Level.RED and overdue.escalation == 0
    first = due(overdue) + dt.timedelta(hours=1)
    stats = patrol(bureau, now=first)
    f = current(overdue)
    assert stats.escalated == 1 and f.escalation == 1 and due(f) > first
    assert InboxMessage.objects.filter(finding=f, recipient=head, kind="escalated").exists()
    assert not InboxMessage.objects.filter(finding=f, recipient=legal, kind="escalated").exists()
    assert patrol(bureau, now=first + dt.timedelta(hours=1)).escalated == 0
    second = due(f) + dt.timedelta(hours=1)
    patrol(bureau, now=second)
    f = current(f)
    assert f.escalation == 2
    assert InboxMessage.objects.filter(finding=f, recipient=legal, kind="escalated").exists()
    patrol(bureau, now=due(f) + dt.timedelta(hours=1))
    f = current(f)
    assert f.escalation == 3
    assert InboxMessage.objects.filter(finding=f, recipient=bureau_head, kind="escalated").exists()
    # Three levels up is the top: no fourth escalation.
    patrol(bureau, now=due(f) + dt.timedelta(hours=1))
    assert current(f).escalation == 3


def test_an_orange_finding_turns_red_when_it_escalates(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    from shoulian.workflow.tests.helpers import new_alert

    new_alert(clerk)
    patrol(bureau_a.bureau, now=timezone.now() + dt.timedelta(hours=2))
    f = only("on_the_spot_missing")
    assert f.level == Level.ORANGE
    patrol(bureau_a.bureau, now=due(f) + dt.timedelta(hours=1))
    f = current(f)
    assert (f.level, f.base_level, f.escalation) == (Level.RED, Level.ORANGE, 1)


def test_a_finding_under_review_does_not_escalate(overdue: Finding, officer: Any) -> None:
    rectification_submit(actor=officer, finding=overdue, text="已整改。", expected_version=1)
    patrol(overdue.bureau, now=due(overdue) + dt.timedelta(hours=1))
    assert current(overdue).escalation == 0


def test_every_accepted_step_writes_exactly_one_event(
    overdue: Finding, officer: Any, legal_officer: Any
) -> None:
    before = AuditEvent.objects.count()
    f = rectification_submit(actor=officer, finding=overdue, text="已整改。", expected_version=1)
    rectification_approve(actor=legal_officer, finding=f, expected_version=current(f).version)
    assert AuditEvent.objects.count() - before == 2


# --- the answer: text, proof and the corrected alert state ----------------------------------------
def test_the_answer_carries_files_into_the_alerts_file_and_the_rules_recheck(
    overdue: Finding, officer: Any, legal_officer: Any
) -> None:
    from shoulian.intake.choices import FilePurpose
    from shoulian.intake.models import EvidenceFile
    from shoulian.intake.tests.helpers import file_input, sample_png

    proof = file_input("送达回证.png", sample_png(), purpose=FilePurpose.RECTIFICATION)
    f = rectification_submit(
        actor=officer,
        finding=overdue,
        text="已补办立案审查。",
        files=[proof],
        expected_version=overdue.version,
        now=overdue.last_seen_at + dt.timedelta(hours=1),
    )
    rect = f.rectifications.get()
    [stored] = list(rect.files.all())
    assert stored.alert_id == overdue.alert_id and stored.purpose == FilePurpose.RECTIFICATION
    assert stored.sha256 == proof.inspection.sha256 and stored.uploaded_by == officer
    assert EvidenceFile.objects.filter(alert_id=overdue.alert_id).count() == 1
    # The node is still running past its due time: the reviewers see it was not corrected.
    assert rect.alert_state["rule_matches"] is True
    assert events(EventType.EVIDENCE_FILE_RECEIVED) == 1


def test_a_refused_answer_keeps_no_file(overdue: Finding, officer2: Any, media_root: Any) -> None:
    from shoulian.intake.models import EvidenceFile
    from shoulian.intake.tests.helpers import file_input, sample_png

    with pytest.raises(PermissionDenied):
        rectification_submit(
            actor=officer2,
            finding=overdue,
            text="越权",
            files=[file_input("a.png", sample_png())],
            expected_version=overdue.version,
        )
    assert not EvidenceFile.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_a_corrected_subject_is_shown_as_no_longer_matching(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    from shoulian.intake.services import receipt_print
    from shoulian.workflow.tests.helpers import new_alert

    alert = new_alert(clerk)
    patrol(bureau_a.bureau, now=timezone.now() + dt.timedelta(hours=2))
    f = only("on_the_spot_missing")
    receipt_print(actor=clerk, alert=alert, now=timezone.now() + dt.timedelta(hours=3))
    f = rectification_submit(
        actor=clerk, finding=f, text="已补开回执。", expected_version=f.version
    )
    # A receipt issued hours late is still "not on the spot": the recheck says so honestly.
    assert f.rectifications.get().alert_state["rule_matches"] is True


def test_the_finding_lifecycle_is_declared_on_the_engine() -> None:
    from shoulian.core.lifecycle import Lifecycle
    from shoulian.supervision.workflow import LIFECYCLE, FindingAction

    assert isinstance(LIFECYCLE, Lifecycle)
    assert LIFECYCLE.actions() == set(FindingAction)
