"""Bulletins (通报): the weekly summary and the numbered monthly bulletin, each a snapshot of one
period's figures (``stats.py``) with the text the center and the legal brigade wrote around it."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from shoulian.bulletins.choices import BulletinKind, BulletinStatus
from shoulian.core.policy import VIEW
from shoulian.core.scoping import ScopedQuerySet

USER = settings.AUTH_USER_MODEL


class BulletinCounter(models.Model):
    """The 第 N 期 series of a bureau's monthly bulletins, one per year (``core.counters``)."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="bulletin_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id}/{self.year}: {self.last}"


class BulletinQuerySet(ScopedQuerySet["Bulletin"]):
    scope_fields = ("bureau",)

    def visible_to(self, user: Any, action: str = VIEW) -> Self:
        """The bureau-wide roles see every bulletin of their bureau, drafts included; every other
        member of the bureau's staff sees the issued monthly bulletins (they were sent to them)."""
        if action != VIEW:
            return super().visible_to(user, action)
        from shoulian.bulletins.policy import BUREAU_READERS

        roles = frozenset(getattr(user, "role_set", ()) or ()) if user.is_authenticated else set()
        unit = getattr(user, "unit", None)
        if not roles or unit is None or roles == {"admin"}:
            return self.none()
        bureau_id = unit.bureau().pk
        if roles & BUREAU_READERS:
            return self.filter(bureau_id=bureau_id)
        return self.filter(
            Q(bureau_id=bureau_id, kind=BulletinKind.MONTHLY, status=BulletinStatus.ISSUED)
        )


class Bulletin(models.Model):
    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    kind = models.CharField("类型", max_length=10, choices=BulletinKind.choices)
    # The period, Asia/Shanghai days: [period_start, period_end).
    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期（不含）")
    status = models.CharField(
        "状态", max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    # 第 N 期 of the bureau's year, allocated when the bulletin is issued (no gap for a draft that
    # never goes out); the weekly summary has none.
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("期数", null=True, blank=True)
    number = models.CharField("文号", max_length=40, blank=True)
    title = models.CharField("标题", max_length=120)
    intro = models.TextField("导语", blank=True)
    demands = models.TextField("工作要求", blank=True, help_text="每行一条")
    # The typical cases (案例公开): masked text only, never a name, an ID or a phone (DOMAIN §7).
    cases = models.JSONField("典型案例", default=list, blank=True)
    # The period's figures as computed when the draft was made (``stats.Figures.as_data``).
    figures = models.JSONField("统计数据", default=dict)
    signer = models.CharField("签发人", max_length=40, blank=True)
    created_at = models.DateTimeField("生成时间")
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("下发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SHA-256 of the document's text when it was issued, journalled with the issue.
    content_sha256 = models.CharField("内容摘要", max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-period_start", "-id"]
        constraints = [
            # One summary per bureau and week and one bulletin per month, whatever the jobs'
            # retries and however many people press "draft".
            models.UniqueConstraint(
                fields=["bureau", "kind", "period_start"], name="bulletin_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["bureau", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="bulletin_sequence_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["bureau", "kind", "status"], name="bulletin_bureau_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def issue_label(self) -> str:
        return f"第{self.sequence}期" if self.sequence else ""

    @property
    def demand_lines(self) -> list[str]:
        return [line.strip() for line in self.demands.splitlines() if line.strip()]
