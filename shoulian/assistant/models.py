"""Element checklists (要件清单) of the case natures, versioned: a revision is a new row, the
highest version of a label is the one in force, and old versions stay readable."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shoulian.assistant.choices import Element, Nature, ThresholdKind


class ChecklistQuerySet(models.QuerySet["Checklist"]):
    def current(self) -> ChecklistQuerySet:
        """The version in force of each nature: no later version of the same label exists."""
        later = Checklist.objects.filter(
            label=models.OuterRef("label"), version__gt=models.OuterRef("version")
        )
        return self.filter(~models.Exists(later))


class Checklist(models.Model):
    """One version of one nature's checklist. Not unit-scoped: the legal brigade keeps one set for
    the installation (the bureau's 法制大队 in a single-bureau deployment)."""

    label = models.CharField("性质", max_length=40, choices=Nature.choices)
    version = models.PositiveIntegerField("版本")
    statute = models.CharField("法律依据（条文）", max_length=300, blank=True)

    object_text = models.TextField("客体", blank=True)
    object_cues = models.TextField("客体·识别词", blank=True)
    object_question = models.TextField("客体·缺失时询问", blank=True)
    conduct_text = models.TextField("客观方面", blank=True)
    conduct_cues = models.TextField("客观方面·识别词", blank=True)
    conduct_question = models.TextField("客观方面·缺失时询问", blank=True)
    subject_text = models.TextField("主体", blank=True)
    subject_cues = models.TextField("主体·识别词", blank=True)
    subject_question = models.TextField("主体·缺失时询问", blank=True)
    intent_text = models.TextField("主观方面", blank=True)
    intent_cues = models.TextField("主观方面·识别词", blank=True)
    intent_question = models.TextField("主观方面·缺失时询问", blank=True)

    threshold_kind = models.CharField(
        "立案标准类型",
        max_length=8,
        choices=ThresholdKind.choices,
        default=ThresholdKind.NOT_APPLICABLE,
    )
    threshold_yuan = models.PositiveIntegerField(
        "全国标准数额（元）", null=True, blank=True, help_text="有幅度的，填幅度下限"
    )
    threshold_text = models.TextField("立案（追诉）标准", blank=True)
    threshold_source = models.CharField("标准出处", max_length=300, blank=True)
    threshold_date = models.DateField("出处文件日期", null=True, blank=True)
    threshold_alternatives = models.CharField(
        "不论数额即达标准的情形（识别词）", max_length=300, blank=True
    )
    province = models.CharField("本省", max_length=20, blank=True)
    province_threshold_yuan = models.PositiveIntegerField(
        "本省执行数额（元）", null=True, blank=True, help_text="填写后优先于全国标准"
    )
    province_source = models.CharField("本省标准出处", max_length=300, blank=True)
    province_note = models.TextField("本省标准说明", blank=True)
    verified = models.BooleanField(
        "法制大队已核对", default=False, help_text="未核对的版本显示“待法制大队核对”"
    )

    evidence = models.TextField("应收集的证据（每行一项）", blank=True)
    procedure = models.TextField("程序提示", blank=True)

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="修订人",
    )
    changed_at = models.DateTimeField("修订时间")
    change_note = models.CharField("修订说明", max_length=300, blank=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        verbose_name = "要件清单"
        verbose_name_plural = "要件清单"
        ordering = ["label", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["label", "version"], name="checklist_label_version")
        ]

    def __str__(self) -> str:
        return f"{self.label} 第{self.version}版"

    def element(self, element: str) -> tuple[str, str, str]:
        """(text, cues, question) of one of the four elements."""
        key = Element(element).value
        return (
            getattr(self, f"{key}_text"),
            getattr(self, f"{key}_cues"),
            getattr(self, f"{key}_question"),
        )

    @property
    def effective_threshold_yuan(self) -> int | None:
        """The province's figure when the legal brigade has entered one, else the national one
        (the lower bound of a range: the assistant errs towards flagging)."""
        if self.province_threshold_yuan is not None:
            return self.province_threshold_yuan
        return self.threshold_yuan

    @property
    def evidence_items(self) -> list[str]:
        return [line.strip() for line in self.evidence.splitlines() if line.strip()]


class NarrativeRanking(models.Model):
    """The model's first-ranked nature for one alert's narrative, kept for the 有案不受 patrol rule
    (``assistant/patrol.py``) so that a full patrol ranks only new or changed narratives.

    A row answers while the alert's ``version`` (moved by every edit of its registration, the only
    writes of a narrative after it is made) and the ``basis`` (the model's version, the checklists
    in force, this table's format) are the ones it was ranked under; otherwise the narrative is
    read again and its ``digest`` decides whether it must be ranked again (an unchanged narrative
    under the same basis is not). Holds no narrative text: the nature, its probability and the
    names of the elements found. Derived data, written only by ``narrative_rankings_store``."""

    alert = models.OneToOneField(
        "intake.Alert",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="narrative_ranking",
        verbose_name="警情",
    )
    alert_version = models.PositiveIntegerField("警情版本")
    digest = models.CharField("简要案情摘要（SHA-256）", max_length=64)
    basis = models.CharField("排名依据（模型、要件清单版本）", max_length=64)
    label = models.CharField("首选性质", max_length=40)
    p = models.FloatField("概率")
    found = models.CharField("已具备的要件", max_length=100, blank=True)
    found_count = models.PositiveSmallIntegerField("已具备的要件数")
    missing = models.CharField("缺少的要件", max_length=100, blank=True)
    threshold_met = models.BooleanField("达到立案标准", null=True)
    checklist_version = models.PositiveIntegerField("要件清单版本", null=True)
    model_version = models.CharField("模型版本", max_length=64)
    ranked_at = models.DateTimeField("排名时间")

    class Meta:
        verbose_name = "案情定性排名（巡查缓存）"
        verbose_name_plural = "案情定性排名（巡查缓存）"
        indexes = [
            # The same narrative under the same basis is ranked once, whichever alert carries it.
            models.Index(fields=["digest", "basis"], name="narrative_ranking_digest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.label} {self.p:.2f}"
