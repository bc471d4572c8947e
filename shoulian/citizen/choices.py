"""Choice sets of the citizen channels: the progress query and the kiosk."""

from __future__ import annotations

from django.db import models


class Subject(models.TextChoices):
    """What a query code opens: an alert's progress or a complaint's answer."""

    ALERT = "alert", "警情"
    COMPLAINT = "complaint", "投诉建议"


class Step(models.TextChoices):
    """The two throttled steps of the query (Z7)."""

    START = "start", "申请验证码"
    VERIFY = "verify", "输入验证码"


class QueryChannel(models.TextChoices):
    WEB = "web", "手机/网页"
    KIOSK = "kiosk", "自助终端"


class PublicStatus(models.TextChoices):
    """The public status set of DOMAIN §4: the citizen never sees an internal status."""

    RECEIVED = "received", "已受理"
    HANDLING = "handling", "办理中"
    ADMIN_CASE = "admin_case", "已受案"
    CRIMINAL_CASE = "criminal_case", "已立案"
    NOT_FILED = "not_filed", "不予立案（可申请复议）"
    TRANSFERRED = "transferred", "已移送"
    CLOSED = "closed", "已办结"
