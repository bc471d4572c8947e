"""Choice sets of the supervision platform (一屏式监督平台)."""

from __future__ import annotations

from django.db import models


class Node(models.TextChoices):
    """Where an alert waits (the article: 录入、反馈、流转、受案). Empty: waiting nowhere."""

    ENTRY = "entry", "录入"
    FLOW = "flow", "流转"
    ACCEPT = "accept", "受案"
    FEEDBACK = "feedback", "反馈"


class Band(models.TextChoices):
    """How far an item has used its legal period. 80 % is the patrol's second warning mark
    (DOMAIN §6: warning at 50 %/80 %, finding at 100 %)."""

    OK = "ok", "期限内"
    NEAR = "near", "临期"
    OVERDUE = "overdue", "超期"
    NONE = "none", "无法定期限"


class Span(models.TextChoices):
    """The period a received-alerts counter sums: one day, the week from Monday, the month from
    the 1st (``DailyCount.day`` is the period's first day). The platform reads each period's own
    rows (a few per unit, channel and category group), never the days of a month."""

    DAY = "day", "日"
    WEEK = "week", "周"
    MONTH = "month", "月"


class WarningKind(models.TextChoices):
    RED_FINDING = "red_finding", "红色巡查发现"
    ESCALATION = "escalation", "逾期未整改升级"
    BOUNCING = "bouncing", "警情多次退回移交"


# The share of its period after which an item counts as near due.
NEAR_DUE_SHARE = 0.8
# From this many returns and transfers together an alert shows in the feed: one before the patrol's
# 推诿 finding (``bounced_alert``, more than 2 by default), so the center can step in first.
BOUNCE_WARNING_FROM = 2
