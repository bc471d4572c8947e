"""Complaints and suggestions (投诉建议) and follow-up visits (回访) (issue 6 §4, §5). A
dissatisfied follow-up is a supervision finding of the rule ``follow_up_dissatisfied``: the
supervision app, above this one, reads the follow-up (its 督办事项 table moved there, feedback
0002)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from shoulian.core.scoping import ScopedQuerySet
from shoulian.feedback.choices import (
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    FollowUpStatus,
    Satisfaction,
)
from shoulian.intake.models import display_query_code
from shoulian.privacy.choices import Kind
from shoulian.privacy.fields import BlindIndexField, EncryptedField


# Who may see and act on these rows, on top of the unit scope: feedback/policy.py.
class ComplaintQuerySet(ScopedQuerySet[Any]):
    scope_fields = ("center",)


class Complaint(models.Model):
    """A complaint or suggestion from a citizen, answered by the bureau's center head."""

    number = models.CharField("编号", max_length=40, unique=True)
    # With the mobile and an SMS code it opens the answer on the query page (same format as the
    # alert's query code, drawn from the same alphabet).
    query_code = models.CharField("查询码", max_length=16, unique=True)
    kind = models.CharField("类型", max_length=12, choices=ComplaintKind.choices)
    channel = models.CharField("提交方式", max_length=8, choices=ComplaintChannel.choices)
    alert = models.ForeignKey(
        "intake.Alert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name="相关警情",
    )
    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="所属分局"
    )
    # The responsible unit: the bureau's 受立案管理中心, whose head answers.
    center = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )
    # Where it was handed in: the kiosk's unit or the desk clerk's unit.
    source_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理地点",
    )
    complainant_name = EncryptedField("投诉人姓名", kind=Kind.NAME)
    complainant_name_index = BlindIndexField(source="complainant_name")
    mobile = EncryptedField("联系电话", kind=Kind.PHONE)
    mobile_index = BlindIndexField(source="mobile")
    content = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="代为登记人",
    )
    answer = models.TextField("答复内容", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="答复人",
    )
    # 告知受理 (信访工作条例: within 15 days of receipt); the 60-day answer period runs from here.
    accepted_at = models.DateTimeField("告知受理时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="告知受理人",
    )
    # R5: the submitter (``kiosk:<id>``, ``user:<id>``, ``query:<alert id>``) and its key; the
    # fingerprint tells a replay from a different submission under the same key.
    idempotency_scope = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉建议"
        verbose_name_plural = "投诉建议"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"], name="complaint_idempotency"
            ),
        ]
        indexes = [
            models.Index(fields=["center", "status", "submitted_at"], name="complaint_center_idx"),
            # The 投诉建议 list (issue 14): unanswered oldest first, answered latest first.
            models.Index(fields=["status", "submitted_at", "id"], name="complaint_waiting_idx"),
            models.Index(fields=["status", "answered_at", "id"], name="complaint_answered_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def query_code_display(self) -> str:
        return display_query_code(self.query_code)


class ComplaintNumberCounter(models.Model):
    """The last complaint number handed out per bureau and year (R6)."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="complaint_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id}/{self.year}: {self.last}"


class FollowUpQuerySet(ScopedQuerySet[Any]):
    scope_fields = ("center",)


class FollowUp(models.Model):
    """The 回访 task of one closed alert: the center calls the reporter and records the outcome."""

    alert = models.OneToOneField(
        "intake.Alert", on_delete=models.PROTECT, related_name="follow_up", verbose_name="警情"
    )
    center = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="回访单位"
    )
    status = models.CharField(
        "状态", max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField("生成时间")
    # From when the call may be made: the closing moment, or for 不予立案 the end of the
    # complainant's 复议/复核 windows; empty while still unknown.
    ready_at = models.DateTimeField("可回访时间", null=True, blank=True)
    due_at = models.DateTimeField("回访期限", null=True, blank=True)
    invited_at = models.DateTimeField("邀请短信时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("联系次数", default=0)
    last_attempt_at = models.DateTimeField("最近联系时间", null=True, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=12, choices=Satisfaction.choices, blank=True
    )
    note = models.TextField("回访情况", blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="回访人",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "回访任务"
        verbose_name_plural = "回访任务"
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["center", "status", "due_at"], name="follow_up_queue_idx"),
            models.Index(fields=["status", "ready_at"], name="follow_up_ready_idx"),
            # The 回访任务 page (issue 14): each queue in due order, the latest finished.
            models.Index(fields=["status", "due_at", "opened_at", "id"], name="follow_up_due_idx"),
            models.Index(fields=["done_at", "id"], name="follow_up_done_idx"),
        ]

    def __str__(self) -> str:
        return f"回访 {self.alert_id}"

    def is_overdue(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.due_at is not None and self.status == FollowUpStatus.OPEN and now > self.due_at


class FollowUpAttemptQuerySet(ScopedQuerySet[Any]):
    scope_fields = ("follow_up__center",)


class FollowUpAttempt(models.Model):
    """One call (or visit): reached or not, and what the citizen said."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="attempts_made")
    at = models.DateTimeField("联系时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="回访人"
    )
    reached = models.BooleanField("已联系上")
    satisfaction = models.CharField(
        "满意度", max_length=12, choices=Satisfaction.choices, blank=True
    )
    note = models.TextField("情况说明", blank=True)

    objects = FollowUpAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["follow_up", "at", "id"]

    def __str__(self) -> str:
        return f"回访记录 {self.pk}"
