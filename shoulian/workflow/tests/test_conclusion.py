"""The end of a case (issue 12 items 1 and 3): 破案, 侦查终结, 撤销案件 for a criminal case; 处罚决定,
不予处罚, 调解结案, 结案 for a 治安 case. Each step has its roles, guards, journal event and clock;
破案 and 结案 text the reporter; the citizen's page names the stage. And the 有案不受 guard on
不属于公安职责."""

from __future__ import annotations

import io
import zipfile
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


PUBLIC_ORDER_LAW = "《中华人民共和国治安管理处罚法》第五十一条"


def propose_punishment(officer: Any, alert: Any, penalty: str = "罚款五百元") -> Any:
    return propose(
        officer,
        alert,
        DecisionKind.PUNISH,
        facts="违法行为人张某在农贸市场门口推搡报案人，致其轻微伤，事实清楚，证据确实。",
        legal_basis=PUBLIC_ORDER_LAW,
        penalty=penalty,
    )


def punish(officer: Any, leader: Any, legal: Any, bureau_head: Any, alert: Any) -> Any:
    """处罚决定 along the default chain: the unit leader, the legal brigade, the bureau head."""
    decision = propose_punishment(officer, alert)
    approve(leader, decision)
    approve(legal, decision)
    return approve(bureau_head, decision)


def propose_prosecution(officer: Any, alert: Any, authority: str = "甲县人民检察院") -> Any:
    return propose(
        officer,
        alert,
        DecisionKind.INVESTIGATION_END,
        facts="犯罪事实清楚，证据确实、充分，犯罪嫌疑人刘某对犯罪事实供认不讳。",
        legal_basis="《中华人民共和国刑事诉讼法》第一百六十二条",
        authority=authority,
    )


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


def test_the_investigation_is_concluded_along_its_chain_after_the_case_is_solved(
    clerk: Any, officer: Any, leader: Any, legal: Any, bureau_head: Any
) -> None:
    alert = criminal_case(clerk, officer, leader, bureau_head)
    with pytest.raises(TransitionError, match="侦查终结意见须在破案之后"):
        propose_prosecution(officer, alert)
    assert A.PROPOSE not in buttons(officer, alert)
    act(officer, alert, A.SOLVE, reason="嫌疑人已抓获。")
    assert A.PROPOSE in buttons(officer, alert)
    with pytest.raises(TransitionError, match="人民检察院"):
        propose_prosecution(officer, alert, authority="")
    # Only the conclusion that stands on the 立案 decision can be proposed now.
    with pytest.raises(TransitionError, match="不能提出“处罚决定"):
        propose_punishment(officer, alert)
    decision = propose_prosecution(officer, alert)
    assert [(a.role, a.unit_id) for a in decision.approvals.order_by("position")] == [
        (Role.LEADER, officer.unit_id),
        (Role.LEGAL_BRIGADE, legal.unit_id),
        (Role.BUREAU_HEAD, bureau_head.unit_id),
    ]
    # Nobody concludes it directly: the bureau head's step comes last.
    with pytest.raises(TransitionDenied):
        act(bureau_head, alert, A.CONCLUDE_INVESTIGATION, note="同意")
    assert approve(leader, decision).event.event_type == EventType.DECISION_STEP_APPROVED
    assert approve(legal, decision).event.event_type == EventType.DECISION_STEP_APPROVED
    assert stage(alert) == CaseStage.SOLVED
    applied = approve(bureau_head, decision)
    assert applied.event.event_type == EventType.INVESTIGATION_CONCLUDED
    assert applied.event.data["authority"] == "甲县人民检察院"
    assert applied.event.data["decision"] == decision.pk
    decision.refresh_from_db()
    assert decision.status == "approved" and decision.decided_at is not None
    assert stage(alert) == CaseStage.INVESTIGATION_CONCLUDED
    assert fresh(alert).status == AlertStatus.CRIMINAL_CASE
    assert public(alert).stage == "侦查终结，已移送人民检察院审查起诉"
    # Nothing follows a concluded investigation.
    assert not {A.SOLVE, A.REVOKE_CASE, A.PROPOSE} & (
        buttons(bureau_head, alert) | buttons(officer, alert)
    )


def test_a_conclusion_cannot_be_approved_by_its_proposer_nor_by_a_wrong_role(
    clerk: Any,
    officer: Any,
    leader: Any,
    legal: Any,
    bureau_head: Any,
    legal_officer: Any,
    bureau_a: Any,
) -> None:
    alert = public_order_case(clerk, officer, leader)
    # An officer who also leads the station proposes: they cannot approve their own proposal.
    acting_leader = make_user("actingleader", bureau_a.station, Role.OFFICER, Role.LEADER)
    decision = propose_punishment(acting_leader, alert)
    with pytest.raises(TransitionDenied, match="不能审批本人提出的处理意见"):
        approve(acting_leader, decision)
    # The station's legal officer sits in the right unit but holds the wrong role.
    with pytest.raises(TransitionDenied, match="所队领导"):
        approve(legal_officer, decision)
    # The legal brigade and the bureau head cannot jump the leader's step; an officer never
    # approves.
    for actor in (legal, bureau_head, officer):
        with pytest.raises(TransitionDenied):
            approve(actor, decision)
    approve(leader, decision)
    # The leader cannot take the legal brigade's step too.
    with pytest.raises(TransitionDenied):
        approve(leader, decision)
    assert stage(alert) == "" and case_clock(alert).status == "open"
    assert not Document.objects.filter(alert=alert, kind=DocumentKind.PUNISHMENT_DECISION)
    # The proposer may withdraw it; a rejection sends it back with a reason.
    approve(legal, decision)
    decision.refresh_from_db()
    act(bureau_head, alert, A.REJECT, reason="处罚幅度不当，请重新审核。")
    decision.refresh_from_db()
    assert decision.status == "rejected" and stage(alert) == ""
    assert A.PROPOSE in buttons(officer, alert)


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
    # 侦查终结 is made only by the last step of an approved proposal, never by a role directly.
    with pytest.raises(TransitionDenied, match="角色"):
        act(officer, alert, A.CONCLUDE_INVESTIGATION, note="终结")
    with pytest.raises(TransitionError, match="没有审批中的处理意见"):
        act(leader, alert, A.CONCLUDE_INVESTIGATION, note="终结")
    # A leader does not propose it either: the handling officer does.
    with pytest.raises(TransitionDenied, match="角色"):
        propose_prosecution(leader, alert)
    assert stage(alert) == CaseStage.SOLVED
    assert AuditEvent.objects.filter(event_type=EventType.WORKFLOW_REFUSED).count() == 5


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
    with pytest.raises(TransitionError, match="不能提出“侦查终结"):
        propose_prosecution(officer, admin)
    criminal = criminal_case(clerk, officer, leader, bureau_head)
    with pytest.raises(TransitionError, match="不能作出处罚决定"):
        act(leader, criminal, A.PUNISH, note="同意")
    # After the 回访 both kinds share one status: the guards tell them apart.
    for alert in (admin, criminal):
        act(clerk, alert, A.FOLLOW_UP, reason="已回访", satisfied=True)
    with pytest.raises(TransitionError, match="没有立案侦查的刑事案件"):
        act(officer, admin, A.SOLVE, reason="破案")
    act(officer, criminal, A.SOLVE, reason="嫌疑人已抓获。")
    with pytest.raises(TransitionError, match="不能提出“处罚决定"):
        propose_punishment(officer, criminal)


# --- 治安 ----------------------------------------------------------------------------------------
def test_public_order_case_punished_then_concluded_stops_its_clock_green_and_texts(
    clerk: Any, officer: Any, leader: Any, legal: Any, bureau_head: Any
) -> None:
    alert = public_order_case(clerk, officer, leader)
    assert case_clock(alert).status == "open"
    assert A.PROPOSE in buttons(officer, alert)
    assert A.PUNISH not in buttons(leader, alert)

    applied = punish(officer, leader, legal, bureau_head, alert)
    assert applied.event.event_type == EventType.PUNISHMENT_DECIDED
    assert applied.event.data["penalty"] == "罚款五百元"
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


def test_a_punishment_issues_a_numbered_punishment_decision_served_on_the_offender(
    clerk: Any, officer: Any, leader: Any, legal: Any, bureau_head: Any
) -> None:
    from shoulian.intake.choices import PartyRole
    from shoulian.intake.tests.helpers import reporter
    from shoulian.workflow.documents import render_docx, render_pdf
    from shoulian.workflow.services import document_render

    offender = reporter(
        role=PartyRole.SUSPECT, name="张大力", phone="", id_type="", id_number="", address=""
    )
    alert = handling(clerk, officer, category_code="0201", parties=(reporter(), offender))
    decision = propose(officer, alert, DecisionKind.ADMIN_ACCEPT, legal_basis="治安管理处罚法")
    approve(leader, decision)
    applied = punish(officer, leader, legal, bureau_head, alert)

    document = Document.objects.get(alert=alert, kind=DocumentKind.PUNISHMENT_DECISION)
    year = timezone.localdate().year
    assert document.number == f"甲公（治）行罚决字〔{year}〕00001号"
    assert applied.event.data["document"] == document.number
    content = document.content
    assert content["title"] == "行政处罚决定书" and content["penalty"] == "罚款五百元"
    assert content["body"][0].startswith("现查明：违法行为人张某在农贸市场门口推搡报案人")
    assert content["body"][1] == f"根据{PUBLIC_ORDER_LAW}之规定，现决定：罚款五百元。"
    assert "十五日内" in content["body"][2] and "六十日内" in content["body"][3]
    assert [a["label"] for a in content["approvals"]] == [
        "所队领导审核",
        "法制大队法制审核",
        "局领导批准",
    ]
    assert content["approvals"][-1]["name"] == bureau_head.full_name
    # Served on the 违法行为人, whose name is read at rendering, never copied into the row.
    assert "张大力" not in str(content) and "王小明" not in str(content)
    pdf = render_pdf.render(document)
    assert pdf.startswith(b"%PDF") and b"NotoSansSC" in pdf
    with zipfile.ZipFile(io.BytesIO(render_docx.render(document))) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "行政处罚决定书" in xml and document.number in xml
    assert "违法行为人：张大力" in xml and "现决定：罚款五百元。" in xml
    assert "本文书已收到" in xml
    # The next punishment of the bureau takes the next number; downloads are journalled.
    assert document_render(actor=officer, document=document, fmt="docx").startswith(b"PK")
    second = public_order_case(clerk, officer, leader)
    punish(officer, leader, legal, bureau_head, second)
    assert Document.objects.get(alert=second, kind=DocumentKind.PUNISHMENT_DECISION).number == (
        f"甲公（治）行罚决字〔{year}〕00002号"
    )
    # Without a recorded offender the name is left for the officer to fill in on paper.
    assert "违法行为人：（未登记姓名）" in _docx_text(second)


def _docx_text(alert: Any) -> str:
    from shoulian.workflow.documents import render_docx

    document = Document.objects.get(alert=alert, kind=DocumentKind.PUNISHMENT_DECISION)
    with zipfile.ZipFile(io.BytesIO(render_docx.render(document))) as archive:
        return archive.read("word/document.xml").decode("utf-8")


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
        for action in (A.NOT_PUNISH, A.MEDIATE):
            with pytest.raises(TransitionDenied):
                act(actor, alert, action, reason="处罚")
        # A 处罚决定 is only the last step of an approved proposal.
        with pytest.raises((TransitionDenied, TransitionError)):
            act(actor, alert, A.PUNISH, note="同意")
    # While a punishment is proposed the leader cannot side-step its chain.
    propose_punishment(officer, alert)
    for action in (A.NOT_PUNISH, A.MEDIATE):
        with pytest.raises(TransitionError, match="已有处理意见在审批中"):
            act(leader, alert, action, reason="不予处罚")
    assert stage(alert) == "" and case_clock(alert).status == "open"


def test_clerk_and_outsider_cannot_conclude_a_public_order_case(
    clerk: Any, officer: Any, leader: Any, legal: Any, bureau_head: Any, outsider: Any
) -> None:
    alert = public_order_case(clerk, officer, leader)
    punish(officer, leader, legal, bureau_head, alert)
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
