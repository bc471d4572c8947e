"""Choice sets of complaints, suggestions and follow-up visits."""

from __future__ import annotations

from django.db import models


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    SUGGESTION = "suggestion", "建议"


class ComplaintChannel(models.TextChoices):
    """Where the citizen handed the complaint in (DOMAIN §1: kiosk, query page, the desk)."""

    KIOSK = "kiosk", "自助终端"
    QUERY = "query", "查询页面"
    DESK = "desk", "窗口登记"


class ComplaintStatus(models.TextChoices):
    # Kept to the two states the citizen can tell apart; forwarding inside the bureau is the
    # center head's business and shows in the answer text.
    RECEIVED = "received", "待答复"
    ANSWERED = "answered", "已答复"


class FollowUpStatus(models.TextChoices):
    # A 不予立案 alert waits until the complainant's 复议/复核 windows and any pending
    # reconsideration are over (the workflow's ``no_open_reconsideration`` guard).
    WAITING = "waiting", "待复议期满"
    OPEN = "open", "待回访"
    DONE = "done", "已回访"
    UNREACHABLE = "unreachable", "无法联系"
    # 复议/复核 set the decision aside: the alert is back in handling, no follow-up yet.
    CANCELLED = "cancelled", "已撤销"


ACTIVE_FOLLOW_UP_STATUSES = (FollowUpStatus.WAITING, FollowUpStatus.OPEN)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
