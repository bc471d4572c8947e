"""Decisions: proposed by the handling officer, approved along the configurable chain, documents
issued with their numbers; 不予立案 → service → 复议 → 复核 (DOMAIN §4, §5; issue 5 item 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.conftest import make_user
from shoulian.deadlines.models import Deadline
from shoulian.intake.choices import AlertStatus, PartyRole
from shoulian.intake.models import AlertParty
from shoulian.workflow.chains import DEFAULT_CHAIN, StepInput, approval_chain_configure
from shoulian.workflow.choices import (
    Action,
    ChainCondition,
    DecisionKind,
    DocumentKind,
    NotificationPurpose,
)
from shoulian.workflow.models import ChainStep, Decision, Document, Notification, Reconsideration
from shoulian.workflow.services import (
    TransitionDenied,
    TransitionError,
    decision_reject,
    document_prefix_set,
)
from shoulian.workflow.tests.helpers import act, approve, fresh, handling, propose

pytestmark = pytest.mark.django_db


def steps_of(decision: Decision) -> list[tuple[str, str]]:
    return list(decision.approvals.order_by("position").values_list("role", "status"))


def test_default_chains_in_the_database_match_the_declared_default() -> None:
    rows = set(
        ChainStep.objects.filter(bureau__isnull=True, is_active=True).values_list(
            "decision_kind", "position", "role", "condition", "label"
        )
    )
    assert rows == set(DEFAULT_CHAIN)


def test_criminal_filing_is_approved_by_the_leader_then_the_bureau_head_and_numbered(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    assert steps_of(decision) == [("leader", "pending"), ("bureau_head", "waiting")]

    approve(leader, decision)
    assert fresh(alert).status == AlertStatus.HANDLING
    applied = approve(bureau_head, decision)

    alert = fresh(alert)
    assert alert.status == AlertStatus.CRIMINAL_CASE
    document = Document.objects.get(alert=alert)
    year = timezone.localdate().year
    assert document.kind == DocumentKind.FILING_DECISION
    assert document.number == f"甲公（刑）立字〔{year}〕00001号"
    assert applied.event.data["document"] == document.number
    assert "盗窃电动车案立案侦查" in document.content["body"][0]
    decision.refresh_from_db()
    assert decision.status == "approved" and decision.decided_at is not None


def test_officer_cannot_approve_own_proposal(clerk: Any, bureau_a: Any) -> None:
    both = make_user("officerleader", bureau_a.station, Role.OFFICER, Role.LEADER)
    alert = handling(clerk, both)
    decision = propose(both, alert)
    with pytest.raises(TransitionDenied, match="本人提出"):
        approve(both, decision)
    assert steps_of(decision)[0] == ("leader", "pending")


def test_one_person_cannot_approve_two_steps_of_the_same_proposal(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    # A leader who also sits in the legal brigade is a configuration this guard must survive.
    leader_and_legal = make_user("dualrole", bureau_a.station, Role.LEADER)
    approval_chain_configure(
        actor=make_user("legal9", bureau_a.legal_brigade, Role.LEGAL_BRIGADE),
        bureau=bureau_a.bureau,
        kind=DecisionKind.ADMIN_ACCEPT,
        steps=[
            StepInput(Role.LEADER, ChainCondition.ALWAYS, "所队领导审批"),
            StepInput(Role.LEADER, ChainCondition.ALWAYS, "所队领导复核"),
        ],
    )
    alert = handling(clerk, officer, category_code="0201")
    decision = propose(officer, alert, DecisionKind.ADMIN_ACCEPT, legal_basis="治安管理处罚法")
    approve(leader_and_legal, decision)
    with pytest.raises(TransitionDenied, match="两个环节"):
        approve(leader_and_legal, decision)


def test_auxiliary_cannot_propose(clerk: Any, officer: Any, bureau_a: Any) -> None:
    from shoulian.accounts.choices import PoliceKind
    from shoulian.accounts.models import User

    alert = handling(clerk, officer)
    aux = make_user("auxofficer", bureau_a.station, Role.OFFICER)
    User.objects.filter(pk=aux.pk).update(police_kind=PoliceKind.AUXILIARY)
    aux.refresh_from_db()
    with pytest.raises(TransitionDenied, match="辅警"):
        propose(aux, alert)
    assert not Decision.objects.filter(alert=alert).exists()


def test_leader_of_another_station_cannot_approve(clerk: Any, officer: Any, bureau_a: Any) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    other = make_user("leader2", bureau_a.station2, Role.LEADER)
    with pytest.raises(TransitionDenied):
        approve(other, decision)


def test_bureau_head_cannot_skip_the_leader(clerk: Any, officer: Any, bureau_head: Any) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    with pytest.raises(TransitionDenied):
        approve(bureau_head, decision)


def test_economic_crime_goes_to_the_legal_brigade_before_the_decision(
    clerk: Any, officer: Any, leader: Any, legal: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer, category_code="0106")  # 合同诈骗
    decision = propose(officer, alert)
    assert [r for r, _s in steps_of(decision)] == ["leader", "legal_brigade", "bureau_head"]
    approve(leader, decision)
    with pytest.raises(TransitionDenied, match="当前审批环节"):
        approve(bureau_head, decision)
    approve(legal, decision)
    approve(bureau_head, decision)
    assert fresh(alert).status == AlertStatus.CRIMINAL_CASE


def test_rejection_needs_a_reason_and_returns_the_matter_to_the_officer(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    with pytest.raises(TransitionError, match="理由"):
        decision_reject(
            actor=leader, decision=decision, expected_version=fresh(alert).version, reason=""
        )
    decision_reject(
        actor=leader,
        decision=decision,
        expected_version=fresh(alert).version,
        reason="证据不足，补充调查",
    )
    decision.refresh_from_db()
    assert decision.status == "rejected"
    assert steps_of(decision) == [("leader", "rejected"), ("bureau_head", "cancelled")]
    assert fresh(alert).status == AlertStatus.HANDLING
    propose(officer, alert)  # a new proposal is possible again


def test_only_the_proposer_withdraws(clerk: Any, officer: Any, bureau_a: Any) -> None:
    alert = handling(clerk, officer)
    propose(officer, alert)
    colleague = make_user("officer3", bureau_a.station, Role.OFFICER)
    with pytest.raises(TransitionDenied):
        act(colleague, alert, Action.WITHDRAW)
    act(officer, alert, Action.WITHDRAW)
    assert Decision.objects.get(alert=alert).status == "withdrawn"


def test_case_type_alert_cannot_be_closed_as_non_case(clerk: Any, officer: Any) -> None:
    alert = handling(clerk, officer)
    with pytest.raises(TransitionError, match="涉案类"):
        propose(officer, alert, DecisionKind.CLOSE_NON_CASE)


def test_non_case_alert_is_closed_after_the_leader_approves(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer, category_code="0302")  # 家庭纠纷
    decision = propose(officer, alert, DecisionKind.CLOSE_NON_CASE, legal_basis="调解结案")
    approve(leader, decision)
    assert fresh(alert).status == AlertStatus.CLOSED_NON_CASE
    assert not Document.objects.filter(alert=alert).exists()


def test_transfer_out_issues_the_notice_and_informs_the_reporter(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer, category_code="0201")
    with pytest.raises(TransitionError, match="主管机关"):
        propose(officer, alert, DecisionKind.TRANSFER_OUT)
    decision = propose(
        officer,
        alert,
        DecisionKind.TRANSFER_OUT,
        authority="某区市场监督管理局",
        legal_basis="《公安机关办理行政案件程序规定》第六十一条",
    )
    approve(leader, decision)
    alert = fresh(alert)
    assert alert.status == AlertStatus.TRANSFERRED
    document = Document.objects.get(alert=alert)
    assert document.kind == DocumentKind.TRANSFER_NOTICE
    assert "（治）移字" in document.number
    assert document.content["materials"][0]["name"] == "购车发票"
    notice = Notification.objects.get(alert=alert)
    assert notice.purpose == NotificationPurpose.TRANSFERRED_OUT
    assert "某区市场监督管理局" in notice.text and "王小明" not in notice.text


def test_not_police_business_is_told_to_the_reporter(clerk: Any, officer: Any, leader: Any) -> None:
    alert = handling(clerk, officer, category_code="0306")  # 消费纠纷
    decision = propose(
        officer,
        alert,
        DecisionKind.NOT_POLICE,
        authority="县消费者权益保护委员会",
        legal_basis="《公安机关办理行政案件程序规定》第六十一条",
    )
    approve(leader, decision)
    assert fresh(alert).status == AlertStatus.NOT_POLICE
    document = Document.objects.get(alert=alert)
    assert document.kind == DocumentKind.NON_INVESTIGATION_NOTICE
    assert Notification.objects.get(alert=alert).purpose == NotificationPurpose.NOT_POLICE


def test_document_numbers_run_per_bureau_kind_and_year_with_the_configured_prefix(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, admin_user: Any, bureau_a: Any
) -> None:
    document_prefix_set(actor=admin_user, bureau=bureau_a.bureau, prefix="甲县公")
    numbers = []
    for _ in range(2):
        alert = handling(clerk, officer)
        decision = propose(officer, alert)
        approve(leader, decision)
        approve(bureau_head, decision)
        numbers.append(Document.objects.get(alert=alert).number)
    year = timezone.localdate().year
    assert numbers == [f"甲县公（刑）立字〔{year}〕00001号", f"甲县公（刑）立字〔{year}〕00002号"]


def test_only_the_bureaus_administrator_sets_the_prefix(clerk: Any, bureau_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        document_prefix_set(actor=clerk, bureau=bureau_a.bureau, prefix="沙公")


def test_a_bureau_may_replace_a_chain_and_only_its_legal_brigade_may(
    clerk: Any, officer: Any, leader: Any, legal: Any, bureau_a: Any
) -> None:
    with pytest.raises(PermissionDenied):
        approval_chain_configure(
            actor=leader, bureau=bureau_a.bureau, kind=DecisionKind.CLOSE_NON_CASE, steps=[]
        )
    approval_chain_configure(
        actor=legal,
        bureau=bureau_a.bureau,
        kind=DecisionKind.CLOSE_NON_CASE,
        steps=[
            StepInput(Role.LEADER, ChainCondition.ALWAYS, "所队领导审批"),
            StepInput(Role.LEGAL_BRIGADE, ChainCondition.ALWAYS, "法制大队审核"),
        ],
    )
    alert = handling(clerk, officer, category_code="0302")
    decision = propose(officer, alert, DecisionKind.CLOSE_NON_CASE, legal_basis="调解结案")
    assert [r for r, _s in steps_of(decision)] == ["leader", "legal_brigade"]


# --- 不予立案, service, 复议 and 复核 --------------------------------------------------------------
def not_filed(clerk: Any, officer: Any, leader: Any, bureau_head: Any) -> Any:
    alert = handling(clerk, officer)
    decision = propose(
        officer,
        alert,
        DecisionKind.NOT_FILE,
        facts="经查，报案人所称车辆系其亲属借用，没有犯罪事实。",
    )
    approve(leader, decision)
    approve(bureau_head, decision)
    return fresh(alert)


def reporter_of(alert: Any) -> AlertParty:
    return AlertParty.objects.get(alert=alert, role=PartyRole.REPORTER)


def test_non_filing_notice_is_served_then_reconsidered_then_reviewed_and_revoked(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, legal: Any, bureau_a: Any
) -> None:
    alert = not_filed(clerk, officer, leader, bureau_head)
    assert alert.status == AlertStatus.NOT_FILED
    notice = Document.objects.get(alert=alert)
    assert "七日以内向甲县公安局申请复议" in "".join(notice.content["body"])

    with pytest.raises(TransitionError, match="尚未送达"):
        act(
            clerk,
            alert,
            Action.APPLY_RECONSIDERATION,
            applicant=reporter_of(alert).pk,
            grounds="不服",
        )
    act(officer, alert, Action.SERVE_NOTICE, method="in_person")
    with pytest.raises(TransitionError, match="已送达"):
        act(officer, alert, Action.SERVE_NOTICE)

    act(
        clerk,
        alert,
        Action.APPLY_RECONSIDERATION,
        applicant=reporter_of(alert).pk,
        grounds="车辆并非借用",
    )
    with pytest.raises(TransitionDenied):
        # The bureau head approved the decision: it cannot decide the 复议 of it.
        act(bureau_head, alert, Action.UPHOLD_RECONSIDERATION, reason="维持")
    other_chief = make_user("chief2", bureau_a.bureau, Role.BUREAU_HEAD)
    act(other_chief, alert, Action.UPHOLD_RECONSIDERATION, reason="原决定认定事实清楚")

    with pytest.raises(TransitionError, match="已经复议"):
        act(
            clerk,
            alert,
            Action.APPLY_RECONSIDERATION,
            applicant=reporter_of(alert).pk,
            grounds="再次",
        )
    # The 复核 window runs from the applicant's receipt of the 复议决定书 (art. 179): not before.
    with pytest.raises(TransitionError, match="复议决定书尚未送达"):
        act(clerk, alert, Action.APPLY_REVIEW, applicant=reporter_of(alert).pk, grounds="仍不服")
    applied = act(officer, alert, Action.SERVE_RECONSIDERATION_DECISION)
    assert applied.event.event_type == EventType.RECONSIDERATION_DECISION_SERVED
    window = Deadline.objects.get(object_id=str(alert.pk), code="review_application")
    served = Reconsideration.objects.get(alert=alert, kind="reconsideration").served_at
    assert window.started_at == served
    with pytest.raises(TransitionError, match="已送达"):
        act(officer, alert, Action.SERVE_RECONSIDERATION_DECISION)
    act(clerk, alert, Action.APPLY_REVIEW, applicant=reporter_of(alert).pk, grounds="仍不服")
    act(legal, alert, Action.REVOKE_REVIEW, reason="上级机关复核决定撤销原不予立案决定")

    alert = fresh(alert)
    assert alert.status == AlertStatus.HANDLING
    assert Decision.objects.get(alert=alert, kind=DecisionKind.NOT_FILE).status == "revoked"
    kinds = list(Reconsideration.objects.filter(alert=alert).values_list("kind", "status"))
    assert kinds == [("reconsideration", "upheld"), ("review", "revoked")]
    propose(officer, alert)  # the unit now proposes 立案


def test_late_reconsideration_application_is_refused(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = not_filed(clerk, officer, leader, bureau_head)
    served = timezone.now() - dt.timedelta(days=20)
    decision = Decision.objects.get(alert=alert, kind=DecisionKind.NOT_FILE)
    # The decision was made 21 days ago in this scenario; the notice served a day later.
    Decision.objects.filter(pk=decision.pk).update(decided_at=served - dt.timedelta(days=1))
    act(officer, alert, Action.SERVE_NOTICE, served_at=served)
    with pytest.raises(TransitionError, match="已超过申请复议的期限"):
        act(
            clerk,
            alert,
            Action.APPLY_RECONSIDERATION,
            applicant=reporter_of(alert).pk,
            grounds="迟到",
        )


def test_follow_up_closes_the_loop_only_after_the_complainants_windows(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = not_filed(clerk, officer, leader, bureau_head)
    act(officer, alert, Action.SERVE_NOTICE)
    with pytest.raises(TransitionError, match="期限尚未届满"):
        act(clerk, alert, Action.FOLLOW_UP, reason="电话回访", satisfied=True)

    filed = handling(clerk, officer)
    decision = propose(officer, filed)
    approve(leader, decision)
    approve(bureau_head, decision)
    act(clerk, filed, Action.FOLLOW_UP, reason="电话回访，报案人满意", satisfied=True)
    assert fresh(filed).status == AlertStatus.FOLLOWED_UP
