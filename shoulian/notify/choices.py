"""Choice sets of the SMS outbox."""

from __future__ import annotations

from django.db import models


class SmsStatus(models.TextChoices):
    """Life of one outbox row (docs/notify.md has the diagram).

    pending → sending → sent; a failed send goes to retrying (with a backoff) and back to sending;
    after the configured number of attempts it is dead (an operator alert). A row nobody managed to
    send before its ``expires_at`` is expired: an SMS about a milestone long past is not sent."""

    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    RETRYING = "retrying", "发送失败，待重试"
    SENT = "sent", "已发送"
    DEAD = "dead", "网关拒收，已停止"
    EXPIRED = "expired", "已过期，未发送"


# Rows the worker may still claim (with ``next_attempt_at`` due, or a lapsed lease for SENDING).
OPEN_STATUSES = frozenset({SmsStatus.PENDING, SmsStatus.RETRYING, SmsStatus.SENDING})


class TemplateKey(models.TextChoices):
    """The fixed registry of messages. Each key's allowed placeholders live in
    ``shoulian.notify.texts.PLACEHOLDERS``; the words are data (``SmsTemplate``)."""

    RECEIVED = "received", "警情已登记（附查询码）"
    ACCEPTED = "accepted", "已受案（行政案件）"
    FILED = "filed", "已立案（刑事案件）"
    NOT_FILED = "not_filed", "不予立案（告知复议期限）"
    TRANSFERRED = "transferred", "移交其他单位办理"
    TRANSFERRED_OUT = "transferred_out", "移送其他机关"
    NOT_POLICE = "not_police", "不属于公安职责"
    CLOSED = "closed", "非案件类办结"
    FOLLOW_UP = "follow_up", "回访邀请"
    ONE_TIME_CODE = "one_time_code", "查询验证码"
    COMPLAINT_RECEIVED = "complaint_received", "投诉建议已收到"
    COMPLAINT_ANSWERED = "complaint_answered", "投诉建议已答复"
    SOLVED = "solved", "案件已侦破（刑事案件）"
    CONCLUDED = "concluded", "案件已结案（治安案件）"
    # To staff (their work mobile, with their consent): a finding pushed to them.
    FINDING_NOTICE = "finding_notice", "巡查发现提醒（民警）"
