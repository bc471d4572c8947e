"""What an issued document says, fixed at issue (``Document.content``).

The wording follows the 公安机关法律文书式样: the organ, the title, the 文号, the addressee, the body
with the facts, the legal basis and the remedy, the organ and date at the foot. The addressee's name
is not copied here: ``addressee_party`` points to the party, whose name is read when rendering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.utils import timezone

from shoulian.intake.choices import CategoryGroup, PartyRole
from shoulian.org.models import Unit
from shoulian.workflow.choices import ApprovalStatus, DocumentKind
from shoulian.workflow.documents import numbering
from shoulian.workflow.models import Document

CRIMINAL_PROCEDURE_LAW = "《中华人民共和国刑事诉讼法》第一百一十二条"
# 在侦查过程中，发现不应对犯罪嫌疑人追究刑事责任的，应当撤销案件.
REVOCATION_LAW = "《中华人民共和国刑事诉讼法》第一百六十三条"
PUBLIC_ORDER_LAW = "《中华人民共和国治安管理处罚法》"
# The remedies a punishment must state (行政处罚法 art. 44): 行政复议 within 60 days of receipt
# (行政复议法 2023 art. 20), 行政诉讼 within six months (行政诉讼法 art. 46).
PUNISHMENT_REMEDY = (
    "被处罚人如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)
# 行政处罚法 art. 67: a fine is paid within fifteen days of receiving the decision.
FINE_PAYMENT = "被处罚人应当自收到本决定书之日起十五日内到指定的银行或者通过电子支付系统缴纳罚款。"


def _day(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日")


def _minute(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H时%M分")


def _case_name(alert: Any) -> str:
    name = alert.category.name
    return name if name.endswith("案") else f"{name}案"


def _offender(alert: Any) -> Any:
    """The 违法行为人 a punishment is served on: the first suspect on the alert, if recorded."""
    return next((p for p in alert.parties.all() if p.role == PartyRole.SUSPECT), None)


def _reporter(alert: Any) -> Any:
    parties = list(alert.parties.all())
    for role in (PartyRole.REPORTER, PartyRole.VICTIM):
        found = next((p for p in parties if p.role == role), None)
        if found is not None:
            return found
    return None


def _materials(alert: Any) -> list[dict[str, Any]]:
    items = [
        {"name": i.name, "quantity": i.quantity, "features": i.features, "pages": i.pages}
        for i in alert.evidence_items.all()
    ]
    files = [
        {
            "name": f"电子文件：{f.get_kind_display()}",
            "quantity": 1,
            "features": f.sha256[:16],
            "pages": None,
        }
        for f in alert.evidence_files.all()
    ]
    return items + files


def _approvals(decision: Any) -> list[dict[str, str]]:
    return [
        {
            "label": a.label,
            "name": a.decided_by.full_name if a.decided_by else "",
            "date": _day(a.decided_at) if a.decided_at else "",
            "note": a.note,
        }
        for a in decision.approvals.select_related("decided_by").order_by("position")
        if a.status == ApprovalStatus.APPROVED
    ]


def _body(kind: str, alert: Any, decision: Any, bureau: Unit, reason: str = "") -> list[str]:
    received = _day(alert.received_at)
    case = _case_name(alert)
    facts = decision.facts.strip()
    basis = decision.legal_basis.strip()
    if kind == DocumentKind.FILING_DECISION:
        return [
            f"根据{basis or CRIMINAL_PROCEDURE_LAW}之规定，决定对{case}立案侦查。",
        ]
    if kind == DocumentKind.NON_FILING_NOTICE:
        return [
            f"你（单位）于{received}提出控告的{case}，我局经审查认为：{facts}",
            f"根据{basis or CRIMINAL_PROCEDURE_LAW}之规定，决定不予立案。",
            f"如不服本决定，可以在收到本通知书之日起七日以内向{bureau.name}申请复议。",
        ]
    if kind == DocumentKind.TRANSFER_NOTICE:
        return [
            f"你（单位）于{received}报称的{case}，我局经审查认为：{facts}",
            f"根据{basis}之规定，已将该案件移送{decision.authority}处理，"
            "随案移送的材料见下表。请与该机关联系了解办理情况。",
        ]
    if kind == DocumentKind.NON_INVESTIGATION_NOTICE:
        return [
            f"你（单位）于{received}报称的事项，经审查：{facts}",
            f"该事项不属于公安机关职责范围，根据{basis}之规定，本局不予调查处理。"
            f"请向{decision.authority}反映。",
            "如有异议，可以在收到本告知书后向本局法制部门反映，或拨打举报投诉电话 12389。",
        ]
    if kind == DocumentKind.ADMIN_ACCEPT_FORM:
        return [f"受案意见：{facts}", f"法律依据：{basis}"]
    if kind == DocumentKind.CASE_REVOCATION_DECISION:
        filed = _day(decision.decided_at) if decision.decided_at else received
        return [
            f"我局于{filed}立案侦查的{case}，经侦查：{reason}",
            f"根据{REVOCATION_LAW}之规定，决定撤销此案。",
        ]
    if kind == DocumentKind.PUNISHMENT_DECISION:
        penalty = decision.penalty.strip().rstrip("。")
        lines = [
            f"现查明：{facts}",
            f"根据{basis or PUBLIC_ORDER_LAW}之规定，现决定：{penalty}。",
        ]
        if "罚款" in penalty:
            lines.append(FINE_PAYMENT)
        lines.append(PUNISHMENT_REMEDY)
        return lines
    raise ValueError(f"unknown document kind {kind}")


def build(
    kind: str,
    alert: Any,
    decision: Any,
    *,
    bureau: Unit,
    number: str,
    at: dt.datetime,
    reason: str = "",
    actor: Any = None,
) -> dict[str, Any]:
    reporter = _reporter(alert)
    spec = numbering.SPECS[kind]
    handling = alert.handling_unit
    content: dict[str, Any] = {
        "title": spec.title,
        "number": number,
        "organ": bureau.name,
        "unit": handling.name if handling else "",
        "unit_phone": handling.phone if handling else "",
        "alert_number": alert.number,
        "channel": alert.get_channel_display(),
        "category": alert.category.name,
        "received_at": _minute(alert.received_at),
        "decided_on": _day(at),
        "addressee_party": reporter.pk if reporter else None,
        "body": _body(kind, alert, decision, bureau, reason),
        "proposer": decision.proposed_by.full_name,
        "approvals": _approvals(decision),
    }
    if kind == DocumentKind.ADMIN_ACCEPT_FORM:
        content["narrative"] = alert.narrative
        content["incident_place"] = alert.incident_place
        content["incident_at"] = _minute(alert.incident_at)
    if kind == DocumentKind.TRANSFER_NOTICE:
        content["authority"] = decision.authority
        content["materials"] = _materials(alert)
    if kind == DocumentKind.PUNISHMENT_DECISION:
        # Served on the 违法行为人, not on the reporter (a victim gets a copy).
        offender = _offender(alert)
        content["addressee_party"] = offender.pk if offender else None
        content["addressee_default"] = "（未登记姓名）"
        content["case"] = _case_name(alert)
        content["penalty"] = decision.penalty
    if kind == DocumentKind.CASE_REVOCATION_DECISION and actor is not None:
        # Approved by the bureau head at the revocation, not along the filing's chain.
        content["approvals"] = [
            {"label": "批准撤销", "name": actor.full_name, "date": _day(at), "note": ""}
        ]
    return content


def digest(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def issue(
    *,
    kind: str,
    alert: Any,
    decision: Any,
    bureau: Unit,
    actor: Any,
    at: dt.datetime,
    reason: str = "",
) -> Document:
    """Number and write the document; inside the deciding transaction."""
    year = timezone.localtime(at).year
    sequence = numbering.next_sequence(bureau, kind, year)
    tag = None
    if kind == DocumentKind.TRANSFER_NOTICE and alert.category.group == CategoryGroup.CRIMINAL:
        tag = "刑"
    number = numbering.format_number(numbering.prefix_for(bureau), kind, year, sequence, tag=tag)
    return Document.objects.create(
        alert=alert,
        decision=decision,
        kind=kind,
        bureau=bureau,
        year=year,
        sequence=sequence,
        number=number,
        content=build(
            kind,
            alert,
            decision,
            bureau=bureau,
            number=number,
            at=at,
            reason=reason,
            actor=actor,
        ),
        issued_at=at,
        issued_by=actor,
    )
