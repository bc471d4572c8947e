"""The SMS outbox (issue 6 §3): editable templates and one row per message to send.

A row is written in the transaction of the change it reports (intake, a workflow step, a
complaint), so a committed change always has its message and a rolled-back one never does (R2).
The Huey worker delivers it later (``shoulian.notify.delivery``); nothing is sent in a request.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shoulian.core.scoping import ScopedQuerySet
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.privacy.choices import Kind
from shoulian.privacy.fields import BlindIndexField, EncryptedField
from shoulian.privacy.masking import mask


class SmsTemplate(models.Model):
    """The words of one message key. Placeholders are limited per key (``texts.PLACEHOLDERS``);
    every edit keeps the previous wording as an ``SmsTemplateVersion`` and writes a journal
    event, and each message records the version it was rendered from.

    The row without a bureau is the seeded national wording; a bureau's center head edits the
    bureau's own row, which its messages use instead (one bureau's wording never reaches another
    bureau's citizens)."""

    key = models.CharField("模板", max_length=30, choices=TemplateKey.choices)
    bureau = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="分局（空为全国默认）",
    )
    text = models.CharField("短信内容", max_length=300)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="修改人",
    )

    class Meta:
        verbose_name = "短信模板"
        verbose_name_plural = "短信模板"
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(bureau__isnull=True), name="sms_template_default"
            ),
            models.UniqueConstraint(
                fields=["key", "bureau"],
                condition=Q(bureau__isnull=False),
                name="sms_template_bureau",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class SmsTemplateVersion(models.Model):
    """A wording that was in force from ``created_at`` until the next version."""

    template = models.ForeignKey(SmsTemplate, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    text = models.CharField("短信内容", max_length=300)
    created_at = models.DateTimeField("生效时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="修改人",
    )

    class Meta:
        verbose_name = "短信模板历史版本"
        verbose_name_plural = "短信模板历史版本"
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="sms_template_version"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.version}"


class SmsMessageQuerySet(ScopedQuerySet["SmsMessage"]):
    # The bureau the message speaks for; the center head of that bureau watches its outbox.
    scope_fields = ("unit",)

    def due(self, now: object) -> SmsMessageQuerySet:
        """Rows a worker may claim now: waiting and due, or in flight under a lapsed lease (the
        worker that claimed them died mid-send, R2)."""
        return self.filter(
            Q(status__in=[SmsStatus.PENDING, SmsStatus.RETRYING], next_attempt_at__lte=now)
            | Q(status=SmsStatus.SENDING, claimed_until__lt=now)
        )


class SmsMessage(models.Model):
    """One SMS to one mobile. ``message_id`` goes to the gateway with every attempt, so the
    provider drops a second copy after a worker died between sending and recording (R2)."""

    message_id = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False)
    # The caller's dedup key ("alert:12:filed:<mobile index>"): a replayed step writes nothing.
    key = models.CharField("去重键", max_length=160, unique=True)
    template = models.CharField("模板", max_length=30, choices=TemplateKey.choices)
    template_version = models.PositiveIntegerField("模板版本", default=1)
    # Rendered from the template's words and placeholders only (Z8): no name, ID or mobile.
    text = models.CharField("短信内容", max_length=500)
    # The same text with verification and query codes starred: what staff pages show.
    shown_text = models.CharField("短信内容（隐去验证码、查询码）", max_length=500)
    mobile = EncryptedField("接收手机号", kind=Kind.PHONE, searchable=False)
    alert = models.ForeignKey(
        "intake.Alert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sms_messages",
        verbose_name="警情",
    )
    # What the message stands for in an app above notify, e.g. ("notification", "12") for the
    # workflow's record of a notice the law requires; that app follows the message's outcome
    # through ``shoulian.notify.hooks``. Empty for a plain milestone message.
    subject_type = models.CharField("关联对象类型", max_length=30, blank=True, default="")
    subject_id = models.CharField("关联对象编号", max_length=40, blank=True, default="")
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所属单位",
    )
    status = models.CharField(
        "状态", max_length=10, choices=SmsStatus.choices, default=SmsStatus.PENDING
    )
    attempts = models.PositiveIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", default=timezone.now)
    # The lease of the worker that claimed the row; a lapsed lease makes the row due again.
    claimed_until = models.DateTimeField("占用截止", null=True, blank=True)
    claim = models.UUIDField("占用标识", null=True, blank=True, editable=False)
    expires_at = models.DateTimeField("过期时间")
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    provider_ref = models.CharField("服务商回执号", max_length=100, blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    # Retention (issue 14 §3): a sent or expired message older than the retention period keeps
    # its row (the alert file and its notices point to it) but loses the mobile and the text with
    # its query code; the masked mobile and the shown text stay (DOMAIN §7).
    purged_at = models.DateTimeField("内容清除时间", null=True, blank=True)
    mobile_masked = models.CharField("接收手机号（隐去）", max_length=20, blank=True)

    objects = SmsMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "短信"
        verbose_name_plural = "短信发件箱"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_due_idx"),
            models.Index(fields=["unit", "status", "created_at"], name="sms_unit_status_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="sms_subject_idx"),
            # The outbox page's order, walked newest first (keyset pages), with and without a
            # status filter: no sort of the whole outbox (issue 14).
            models.Index(fields=["created_at", "id"], name="sms_created_idx"),
            models.Index(fields=["status", "created_at", "id"], name="sms_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.message_id}"

    @property
    def masked_mobile(self) -> str:
        if self.mobile:
            return mask(self.mobile.plaintext(), Kind.PHONE)
        return self.mobile_masked


class OutboxState(models.Model):
    """Shared state of the delivery machinery, one row per ``name`` (issue 13 §5). Rows live in the
    database, not in a worker's memory, so a killed worker cannot leave them wrong for long:
    every claim carries an expiry.

    - ``batch``: a ``deliver_batch`` task is queued until ``until`` (at most one at a time).
    - ``sweep``: the sweep holding the lease until ``until`` (``token``), the count of sweeps in
      a row that sent nothing because the gateway failed, and whether the operator alert is up.
    """

    name = models.CharField("名称", max_length=20, unique=True)
    until = models.DateTimeField("占用截止", null=True, blank=True)
    token = models.UUIDField("占用标识", null=True, blank=True, editable=False)
    failed_sweeps = models.PositiveIntegerField("连续失败轮数", default=0)
    alerted_at = models.DateTimeField("告警时间", null=True, blank=True)
    alert_reason = models.CharField("告警原因", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "发件箱状态"
        verbose_name_plural = "发件箱状态"

    def __str__(self) -> str:
        return self.name


class StaffMobile(models.Model):
    """A staff member's work mobile for SMS notices (a finding pushed to them), and their consent.

    Kept here, not on ``accounts.User``: the number is personal data, encrypted at rest with a
    search index like a reporter's phone (P2), and accounts sits below privacy. The administrator
    enters the number; only the staff member turns the notices on (``sms_opt_in``), and nothing is
    sent without it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="work_mobile",
        verbose_name="用户",
    )
    mobile = EncryptedField("工作手机号", kind=Kind.PHONE)
    mobile_index = BlindIndexField(source="mobile")
    sms_opt_in = models.BooleanField("接收短信提醒", default=False)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "工作手机"
        verbose_name_plural = "工作手机"

    def __str__(self) -> str:
        return f"工作手机 #{self.pk}"

    @property
    def masked_mobile(self) -> str:
        return mask(self.mobile.plaintext(), Kind.PHONE) if self.mobile else ""
