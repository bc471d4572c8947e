"""The end of a case (issue 12 items 1 and 3): 破案, 侦查终结, 撤销案件 for a criminal case; 处罚决定,
不予处罚, 调解结案, 结案 for a 治安 case. Each step has its roles, guards, journal event and clock;
破案 and 结案 text the reporter; the citizen's page names the stage. And the 有案不受 guard on
不属于公安职责."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.citizen.selectors import PublicAlert, public_alert
from shoulian.conftest import make_user
from shoulian.deadlines.models import Deadline
from shoulian.intake.choices import AlertStatus
from shoulian.notify.choices import TemplateKey
from shoulian.notify.tests.helpers import messages
from shoulian.workflow.choices import Action, CaseStage, DecisionKind, DocumentKind
from shoulian.workflow.models import AlertFlow, Document
from shoulian.workflow.services import TransitionDenied, TransitionError
from shoulian.workflow.tests.helpers import act, approve, fresh, handling, propose
from shoulian.workflow.workflow import Ctx, available

pytestmark = pytest.mark.django_db

A = Action


def criminal_case(clerk: Any, officer: Any, leader: Any, bureau_head: Any, **kw: Any) -> Any:
    alert = handling(clerk, officer, **kw)
    decision = propose(officer, alert)
    approve(leader, decision)
    approve(bureau_head, decision)
    alert = fresh(alert)
    assert alert.status == AlertStatus.CRIMINAL_CASE
    return alert


def public_order_case(clerk: Any, officer: Any, leader: Any, code: str = "0201") -> Any:
    alert = handling(clerk, officer, category_code=code)
    decision = propose(officer, alert, DecisionKind.ADMIN_ACCEPT, legal_basis="治安管理处罚法")
    approve(leader, decision)
    alert = fresh(alert)
    assert alert.status == AlertStatus.ADMIN_CASE
    return alert


def stage(alert: Any) -> str:
    return AlertFlow.objects.get(alert=alert).case_stage


def case_clock(alert: Any) -> Deadline:
    return Deadline.objects.get(
        object_type="alert", object_id=str(alert.pk), code="public_order_case"
    )


def public(alert: Any) -> PublicAlert:
    view = public_alert(alert.pk)
    assert isinstance(view, PublicAlert)
    return view


def buttons(actor: Any, alert: Any) -> set[str]:
    return {row.action for row in available(Ctx(actor=actor, alert=fresh(alert)))}


# --- criminal ------------------------------------------------------------------------------------
def test_solving_a_case_texts_the_reporter_and_shows_on_the_citizen_page(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    assert A.SOLVE in buttons(officer, alert)

    applied = act(officer, alert, A.SOLVE, reason="嫌疑人刘某于当日被抓获，电动车已追回。")

    assert fresh(alert).status == AlertStatus.CRIMINAL_CASE
    assert stage(alert) == CaseStage.SOLVED
    assert applied.event.event_type == EventType.CASE_SOLVED
    assert applied.event.data["stage"] == CaseStage.SOLVED
    [sms] = messages(alert, TemplateKey.SOLVED)
    assert alert.number in sms.text and "侦破" in sms.text and "刘某" not in sms.text
    view = public(alert)
    assert view.stage == "案件已侦破，正在继续侦查"
    assert "案件已侦破" in [m.label for m in view.milestones]
    # Once is enough: the stage moved on.
    with pytest.raises(TransitionError, match="已破案"):
        act(officer, alert, A.SOLVE, reason="再次破案")


def test_sensitive_case_is_solved_without_an_sms(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head, category_code="0119")
    act(officer, alert, A.SOLVE, reason="嫌疑人已抓获。")
    assert stage(alert) == CaseStage.SOLVED
    assert messages(alert, TemplateKey.SOLVED) == []


def test_bureau_head_concludes_the_investigation_after_the_case_is_solved(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    with pytest.raises(TransitionError, match="侦查终结须在破案之后"):
        act(bureau_head, alert, A.CONCLUDE_INVESTIGATION, authority="甲县人民检察院", reason="终结")
    act(officer, alert, A.SOLVE, reason="嫌疑人已抓获。")
    with pytest.raises(TransitionError, match="人民检察院"):
        act(bureau_head, alert, A.CONCLUDE_INVESTIGATION, reason="事实清楚，证据确实充分。")
    applied = act(
        bureau_head,
        alert,
        A.CONCLUDE_INVESTIGATION,
        authority="甲县人民检察院",
        reason="犯罪事实清楚，证据确实、充分。",
    )
    assert applied.event.event_type == EventType.INVESTIGATION_CONCLUDED
    assert applied.event.data["authority"] == "甲县人民检察院"
    assert stage(alert) == CaseStage.INVESTIGATION_CONCLUDED
    assert public(alert).stage == "侦查终结，已移送人民检察院审查起诉"
    # Nothing follows a concluded investigation.
    assert not {A.SOLVE, A.REVOKE_CASE, A.CONCLUDE_INVESTIGATION} & buttons(bureau_head, alert)


def test_revoking_a_case_issues_a_numbered_revocation_decision(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    applied = act(
        bureau_head, alert, A.REVOKE_CASE, reason="经查，涉案电动车系报案人亲属借用，没有犯罪事实。"
    )
    document = Document.objects.get(alert=alert, kind=DocumentKind.CASE_REVOCATION_DECISION)
    year = timezone.localdate().year
    assert document.number == f"甲公（刑）撤案字〔{year}〕00001号"
    assert applied.event.event_type == EventType.CASE_REVOKED
    assert applied.event.data["document"] == document.number
    assert "没有犯罪事实" in document.content["body"][0]
    assert "第一百六十三条" in document.content["body"][1]
    assert document.content["approvals"][0]["name"] == bureau_head.full_name
    assert stage(alert) == CaseStage.REVOKED
    assert public(alert).stage == "案件已撤销"
    with pytest.raises(TransitionError, match="案件已终结"):
        act(bureau_head, alert, A.REVOKE_CASE, reason="再次撤销")


def test_officer_cannot_revoke_a_case_nor_conclude_its_investigation(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    act(officer, alert, A.SOLVE, reason="嫌疑人已抓获。")
    for actor in (officer, leader):
        with pytest.raises(TransitionDenied, match="角色"):
            act(actor, alert, A.REVOKE_CASE, reason="没有犯罪事实")
        with pytest.raises(TransitionDenied, match="角色"):
            act(actor, alert, A.CONCLUDE_INVESTIGATION, authority="甲县人民检察院", reason="终结")
    assert stage(alert) == CaseStage.SOLVED
    assert AuditEvent.objects.filter(event_type=EventType.WORKFLOW_REFUSED).count() == 4


def test_clerk_other_unit_and_outsider_cannot_solve_a_case(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, outsider: Any, bureau_a: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    other_station = make_user("s2officer", bureau_a.station2, Role.OFFICER)
    for actor in (clerk, other_station, outsider, bureau_head):
        with pytest.raises(TransitionDenied):
            act(actor, alert, A.SOLVE, reason="破案")
        assert A.SOLVE not in buttons(actor, alert) if actor is not outsider else True
    assert stage(alert) == ""


def test_auxiliary_cannot_solve_a_case(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, auxiliary_clerk: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    with pytest.raises(TransitionDenied, match="辅警"):
        act(auxiliary_clerk, alert, A.SOLVE, reason="破案")


def test_a_case_is_solved_after_its_follow_up_too(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    act(clerk, alert, A.FOLLOW_UP, reason="已电话回访", satisfied=True)
    assert fresh(alert).status == AlertStatus.FOLLOWED_UP
    act(officer, alert, A.SOLVE, reason="嫌疑人已抓获。")
    assert fresh(alert).status == AlertStatus.FOLLOWED_UP
    assert stage(alert) == CaseStage.SOLVED
    assert len(messages(alert, TemplateKey.SOLVED)) == 1


def test_criminal_steps_are_refused_on_an_administrative_case_and_the_reverse(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    admin = public_order_case(clerk, officer, leader)
    with pytest.raises(TransitionError, match="不能破案"):
        act(officer, admin, A.SOLVE, reason="破案")
    criminal = criminal_case(clerk, officer, leader, bureau_head)
    with pytest.raises(TransitionError, match="不能作出处罚决定"):
        act(leader, criminal, A.PUNISH, reason="罚款五百元")
    # After the 回访 both kinds share one status: the guards tell them apart.
    for alert in (admin, criminal):
        act(clerk, alert, A.FOLLOW_UP, reason="已回访", satisfied=True)
    with pytest.raises(TransitionError, match="没有立案侦查的刑事案件"):
        act(officer, admin, A.SOLVE, reason="破案")
    with pytest.raises(TransitionError, match="没有受案调查的行政案件"):
        act(leader, criminal, A.PUNISH, reason="罚款五百元")


# --- 治安 ----------------------------------------------------------------------------------------
def test_public_order_case_punished_then_concluded_stops_its_clock_green_and_texts(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = public_order_case(clerk, officer, leader)
    assert case_clock(alert).status == "open"
    assert A.PUNISH in buttons(leader, alert) and A.PUNISH not in buttons(officer, alert)

    applied = act(leader, alert, A.PUNISH, reason="依法对违法行为人处以罚款五百元。")
    assert applied.event.event_type == EventType.PUNISHMENT_DECIDED
    clock = case_clock(alert)
    assert clock.status == "stopped" and clock.stopped_late is False
    assert stage(alert) == CaseStage.PUNISHED
    assert messages(alert, TemplateKey.CONCLUDED) == []

    applied = act(officer, alert, A.CONCLUDE_CASE)
    assert applied.event.event_type == EventType.CASE_CONCLUDED
    assert stage(alert) == CaseStage.CONCLUDED
    [sms] = messages(alert, TemplateKey.CONCLUDED)
    assert "办结" in sms.text and alert.number in sms.text
    assert public(alert).stage == "案件已办结"


def test_not_punishing_then_concluding(clerk: Any, officer: Any, leader: Any) -> None:
    alert = public_order_case(clerk, officer, leader)
    with pytest.raises(TransitionError, match="结案须在作出处罚或不予处罚决定之后"):
        act(officer, alert, A.CONCLUDE_CASE)
    act(leader, alert, A.NOT_PUNISH, reason="违法行为轻微，依法不予处罚。")
    assert case_clock(alert).status == "stopped"
    act(leader, alert, A.CONCLUDE_CASE, reason="")
    assert stage(alert) == CaseStage.CONCLUDED


def test_mediation_closes_a_public_order_case_and_texts_the_reporter(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = public_order_case(clerk, officer, leader)
    applied = act(leader, alert, A.MEDIATE, reason="双方达成调解协议并已履行。")
    assert applied.event.event_type == EventType.CASE_MEDIATED
    assert case_clock(alert).status == "stopped"
    assert stage(alert) == CaseStage.MEDIATED
    assert len(messages(alert, TemplateKey.CONCLUDED)) == 1
    with pytest.raises(TransitionError):
        act(officer, alert, A.CONCLUDE_CASE)


def test_officer_clerk_and_center_head_cannot_decide_on_punishment(
    clerk: Any, officer: Any, leader: Any, head: Any
) -> None:
    alert = public_order_case(clerk, officer, leader)
    for actor in (officer, clerk, head):
        for action in (A.PUNISH, A.NOT_PUNISH, A.MEDIATE):
            with pytest.raises(TransitionDenied):
                act(actor, alert, action, reason="处罚")
    assert stage(alert) == "" and case_clock(alert).status == "open"


def test_clerk_and_outsider_cannot_conclude_a_public_order_case(
    clerk: Any, officer: Any, leader: Any, outsider: Any
) -> None:
    alert = public_order_case(clerk, officer, leader)
    act(leader, alert, A.PUNISH, reason="罚款")
    for actor in (clerk, outsider):
        with pytest.raises(TransitionDenied):
            act(actor, alert, A.CONCLUDE_CASE)
    assert stage(alert) == CaseStage.PUNISHED


# --- 有案不受 (item 3) ----------------------------------------------------------------------------
def test_case_type_alert_cannot_be_decided_not_police_business(clerk: Any, officer: Any) -> None:
    alert = handling(clerk, officer)  # 盗窃电动车: a case-type category
    with pytest.raises(TransitionError, match="涉案类警情属于公安机关职责"):
        propose(
            officer,
            alert,
            DecisionKind.NOT_POLICE,
            authority="县市场监督管理局",
            legal_basis="《公安机关办理行政案件程序规定》第六十一条",
        )
    assert fresh(alert).status == AlertStatus.HANDLING
    refused = AuditEvent.objects.filter(event_type=EventType.WORKFLOW_REFUSED).latest("id")
    assert refused.data["code"] == "case_type_not_police"
