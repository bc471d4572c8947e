"""Reviews at the three levels, AV records and their reviews: the services, their refusals and the
period selectors the bulletins build on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.conftest import make_user
from shoulian.intake.choices import FilePurpose
from shoulian.review import selectors
from shoulian.review.choices import (
    AvIssue,
    AvResult,
    AvSource,
    ReviewChannel,
    ReviewLevel,
    ReviewMode,
    ReviewResult,
)
from shoulian.review.services import (
    ReviewDenied,
    av_record_link,
    av_record_upload,
    av_review_record,
    levels_of,
    review_record,
)
from shoulian.review.tests.helpers import digest, events, mp4
from shoulian.supervision.choices import MANUAL_RULE_CODE, FindingSource, FindingStatus, Level
from shoulian.supervision.models import Finding, InboxMessage
from shoulian.supervision.services import finding_raise
from shoulian.supervision.tests.helpers import patrol
from shoulian.workflow.tests.helpers import handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(clerk: Any, officer: Any) -> Any:
    return handling(clerk, officer)


def test_each_level_is_held_by_its_role(legal_officer: Any, head: Any, legal: Any, officer: Any):
    assert levels_of(legal_officer) == [ReviewLevel.UNIT]
    assert levels_of(head) == [ReviewLevel.CENTER]
    assert levels_of(legal) == [ReviewLevel.LEGAL_BRIGADE]
    assert levels_of(officer) == []


def test_review_without_problem_is_recorded_and_journalled(legal: Any, alert: Any, bureau_a: Any):
    review = review_record(
        actor=legal,
        alert=alert,
        level=ReviewLevel.LEGAL_BRIGADE,
        mode=ReviewMode.SPECIAL,
        channel=ReviewChannel.OFFLINE,
        result=ReviewResult.NO_PROBLEM,
        comment="受案及时，文书齐全。",
    )
    assert review.bureau == bureau_a.bureau and review.unit == bureau_a.station
    assert review.finding is None and review.reviewer_unit == bureau_a.legal_brigade
    assert events(EventType.REVIEW_RECORDED) == 1


def test_free_finding_raises_a_manual_finding_the_patrol_leaves_alone(
    head: Any, officer: Any, leader: Any, alert: Any, bureau_a: Any
):
    review = review_record(
        actor=head,
        alert=alert,
        level=ReviewLevel.CENTER,
        result=ReviewResult.FREE_FINDING,
        finding_level=Level.ORANGE,
        finding_summary="询问笔录未载明告知权利义务",
    )
    finding = Finding.objects.get(pk=review.finding.pk if review.finding else 0)
    assert finding.source == FindingSource.MANUAL and finding.rule_code == MANUAL_RULE_CODE
    assert finding.level == Level.ORANGE and finding.unit == bureau_a.station
    assert finding.officer == officer and finding.due_at is not None
    assert (finding.subject_type, finding.subject_id) == ("review", str(review.pk))
    assert review.finding_level == Level.ORANGE
    assert InboxMessage.objects.filter(finding=finding, recipient=officer).exists()
    assert InboxMessage.objects.filter(finding=finding, recipient=leader).exists()
    # No predicate speaks for it: a full patrol neither clears nor touches it.
    patrol(bureau_a.bureau)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_rule_finding_cites_its_rule_and_is_not_cleared_by_that_rules_patrol(
    legal: Any, alert: Any, bureau_a: Any
):
    review = review_record(
        actor=legal,
        alert=alert,
        level=ReviewLevel.LEGAL_BRIGADE,
        result=ReviewResult.RULE_FINDING,
        rule_code="bounced_alert",
        finding_summary="多次推诿，未及时受理",
    )
    finding = Finding.objects.get(pk=review.finding.pk if review.finding else 0)
    assert finding.rule_code == "bounced_alert" and finding.level == Level.ORANGE
    assert review.rule_code == "bounced_alert"
    patrol(bureau_a.bureau, codes=["bounced_alert"])
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_a_finding_needs_its_rule_level_and_summary(legal: Any, alert: Any):
    with pytest.raises(ValidationError) as err:
        review_record(
            actor=legal,
            alert=alert,
            level=ReviewLevel.LEGAL_BRIGADE,
            result=ReviewResult.RULE_FINDING,
            rule_code="finding_unrectified",
        )
    assert {"rule_code", "finding_summary"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        review_record(
            actor=legal,
            alert=alert,
            level=ReviewLevel.LEGAL_BRIGADE,
            result=ReviewResult.FREE_FINDING,
            finding_summary="问题",
        )
    assert "finding_level" in err.value.message_dict
    assert not Finding.objects.exists() and events(EventType.REVIEW_RECORDED) == 0


def test_legal_officer_reviews_own_units_alerts_only(
    clerk: Any, legal_officer: Any, officer2: Any, alert: Any
):
    review_record(
        actor=legal_officer, alert=alert, level=ReviewLevel.UNIT, result=ReviewResult.NO_PROBLEM
    )
    other = handling(clerk, officer2)
    with pytest.raises(ReviewDenied):
        review_record(actor=legal_officer, alert=other, level=ReviewLevel.UNIT, result="no_problem")
    assert events(EventType.REVIEW_REFUSED, "denied") == 1


def test_officer_cannot_review(officer: Any, alert: Any):
    with pytest.raises(ReviewDenied):
        review_record(actor=officer, alert=alert, level=ReviewLevel.UNIT, result="no_problem")
    assert events(EventType.REVIEW_REFUSED) == 1


def test_center_head_cannot_review_at_the_legal_brigades_level(head: Any, alert: Any):
    with pytest.raises(ReviewDenied):
        review_record(actor=head, alert=alert, level=ReviewLevel.LEGAL_BRIGADE, result="no_problem")


def test_center_clerk_cannot_review(clerk: Any, alert: Any):
    with pytest.raises(ReviewDenied):
        review_record(actor=clerk, alert=alert, level=ReviewLevel.CENTER, result="no_problem")


def test_another_bureaus_reviewer_cannot_review(bureau_b: Any, alert: Any):
    stranger = make_user("legalb", bureau_b.legal_brigade, Role.LEGAL_BRIGADE)
    with pytest.raises(ReviewDenied):
        review_record(
            actor=stranger, alert=alert, level=ReviewLevel.LEGAL_BRIGADE, result="no_problem"
        )


def test_officer_cannot_raise_a_finding_by_hand(officer: Any, alert: Any):
    from shoulian.supervision.services import FindingDenied

    with pytest.raises(FindingDenied):
        finding_raise(
            actor=officer,
            alert=alert,
            summary="x",
            subject_type="t",
            subject_id=1,
            level=Level.YELLOW,
        )
    assert events(EventType.SUPERVISION_REFUSED) == 1


def test_finding_raise_is_idempotent_per_subject(legal: Any, alert: Any):
    kwargs: dict[str, Any] = {
        "summary": "问题",
        "subject_type": "t",
        "subject_id": 7,
        "level": Level.RED,
    }
    first = finding_raise(actor=legal, alert=alert, **kwargs)
    assert finding_raise(actor=legal, alert=alert, **kwargs).pk == first.pk
    assert events(EventType.FINDING_OPENED) == 1


# --- AV records ---------------------------------------------------------------------------------
def test_uploaded_recording_goes_through_the_evidence_pipeline(officer: Any, alert: Any):
    row = av_record_upload(actor=officer, alert=alert, file=mp4(), duration_seconds=300)
    assert row.source == AvSource.UPLOAD
    assert row.evidence_file is not None
    assert row.evidence_file.purpose == FilePurpose.ONSCENE_AV
    assert row.sha256 == row.evidence_file.sha256
    assert events(EventType.EVIDENCE_FILE_RECEIVED) == 1
    assert events(EventType.AV_RECORD_ADDED) == 1
    with pytest.raises(ValidationError):
        av_record_upload(actor=officer, alert=alert, file=mp4())


def test_a_photo_is_not_an_av_record(officer: Any, alert: Any):
    from shoulian.intake.tests.helpers import file_input, sample_png

    with pytest.raises(ValidationError) as err:
        av_record_upload(actor=officer, alert=alert, file=file_input("a.png", sample_png()))
    assert "file" in err.value.message_dict


def test_external_reference_is_checked_and_registered_once(officer: Any, alert: Any):
    with pytest.raises(ValidationError) as err:
        av_record_link(
            actor=officer,
            alert=alert,
            store="执法记录仪管理平台",
            external_id="",
            sha256="abc",
            duration_seconds=0,
        )
    assert {"external_id", "sha256", "duration_seconds"} <= set(err.value.message_dict)
    row = av_record_link(
        actor=officer,
        alert=alert,
        store="执法记录仪管理平台",
        external_id="ZFJLY-0001",
        sha256=digest("1").upper(),
        duration_seconds=180,
        recorded_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert row.source == AvSource.EXTERNAL and row.sha256 == digest("1")
    with pytest.raises(ValidationError):
        av_record_link(
            actor=officer,
            alert=alert,
            store="执法记录仪管理平台",
            external_id="ZFJLY-0001",
            sha256=digest("2"),
            duration_seconds=10,
        )


def test_inspector_cannot_register_an_av_record(inspector: Any, alert: Any):
    with pytest.raises(ReviewDenied):
        av_record_link(
            actor=inspector,
            alert=alert,
            store="平台",
            external_id="X1",
            sha256=digest("x"),
            duration_seconds=10,
        )


def test_av_review_with_problem_can_raise_a_finding(head: Any, officer: Any, alert: Any):
    row = av_record_link(
        actor=officer,
        alert=alert,
        store="平台",
        external_id="X2",
        sha256=digest("y"),
        duration_seconds=60,
    )
    with pytest.raises(ValidationError):
        av_review_record(actor=head, av_record=row, level=ReviewLevel.CENTER, result="problem")
    checked = av_review_record(
        actor=head,
        av_record=row,
        level=ReviewLevel.CENTER,
        result=AvResult.PROBLEM,
        issues=[AvIssue.INCOMPLETE],
        finding_level=Level.YELLOW,
    )
    assert checked.finding is not None and "未全程记录" in checked.finding.summary
    assert events(EventType.AV_REVIEWED) == 1


def test_officer_cannot_review_an_av_record(officer: Any, alert: Any):
    row = av_record_link(
        actor=officer,
        alert=alert,
        store="平台",
        external_id="X3",
        sha256=digest("z"),
        duration_seconds=60,
    )
    with pytest.raises(ReviewDenied):
        av_review_record(
            actor=officer, av_record=row, level=ReviewLevel.UNIT, result=AvResult.COMPLIANT
        )


# --- period selectors -----------------------------------------------------------------------------
def test_period_selectors_are_half_open_and_per_bureau(
    legal: Any, officer: Any, head: Any, alert: Any, bureau_a: Any, bureau_b: Any
):
    start = timezone.now() - dt.timedelta(days=7)
    end = timezone.now()
    for moment in (start - dt.timedelta(seconds=1), start, end - dt.timedelta(seconds=1), end):
        review_record(
            actor=legal,
            alert=alert,
            level=ReviewLevel.LEGAL_BRIGADE,
            result=ReviewResult.NO_PROBLEM,
            now=moment,
        )
    rows = selectors.reviews_in_period(bureau_a.bureau, start, end)
    assert [r.reviewed_at for r in rows] == [start, end - dt.timedelta(seconds=1)]
    assert {r.level for r in rows} == {ReviewLevel.LEGAL_BRIGADE}
    assert not selectors.reviews_in_period(bureau_b.bureau, start, end).exists()
    row = av_record_link(
        actor=officer,
        alert=alert,
        store="平台",
        external_id="X4",
        sha256=digest("w"),
        duration_seconds=60,
        now=start,
    )
    av_review_record(
        actor=head,
        av_record=row,
        level=ReviewLevel.CENTER,
        result=AvResult.COMPLIANT,
        now=start + dt.timedelta(hours=1),
    )
    assert selectors.av_records_in_period(bureau_a.bureau, start, end).count() == 1
    assert selectors.av_reviews_in_period(bureau_a.bureau, start, end).count() == 1
    assert not selectors.av_reviews_in_period(bureau_a.bureau, end, end).exists()
    assert not selectors.guidance_in_period(bureau_a.bureau, start, end).exists()


def test_unit_scope_of_reviews(
    clerk: Any, legal: Any, officer: Any, officer2: Any, inspector: Any, outsider: Any, alert: Any
):
    review_record(actor=legal, alert=alert, level=ReviewLevel.LEGAL_BRIGADE, result="no_problem")
    from shoulian.review.models import Review

    assert Review.objects.visible_to(officer).count() == 1
    assert Review.objects.visible_to(inspector).count() == 1
    assert Review.objects.visible_to(officer2).count() == 0
    assert Review.objects.visible_to(outsider).count() == 0
    assert Review.objects.visible_to(clerk).count() == 0
