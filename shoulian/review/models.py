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
    AvIssue,
    AvResult,
    AvSource,
    CampaignKind,
    CampaignStatus,
    EntryStatus,
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
    campaign = models.ForeignKey(
        "review.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name="专项评查",
    )

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

    @property
    def issue_labels(self) -> list[str]:
        labels = dict(AvIssue.choices)
        return [str(labels.get(code, code)) for code in self.issues]


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


# --- 重点评查 / 专项评查 campaigns -----------------------------------------------------------------
class Checklist(models.Model):
    """One version of a review checklist (评查标准): items with points and legal basis. Rows are
    never edited; a change is a new version. ``bureau`` empty is the default (seeded)."""

    code = models.CharField("标准代码", max_length=40)
    bureau = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=80)
    effective_from = models.DateField("生效日期")
    change_reason = models.CharField("修订理由", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "评查标准"
        verbose_name_plural = "评查标准"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(bureau__isnull=True),
                name="checklist_default_version_unique",
            ),
            models.UniqueConstraint(
                fields=["code", "bureau", "version"],
                condition=Q(bureau__isnull=False),
                name="checklist_bureau_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def total_points(self) -> int:
        return sum(item.points for item in self.items.all())


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    code = models.CharField("项目代码", max_length=40)
    text = models.CharField("评查项目", max_length=200)
    points = models.PositiveSmallIntegerField("分值")
    legal_basis = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = "评查项目"
        verbose_name_plural = "评查项目"
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="checklistitem_code"),
            models.UniqueConstraint(fields=["checklist", "position"], name="checklistitem_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    scope_fields = ("bureau",)


class Campaign(models.Model):
    """A 重点评查 / 专项评查 defined by the legal brigade: which alerts (period, units,
    categories, channel), how many (a sample or all), scored with which checklist version."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    title = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=CampaignKind.choices)
    review_channel = models.CharField(
        "网上/网下", max_length=8, choices=ReviewChannel.choices, default=ReviewChannel.ONLINE
    )
    period_start = models.DateField("警情登记起")
    period_end = models.DateField("警情登记止")
    units = models.ManyToManyField("org.Unit", blank=True, related_name="+", verbose_name="单位")
    categories = models.ManyToManyField(
        "intake.Category", blank=True, related_name="+", verbose_name="类别"
    )
    channel = models.CharField("报警方式", max_length=20, blank=True)
    # None: every alert of the population (集中评查 of all).
    sample_size = models.PositiveIntegerField("抽样数量", null=True, blank=True)
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="+", verbose_name="评查标准"
    )
    status = models.CharField(
        "状态", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # The draw: the seed, the size of the population it was drawn from and the SHA-256 of the
    # population's ids, journalled, so the sample can be drawn again and checked.
    seed = models.CharField("抽样种子", max_length=32, blank=True)
    population = models.PositiveIntegerField("总体数量", default=0)
    population_sha256 = models.CharField(max_length=64, blank=True)
    conclusion = models.TextField("评查结论", blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="制定人"
    )
    created_at = models.DateTimeField("制定时间")
    sampled_at = models.DateTimeField("抽样时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "专项评查"
        verbose_name_plural = "专项评查"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CampaignEntryQuerySet(ScopedQuerySet["CampaignEntry"]):
    scope_fields = ("unit",)


class CampaignEntry(models.Model):
    """One alert of a campaign's sample, its reviewer and its score (per alert total; the item
    marks are ``CampaignScore`` rows)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    alert = models.ForeignKey(
        "intake.Alert", on_delete=models.PROTECT, related_name="+", verbose_name="警情"
    )
    # The unit answerable for the alert when it was drawn.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    position = models.PositiveIntegerField("抽样顺序")
    reviewer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    total_points = models.PositiveSmallIntegerField("满分", default=0)
    deducted = models.PositiveSmallIntegerField("扣分", default=0)
    score = models.PositiveSmallIntegerField("得分", null=True, blank=True)
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)
    review = models.OneToOneField(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="campaign_entry"
    )

    objects = CampaignEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "评查样本"
        verbose_name_plural = "评查样本"
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "alert"], name="campaignentry_once"),
            models.UniqueConstraint(fields=["campaign", "position"], name="campaignentry_pos"),
        ]
        indexes = [models.Index(fields=["status", "scored_at"], name="campaignentry_scored_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.position}"


class CampaignScore(models.Model):
    """One checklist item's mark for one alert of a campaign."""

    entry = models.ForeignKey(CampaignEntry, on_delete=models.PROTECT, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField("符合")
    deducted = models.PositiveSmallIntegerField("扣分", default=0)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "评查评分"
        verbose_name_plural = "评查评分"
        ordering = ["entry", "item__position"]
        constraints = [models.UniqueConstraint(fields=["entry", "item"], name="campaignscore_once")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.item_id} {'符合' if self.passed else '扣分'}"
