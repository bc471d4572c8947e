"""The three levels' review work (三级巡查评查): who looked at which alert, at which level and in
which mode, with what result; the on-scene audio/video records (现场处警视音频) of an alert and
their reviews; guidance on case nature (精准指导) asked from the alert file.

Every row names its bureau (the counts of the weekly summary and the bulletin are per bureau and
period) and the responsible unit (the unit scope: a station sees its own, the bureau-wide roles
the bureau's)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shoulian.core.scoping import ScopedQuerySet
from shoulian.review.choices import (
    AvResult,
    AvSource,
    GuidanceStatus,
    ReviewChannel,
    ReviewLevel,
    ReviewMode,
    ReviewResult,
)
from shoulian.supervision.choices import Level

USER = settings.AUTH_USER_MODEL


class ReviewQuerySet(ScopedQuerySet["Review"]):
    scope_fields = ("unit",)


class Review(models.Model):
    """One look at one alert by one reviewer (巡查/评查)."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    # The unit answerable for the alert when it was reviewed (its handling unit, else the desk).
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    alert = models.ForeignKey(
        "intake.Alert", on_delete=models.PROTECT, related_name="reviews", verbose_name="警情"
    )
    reviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="评查人"
    )
    reviewer_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="评查单位"
    )
    level = models.CharField("层级", max_length=16, choices=ReviewLevel.choices)
    mode = models.CharField("方式", max_length=12, choices=ReviewMode.choices)
    channel = models.CharField("网上/网下", max_length=8, choices=ReviewChannel.choices)
    reviewed_at = models.DateTimeField("评查时间")
    result = models.CharField("结果", max_length=16, choices=ReviewResult.choices)
    # The patrol rule a finding rests on (empty for no problem and for a free finding).
    rule_code = models.CharField("巡查规则", max_length=60, blank=True)
    finding_level = models.CharField("问题等级", max_length=8, choices=Level.choices, blank=True)
    finding = models.ForeignKey(
        "supervision.Finding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="巡查发现",
    )
    comment = models.TextField("评查意见", blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "巡查评查"
        verbose_name_plural = "巡查评查"
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            models.Index(fields=["bureau", "reviewed_at"], name="review_bureau_idx"),
            models.Index(fields=["unit", "reviewed_at"], name="review_unit_idx"),
            models.Index(fields=["alert", "reviewed_at"], name="review_alert_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.alert_id} {self.get_result_display()}"


class AvRecordQuerySet(ScopedQuerySet["AvRecord"]):
    scope_fields = ("unit",)


class AvRecord(models.Model):
    """A recording of the on-scene handling of an alert: an uploaded file (through intake's
    evidence pipeline: checked by content, hashed, journalled) or a reference to the bureau's
    执法记录仪 store, by its id, the file's SHA-256 and its duration."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="处警单位"
    )
    alert = models.ForeignKey(
        "intake.Alert", on_delete=models.PROTECT, related_name="av_records", verbose_name="警情"
    )
    source = models.CharField("来源", max_length=10, choices=AvSource.choices)
    evidence_file = models.OneToOneField(
        "intake.EvidenceFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="文件",
    )
    store = models.CharField("存储系统", max_length=60, blank=True)
    external_id = models.CharField("存储编号", max_length=80, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    duration_seconds = models.PositiveIntegerField("时长（秒）", null=True, blank=True)
    recorded_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    device_no = models.CharField("记录仪编号", max_length=40, blank=True)
    title = models.CharField("说明", max_length=120, blank=True)
    registered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    registered_at = models.DateTimeField("登记时间")

    objects = AvRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "现场处警视音频"
        verbose_name_plural = "现场处警视音频"
        ordering = ["alert", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["bureau", "registered_at"], name="avrecord_bureau_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "external_id"],
                condition=Q(source=AvSource.EXTERNAL),
                name="avrecord_external_once",
            ),
            models.UniqueConstraint(fields=["alert", "sha256"], name="avrecord_once_per_alert"),
            models.CheckConstraint(
                condition=(Q(source=AvSource.UPLOAD) & Q(evidence_file__isnull=False))
                | (Q(source=AvSource.EXTERNAL) & ~Q(external_id="")),
                name="avrecord_source_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.external_id or self.sha256[:12]}"


class AvReviewQuerySet(ScopedQuerySet["AvReview"]):
    scope_fields = ("unit",)


class AvReview(models.Model):
    """A review of one AV record (视音频审查) with its result."""

    av_record = models.ForeignKey(
        AvRecord, on_delete=models.PROTECT, related_name="reviews", verbose_name="视音频"
    )
    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="处警单位"
    )
    alert = models.ForeignKey(
        "intake.Alert", on_delete=models.PROTECT, related_name="+", verbose_name="警情"
    )
    reviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="审查人"
    )
    reviewer_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="审查单位"
    )
    level = models.CharField("层级", max_length=16, choices=ReviewLevel.choices)
    reviewed_at = models.DateTimeField("审查时间")
    result = models.CharField("结果", max_length=12, choices=AvResult.choices)
    issues = models.JSONField("问题", default=list, blank=True)
    comment = models.TextField("审查意见", blank=True)
    finding = models.ForeignKey(
        "supervision.Finding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="巡查发现",
    )

    objects = AvReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "视音频审查"
        verbose_name_plural = "视音频审查"
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            models.Index(fields=["bureau", "reviewed_at"], name="avreview_bureau_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.av_record_id} {self.get_result_display()}"


class GuidanceQuerySet(ScopedQuerySet["Guidance"]):
    scope_fields = ("unit",)


class Guidance(models.Model):
    """A request for guidance on case nature (精准指导) and the legal brigade's answer: the nature,
    the legal basis and the evidence to collect, written onto the alert's file and kept as a
    searchable 案例."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    # The asking officer's unit (the alert's handling unit).
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="申请单位"
    )
    alert = models.ForeignKey(
        "intake.Alert", on_delete=models.PROTECT, related_name="guidance", verbose_name="警情"
    )
    asked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    asked_at = models.DateTimeField("申请时间")
    question = models.TextField("请示事项")
    status = models.CharField(
        "状态", max_length=10, choices=GuidanceStatus.choices, default=GuidanceStatus.PENDING
    )
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    nature = models.CharField("定性意见", max_length=200, blank=True)
    legal_basis = models.TextField("法律依据", blank=True)
    evidence_to_collect = models.TextField("需补充收集的证据", blank=True)
    # A short title under which the answer is found again as a case (案例).
    case_title = models.CharField("案例标题", max_length=120, blank=True)

    objects = GuidanceQuerySet.as_manager()

    class Meta:
        verbose_name = "案件定性指导"
        verbose_name_plural = "案件定性指导"
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["bureau", "status", "asked_at"], name="guidance_queue_idx"),
            models.Index(fields=["bureau", "answered_at"], name="guidance_answered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.get_status_display()}"
