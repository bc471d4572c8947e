"""Choice sets of the alert lifecycle after registration (DOMAIN §4)."""

from __future__ import annotations

from django.db import models

from shoulian.accounts.choices import Role
from shoulian.intake.choices import AlertStatus
from shoulian.org.choices import UnitKind


class Action(models.TextChoices):
    """What somebody does to an alert. Each value appears in the transition table
    (``shoulian.workflow.workflow.TRANSITIONS``) with the statuses it is allowed from."""

    ROUTE = "route", "分派"
    REROUTE = "reroute", "重新分派"
    SIGN_FOR = "sign_for", "签收"
    RETURN = "return", "退回中心"
    START_HANDLING = "start_handling", "开始办理"
    REQUEST_TRANSFER = "request_transfer", "申请移交其他单位"
    APPROVE_TRANSFER = "approve_transfer", "同意移交"
    REJECT_TRANSFER = "reject_transfer", "不同意移交"
    RAISE_DISPUTE = "raise_dispute", "提出管辖争议"
    DESIGNATE = "designate", "指定管辖"
    PROPOSE = "propose", "提出处理意见"
    WITHDRAW = "withdraw", "撤回处理意见"
    APPROVE = "approve", "审批同意"
    REJECT = "reject", "审批不同意"
    DECIDE_ADMIN_ACCEPT = "decide_admin_accept", "批准受案"
    DECIDE_CRIMINAL_FILE = "decide_criminal_file", "批准立案"
    DECIDE_NOT_FILE = "decide_not_file", "批准不予立案"
    DECIDE_TRANSFER_OUT = "decide_transfer_out", "批准移送"
    DECIDE_NOT_POLICE = "decide_not_police", "批准不予调查处理"
    DECIDE_CLOSE_NON_CASE = "decide_close_non_case", "批准非案件类办结"
    SERVE_NOTICE = "serve_notice", "送达不予立案通知书"
    APPLY_RECONSIDERATION = "apply_reconsideration", "登记复议申请"
    UPHOLD_RECONSIDERATION = "uphold_reconsideration", "复议维持"
    REVOKE_RECONSIDERATION = "revoke_reconsideration", "复议撤销原决定"
    APPLY_REVIEW = "apply_review", "登记复核申请"
    UPHOLD_REVIEW = "uphold_review", "复核维持"
    REVOKE_REVIEW = "revoke_review", "复核撤销原决定"
    SERVE_RECONSIDERATION_DECISION = "serve_reconsideration_decision", "送达复议决定书"
    FOLLOW_UP = "follow_up", "回访"
    # Conclusion of a criminal case (刑事诉讼法 arts. 162, 163) ...
    SOLVE = "solve", "破案"
    CONCLUDE_INVESTIGATION = "conclude_investigation", "侦查终结（移送审查起诉）"
    REVOKE_CASE = "revoke_case", "撤销案件"
    # ... and of a 治安 case (治安管理处罚法).
    PUNISH = "punish", "作出处罚决定"
    NOT_PUNISH = "not_punish", "作出不予处罚决定"
    MEDIATE = "mediate", "调解结案"
    CONCLUDE_CASE = "conclude_case", "结案"


class DecisionKind(models.TextChoices):
    """The decisions an officer proposes at the end of handling (DOMAIN §3, §4)."""

    ADMIN_ACCEPT = "admin_accept", "受案（行政案件）"
    CRIMINAL_FILE = "criminal_file", "立案（刑事案件）"
    NOT_FILE = "not_file", "不予立案"
    TRANSFER_OUT = "transfer_out", "移送其他机关"
    NOT_POLICE = "not_police", "不属于公安职责（告知报案人）"
    CLOSE_NON_CASE = "close_non_case", "非案件类办结"
    # The conclusions of a case that go through an approval chain as well (issue 12): proposed
    # by the handling officer after 受案 / 破案, approved along the bureau's chain; the last step
    # makes the decision and moves the case stage (the alert keeps its status).
    PUNISH = "punish", "处罚决定（治安案件）"
    INVESTIGATION_END = "investigation_end", "侦查终结（移送审查起诉）"


# The decisions that end the handling of an alert (proposed while it is 办理中) and those that
# conclude a case already 受案 / 立案, each with the case decision it stands on.
HANDLING_DECISION_KINDS = frozenset(
    {
        DecisionKind.ADMIN_ACCEPT,
        DecisionKind.CRIMINAL_FILE,
        DecisionKind.NOT_FILE,
        DecisionKind.TRANSFER_OUT,
        DecisionKind.NOT_POLICE,
        DecisionKind.CLOSE_NON_CASE,
    }
)
CONCLUSION_DECISION_KINDS: dict[str, str] = {
    DecisionKind.PUNISH: DecisionKind.ADMIN_ACCEPT,
    DecisionKind.INVESTIGATION_END: DecisionKind.CRIMINAL_FILE,
}


class CaseStage(models.TextChoices):
    """How far a case got after 立案 / 受案 (``AlertFlow.case_stage``; empty: under
    investigation). The alert keeps its status (已立案, 已受案, 已回访): a case goes on after its
    回访, and the stage is what the conclusion steps move."""

    SOLVED = "solved", "已破案"
    INVESTIGATION_CONCLUDED = "investigation_concluded", "侦查终结，已移送审查起诉"
    REVOKED = "revoked", "已撤销案件"
    PUNISHED = "punished", "已作出处罚决定"
    NOT_PUNISHED = "not_punished", "已作出不予处罚决定"
    MEDIATED = "mediated", "调解结案"
    CONCLUDED = "concluded", "已结案"


# Stages after which nothing more happens to the case.
FINAL_CASE_STAGES = frozenset(
    {CaseStage.INVESTIGATION_CONCLUDED, CaseStage.REVOKED, CaseStage.MEDIATED, CaseStage.CONCLUDED}
)


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"
    # A 不予立案 decision that 复议/复核 set aside: the alert is back in handling.
    REVOKED = "revoked", "已被撤销"


class ApprovalStatus(models.TextChoices):
    WAITING = "waiting", "待前一环节"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "同意"
    REJECTED = "rejected", "不同意"
    CANCELLED = "cancelled", "已取消"


class ChainCondition(models.TextChoices):
    """When a configured approval step applies. The predicates live in
    ``shoulian.workflow.chains.CONDITIONS``: one registry, the chain data refers to them by code."""

    ALWAYS = "always", "所有警情"
    LEGAL_REVIEW = "legal_review", "经济犯罪、易与纠纷混淆的类别（须法制审核）"
    CASE_TYPE = "case_type", "涉案类警情"


class DocumentKind(models.TextChoices):
    ADMIN_ACCEPT_FORM = "admin_accept_form", "受案登记表"
    FILING_DECISION = "filing_decision", "立案决定书"
    NON_FILING_NOTICE = "non_filing_notice", "不予立案通知书"
    TRANSFER_NOTICE = "transfer_notice", "移送案件通知书"
    NON_INVESTIGATION_NOTICE = "non_investigation_notice", "不予调查处理告知书"
    CASE_REVOCATION_DECISION = "case_revocation_decision", "撤销案件决定书"
    PUNISHMENT_DECISION = "punishment_decision", "行政处罚决定书"


class RequestStatus(models.TextChoices):
    """Of a transfer request to the center and of a jurisdiction dispute."""

    PENDING = "pending", "待中心处理"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "未同意"
    DECIDED = "decided", "已指定管辖"


class ReconsiderationKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", "复议"
    REVIEW = "review", "复核"


class ReconsiderationStatus(models.TextChoices):
    PENDING = "pending", "审查中"
    UPHELD = "upheld", "维持原决定"
    REVOKED = "revoked", "撤销原决定"


class NotificationChannel(models.TextChoices):
    SMS = "sms", "短信"
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "当面"
    LETTER = "letter", "书面"


class NotificationStatus(models.TextChoices):
    # Waiting for the SMS outbox (citizen issue) to pick it up and send it.
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    # Told in person or by phone: nothing left to send, the row is the record.
    RECORDED = "recorded", "已告知（记录）"
    FAILED = "failed", "发送失败"


class NotificationPurpose(models.TextChoices):
    TRANSFERRED_INTERNAL = "transferred_internal", "警情移交其他单位办理"
    TRANSFERRED_OUT = "transferred_out", "案件移送其他机关"
    NOT_POLICE = "not_police", "不属于公安职责"


# The kind of statuses in the decision set, their target and the document each issues.
DECISION_TARGET: dict[str, str] = {
    DecisionKind.ADMIN_ACCEPT: AlertStatus.ADMIN_CASE,
    DecisionKind.CRIMINAL_FILE: AlertStatus.CRIMINAL_CASE,
    DecisionKind.NOT_FILE: AlertStatus.NOT_FILED,
    DecisionKind.TRANSFER_OUT: AlertStatus.TRANSFERRED,
    DecisionKind.NOT_POLICE: AlertStatus.NOT_POLICE,
    DecisionKind.CLOSE_NON_CASE: AlertStatus.CLOSED_NON_CASE,
}

DECISION_ACTION: dict[str, str] = {
    DecisionKind.ADMIN_ACCEPT: Action.DECIDE_ADMIN_ACCEPT,
    DecisionKind.CRIMINAL_FILE: Action.DECIDE_CRIMINAL_FILE,
    DecisionKind.NOT_FILE: Action.DECIDE_NOT_FILE,
    DecisionKind.TRANSFER_OUT: Action.DECIDE_TRANSFER_OUT,
    DecisionKind.NOT_POLICE: Action.DECIDE_NOT_POLICE,
    DecisionKind.CLOSE_NON_CASE: Action.DECIDE_CLOSE_NON_CASE,
    # The last approval of a conclusion is the conclusion step itself.
    DecisionKind.PUNISH: Action.PUNISH,
    DecisionKind.INVESTIGATION_END: Action.CONCLUDE_INVESTIGATION,
}

DECISION_DOCUMENT: dict[str, str | None] = {
    DecisionKind.ADMIN_ACCEPT: DocumentKind.ADMIN_ACCEPT_FORM,
    DecisionKind.CRIMINAL_FILE: DocumentKind.FILING_DECISION,
    DecisionKind.NOT_FILE: DocumentKind.NON_FILING_NOTICE,
    DecisionKind.TRANSFER_OUT: DocumentKind.TRANSFER_NOTICE,
    DecisionKind.NOT_POLICE: DocumentKind.NON_INVESTIGATION_NOTICE,
    DecisionKind.CLOSE_NON_CASE: None,
    DecisionKind.PUNISH: DocumentKind.PUNISHMENT_DECISION,
    DecisionKind.INVESTIGATION_END: None,
}

# Units an alert may be routed, transferred or designated to: the ones that handle cases.
HANDLING_UNIT_KINDS = frozenset(
    {
        UnitKind.STATION,
        UnitKind.CRIMINAL_BRIGADE,
        UnitKind.ECONOMIC_BRIGADE,
        UnitKind.PUBLIC_ORDER_BRIGADE,
        UnitKind.OTHER,
    }
)

# Roles that may hold an approval step, and where the approver must sit.
APPROVER_ROLES = frozenset(
    {Role.LEADER, Role.LEGAL_OFFICER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD}
)

# Alert statuses in which the unit still has to reach a decision (the review clock runs).
OPEN_STATUSES = frozenset(
    {
        AlertStatus.REGISTERED,
        AlertStatus.ROUTED,
        AlertStatus.SIGNED,
        AlertStatus.HANDLING,
        AlertStatus.RETURNED,
        AlertStatus.DISPUTED,
    }
)

# Alert statuses that close the alert's loop: a decision was taken and the alert waits for its
# 回访 (the follow-up task opens). The one list; the table and feedback read it.
CLOSED_STATUSES = frozenset(
    {
        AlertStatus.ADMIN_CASE,
        AlertStatus.CRIMINAL_CASE,
        AlertStatus.NOT_FILED,
        AlertStatus.TRANSFERRED,
        AlertStatus.NOT_POLICE,
        AlertStatus.CLOSED_NON_CASE,
    }
)
