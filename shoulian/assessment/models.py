"""Assessment (执法质量考评): the 考核办法 as versioned data, the append-only score ledger, challenges
(申诉), and accountability (约谈, referral to 纪检监察)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from shoulian.accounts.choices import BUREAU_WIDE_ROLES, Role
from shoulian.assessment.choices import (
    ChallengeStatus,
    EntryKind,
    ItemKind,
    ReferralStatus,
    SchemeStatus,
    Subject,
)
from shoulian.core.policy import VIEW
from shoulian.core.scoping import ScopedQuerySet

USER = settings.AUTH_USER_MODEL
POINTS: dict[str, Any] = {"max_digits": 6, "decimal_places": 1}


class Scheme(models.Model):
    """One version of the 考核办法. ``bureau`` empty is the default seeded by migration; a bureau's
    legal brigade writes its own. A version is saved as a draft, replayed on past periods to see
    the difference, and published; published rows are never edited (a change is a new version).

    ``items``: ``[{"kind", "code", "label", "officer", "unit"}]`` — points (positive numbers) a
    fact of that kind and code costs the officer and the unit; for BONUS the points awarded."""

    bureau = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="适用分局",
    )
    version = models.PositiveIntegerField("版本")
    title = models.CharField("名称", max_length=120)
    document_number = models.CharField("文号", max_length=60)
    effective_from = models.DateField("生效日期")
    status = models.CharField(
        "状态", max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    items = models.JSONField("考核项目", default=list)
    period_cap = models.DecimalField("每月扣分上限", **POINTS, null=True, blank=True)
    alert_cap = models.DecimalField("单起警情扣分上限", **POINTS, null=True, blank=True)
    bonus_cap = models.DecimalField("每月加分上限", **POINTS, default=Decimal("0"))
    change_reason = models.CharField("修订理由", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "考核办法"
        verbose_name_plural = "考核办法"
        ordering = ["effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=Q(bureau__isnull=True), name="scheme_default_version"
            ),
            models.UniqueConstraint(
                fields=["bureau", "version"],
                condition=Q(bureau__isnull=False),
                name="scheme_bureau_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} 第{self.version}版"

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED

    def item(self, kind: str, code: str) -> dict[str, Any] | None:
        for item in self.items:
            if item.get("kind") == kind and item.get("code") == code:
                return dict(item)
        return None

    def bonus_items(self) -> list[dict[str, Any]]:
        return [dict(i) for i in self.items if i.get("kind") == ItemKind.BONUS]


def _roles(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return frozenset(user.role_set)


# Roles that see the whole bureau's scores (their content scope is the bureau).
SCORE_READERS = frozenset(BUREAU_WIDE_ROLES)
# Roles of a unit who see the unit's scores and its officers' (own unit and below).
UNIT_SCORE_ROLES = frozenset({Role.LEADER, Role.LEGAL_OFFICER})


class ScoreEntryQuerySet(ScopedQuerySet["ScoreEntry"]):
    scope_fields = ("unit",)

    # The ledger is append-only: bulk changes are refused like single ones.
    def update(self, **kwargs: Any) -> int:
        raise ValidationError("考评记分不可修改，更正须另记一笔。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("考评记分不可删除。")

    def visible_to(self, user: Any, action: str = VIEW) -> Self:
        roles = _roles(user)
        if not roles or roles == {Role.ADMIN}:
            return self.none()
        scoped = super().visible_to(user, action)
        if roles & (SCORE_READERS | UNIT_SCORE_ROLES):
            return scoped
        # An officer or a clerk: their own entries and their unit's own card, nothing of
        # colleagues.
        return scoped.filter(Q(officer=user) | Q(subject=Subject.UNIT, unit_id=user.unit_id))


class ScoreEntry(models.Model):
    """One line of the score ledger. Append-only: never updated, never deleted; a correction is a
    new entry (a reversal after an upheld challenge, an adjustment after a revision)."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    subject = models.CharField("考评对象", max_length=10, choices=Subject.choices)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="民警",
    )
    kind = models.CharField("类型", max_length=12, choices=EntryKind.choices)
    item_kind = models.CharField("考核项目类型", max_length=20, choices=ItemKind.choices)
    item_code = models.CharField("考核项目", max_length=60)
    item_label = models.CharField("项目名称", max_length=120)
    # Signed: a deduction is negative, a bonus or a reversal of a deduction positive.
    points = models.DecimalField("分值", **POINTS)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="entries", verbose_name="办法版本"
    )
    # The first day of the month (Asia/Shanghai) the fact belongs to.
    period = models.DateField("考评月份")
    occurred_at = models.DateTimeField("发生时间")
    posted_at = models.DateTimeField("记分时间")
    # One fact (a finding, its unrectified state, a bonus award) per key and subject: what makes
    # the nightly job idempotent and a replay comparable.
    fact_key = models.CharField("事实标识", max_length=80)
    finding = models.ForeignKey(
        "supervision.Finding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="巡查发现",
    )
    deadline = models.ForeignKey(
        "deadlines.Deadline",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="超期节点",
    )
    alert = models.ForeignKey(
        "intake.Alert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="警情",
    )
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        verbose_name="冲正的记分",
    )
    reason = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScoreEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "考评记分"
        verbose_name_plural = "考评记分"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["bureau", "period"], name="scoreentry_bureau_period"),
            models.Index(fields=["unit", "period"], name="scoreentry_unit_period"),
            models.Index(fields=["officer", "period"], name="scoreentry_officer_period"),
            models.Index(fields=["fact_key", "subject"], name="scoreentry_fact"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject=Subject.UNIT) | Q(officer__isnull=False),
                name="scoreentry_officer_subject_has_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points} {self.fact_key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            # The ledger is append-only: a correction is a new entry.
            raise ValidationError("考评记分不可修改，更正须另记一笔。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("考评记分不可删除。")

    @property
    def subject_name(self) -> str:
        if self.subject == Subject.OFFICER and self.officer is not None:
            return str(self.officer.full_name)
        return str(self.unit.name)


class ChallengeQuerySet(ScopedQuerySet["Challenge"]):
    scope_fields = ("entry__unit",)

    def visible_to(self, user: Any, action: str = VIEW) -> Self:
        if action == VIEW:
            return self.filter(entry__in=ScoreEntry.objects.visible_to(user).values("pk"))
        return super().visible_to(user, action)


class Challenge(models.Model):
    """A challenge (申诉) of one ledger entry and its answer by the legal brigade."""

    entry = models.OneToOneField(
        ScoreEntry, on_delete=models.PROTECT, related_name="challenge", verbose_name="记分"
    )
    filed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="申诉人"
    )
    filed_at = models.DateTimeField("申诉时间")
    reason = models.TextField("申诉理由")
    status = models.CharField(
        "状态", max_length=10, choices=ChallengeStatus.choices, default=ChallengeStatus.PENDING
    )
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer = models.TextField("答复意见", blank=True)
    reversal = models.OneToOneField(
        ScoreEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="冲正记分",
    )

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = "考评申诉"
        verbose_name_plural = "考评申诉"
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        return f"申诉 {self.entry_id}"


class AccountabilityQuerySet(ScopedQuerySet[Any]):
    scope_fields = ("unit",)


class Interview(models.Model):
    """约谈: who talked to whom, why (the findings), when, and what came of it; the signed record
    is generated as a document (DOCX/PDF)."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="被约谈单位"
    )
    interviewee = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="被约谈人"
    )
    interviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="约谈人"
    )
    held_at = models.DateTimeField("约谈时间")
    place = models.CharField("地点", max_length=100)
    reason = models.TextField("约谈事由")
    findings = models.ManyToManyField(
        "supervision.Finding", related_name="+", blank=True, verbose_name="涉及巡查发现"
    )
    outcome = models.TextField("约谈情况及整改要求")
    number = models.CharField("记录编号", max_length=60)
    created_at = models.DateTimeField("登记时间")

    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        verbose_name = "约谈"
        verbose_name_plural = "约谈"
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.number


class Referral(models.Model):
    """移送纪检监察: the case for accountability with its evidence bundle; the inspector records
    the outcome."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="责任民警",
    )
    reason = models.TextField("移送理由")
    findings = models.ManyToManyField(
        "supervision.Finding", related_name="+", verbose_name="涉及巡查发现"
    )
    number = models.CharField("文号", max_length=60)
    referred_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="移送人"
    )
    referred_at = models.DateTimeField("移送时间")
    status = models.CharField(
        "状态", max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    outcome = models.TextField("处理结果", blank=True)
    outcome_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        verbose_name = "移送纪检监察"
        verbose_name_plural = "移送纪检监察"
        ordering = ["-referred_at", "-id"]

    def __str__(self) -> str:
        return self.number


class DocumentCounter(models.Model):
    """The yearly sequence of record and letter numbers per bureau and kind."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "kind", "year"], name="assessment_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"
