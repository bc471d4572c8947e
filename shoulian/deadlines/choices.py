from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.text import Text


class DurationUnit(models.TextChoices):
    HOURS = "hours", _("小时")
    DAYS = "days", _("日")
    # 行政处罚法 art. 85 and similar provisions count some short periods in working days; a rule the
    # legal brigade reads that way uses this unit instead of calendar days.
    WORKING_DAYS = "working_days", _("个工作日")
    # 刑事诉讼法 art. 105: 期间以时、日、月计算. A month ends on the same-numbered day of the
    # month it reaches, or on that month's last day when it has no such day.
    MONTHS = "months", _("个月")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("计时中")
    PAUSED = "paused", _("暂停计算")
    STOPPED = "stopped", _("已完结")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class CalendarSource(models.TextChoices):
    LIBRARY = "library", _("国务院通知（chinese-calendar 数据）")
    MANUAL = "manual", _("系统管理员录入")


class CalendarYearStatus(models.TextChoices):
    # A year being typed in must not be used: a half-entered calendar would give wrong due dates.
    DRAFT = "draft", _("录入中（未生效）")
    PUBLISHED = "published", _("已生效")


class Band(models.TextChoices):
    """The colour of a pending item by the share of its period used (DOMAIN §6: 50 % / 80 %)."""

    GREEN = "green", _("正常")
    YELLOW = "yellow", _("已过半")
    ORANGE = "orange", _("临近到期")
    RED = "red", _("已超期")
    PAUSED = "paused", _("暂停计算")
    UNKNOWN = "unknown", _("到期时间待定")


YELLOW_SHARE = 0.5
ORANGE_SHARE = 0.8

# Periods that run for the complainant, not for staff (apply for 复议 / 复核 within 7 days): they
# are counted like any other, but they are nobody's duty, so work queues leave them out and an
# expired one is not an overdue node.
PARTY_WINDOW_CODES = frozenset({"reconsideration_application", "review_application"})

# Roles that may approve an extension, if a rule names them. The administrator and the inspector
# never decide case matters (三员分立); a clerk registers and routes but approves nothing.
APPROVER_ROLES = frozenset({Role.LEADER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD})

# Roles that may ask for more time on a deadline they can see.
REQUESTER_ROLES = frozenset(
    {
        Role.OFFICER,
        Role.LEADER,
        Role.LEGAL_OFFICER,
        Role.CENTER_HEAD,
        Role.LEGAL_BRIGADE,
        Role.BUREAU_HEAD,
    }
)

# Events of the lifecycles (DOMAIN §4) that start, stop or pause a node's period. Rules refer to
# them by code; the workflow that lands with the Alert raises them. New nodes add their events here.
NODE_EVENTS: dict[str, Text] = {
    "alert_received": _("接报（报警人到场或来电）"),
    "alert_registered": _("警情登记完成"),
    "receipt_issued": _("出具接报案回执"),
    "onsite_handled": _("现场处置结束"),
    "alert_signed_for": _("办案单位签收"),
    "reporter_told": _("告知报案人"),
    "not_police_decided": _("决定不属于公安职责"),
    "transferred_out": _("移送其他单位或机关"),
    "transfer_received": _("接受行政执法机关移送"),
    "admin_accept_decided": _("作出是否受案决定"),
    "criminal_filing_decided": _("作出是否立案决定"),
    "non_filing_decided": _("作出不予立案决定"),
    "non_filing_notice_served": _("送达不予立案通知书"),
    "reconsideration_applied": _("申请复议"),
    "reconsideration_decided": _("作出复议决定"),
    "reconsideration_decision_served": _("复议决定书送达申请人"),
    "review_applied": _("申请复核"),
    "review_decided": _("作出复核决定"),
    "case_accepted": _("治安案件受理"),
    "case_concluded": _("治安案件办结"),
    "appraisal_commissioned": _("委托鉴定"),
    "appraisal_returned": _("鉴定意见送达"),
    "excluded_period_started": _("开始鉴定或听证（期间不计入）"),
    "excluded_period_ended": _("鉴定意见送达或听证结束"),
    "complaint_received": _("收到投诉、信访事项"),
    "complaint_acceptance_told": _("告知是否受理"),
    "complaint_answered": _("答复投诉人、信访人"),
    "score_published": _("公布考评结果"),
    "score_challenged": _("提出考评异议"),
    "score_challenge_answered": _("答复考评异议"),
}


def event_label(code: str) -> str:
    return str(NODE_EVENTS.get(code, code))
