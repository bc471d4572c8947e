"""The holiday calendar, the versioned deadline rules and the deadlines they drive."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.scoping import ScopedQuerySet
from shoulian.deadlines import counting
from shoulian.deadlines.choices import (
    CalendarSource,
    CalendarYearStatus,
    DeadlineStatus,
    DurationUnit,
    ExtensionStatus,
    event_label,
)

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,59}$", _("代码为 2–60 位小写字母、数字或下划线，以字母开头。")
)
# The same shapes the audit journal accepts for an object reference.
object_type_validator = RegexValidator(r"^[a-z][a-z0-9_]{0,39}$", _("对象类型格式错误。"))
object_id_validator = RegexValidator(r"^[A-Za-z0-9_.:-]{1,64}$", _("对象编号格式错误。"))


class CalendarYear(models.Model):
    """One year of the State Council holiday arrangement (国务院办公厅关于某年部分节假日安排的通知).

    Only a published year is used for counting; a year without a row (or still a draft) makes any
    computation that needs it raise ``CalendarMissing`` instead of guessing."""

    year = models.PositiveSmallIntegerField(
        _("年份"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("来源"), max_length=12, choices=CalendarSource.choices)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=CalendarYearStatus.choices,
        default=CalendarYearStatus.DRAFT,
    )
    notice = models.CharField(_("依据文件"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("更新人"),
    )

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return gettext("%(year)s年节假日安排") % {"year": self.year}

    @property
    def is_published(self) -> bool:
        return self.status == CalendarYearStatus.PUBLISHED


class CalendarDay(models.Model):
    """An exception to "Saturday and Sunday rest, the other days work": a holiday on a weekday (or
    a named holiday on a weekend) or a 调休 working Saturday/Sunday."""

    year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("年度")
    )
    date = models.DateField(_("日期"), unique=True)
    is_rest_day = models.BooleanField(_("休息日"))
    name = models.CharField(_("名称"), max_length=40)

    class Meta:
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日或调休日")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = gettext("休") if self.is_rest_day else gettext("班")
        return f"{self.date} {kind} {self.name}"


class DeadlineRule(models.Model):
    """One version of a node's legal period. Versions are never edited: a change is a new row.

    ``bureau`` is empty for the national default (seeded by migration from DOMAIN §5) and set for a
    bureau's own version written by its legal brigade; a bureau's deadlines use its own versions and
    the defaults, whichever was in force (latest ``effective_from``) on the deadline's start date."""

    code = models.CharField(_("节点代码"), max_length=60, validators=[code_validator])
    bureau = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("适用分局"),
    )
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=80)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    length_value = models.PositiveIntegerField(_("期限长度"))
    length_unit = models.CharField(_("单位"), max_length=16, choices=DurationUnit.choices)
    start_event = models.CharField(_("起算事件"), max_length=60, validators=[code_validator])
    stop_event = models.CharField(_("终止事件"), max_length=60, validators=[code_validator])
    pause_event = models.CharField(
        _("中止计算事件"), max_length=60, blank=True, validators=[code_validator]
    )
    resume_event = models.CharField(
        _("恢复计算事件"), max_length=60, blank=True, validators=[code_validator]
    )
    extension_length = models.PositiveIntegerField(_("每次延长"), default=0)
    extension_cap = models.PositiveIntegerField(_("累计延长上限"), default=0)
    # Empty: extensions add to the period in its own unit. Set to another unit, an extension is
    # "延长至": the extended period is counted afresh from the start in that unit (受案审查 24 hours,
    # difficult cases up to 3 *days*, which move for holidays like any period in days).
    extension_unit = models.CharField(
        _("延长单位"), max_length=16, choices=DurationUnit.choices, blank=True, default=""
    )
    extension_approver_role = models.CharField(
        _("延长审批角色"), max_length=20, blank=True, choices=Role.choices
    )
    moves_on_holiday = models.BooleanField(_("最后一日为节假日时顺延"), default=True)
    source_law = models.CharField(_("法律依据"), max_length=160)
    source_article = models.CharField(_("条款"), max_length=80, blank=True)
    effective_from = models.DateField(_("生效日期"))
    is_active = models.BooleanField(_("有效"), default=True)
    change_reason = models.CharField(_("修订理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修订人"),
    )

    class Meta:
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")
        ordering = ["code", "effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(bureau__isnull=True),
                name="deadlinerule_default_version_unique",
            ),
            models.UniqueConstraint(
                fields=["code", "bureau", "version"],
                condition=Q(bureau__isnull=False),
                name="deadlinerule_bureau_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(extension_cap__gte=models.F("extension_length")),
                name="deadlinerule_cap_covers_one_extension",
            ),
            models.CheckConstraint(
                condition=~Q(length_unit=DurationUnit.HOURS) | Q(moves_on_holiday=False),
                name="deadlinerule_hours_never_move",
            ),
        ]
        indexes = [models.Index(fields=["code", "effective_from"], name="deadlinerule_code_eff")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def period(self) -> counting.Period:
        return counting.Period(self.length_value, self.length_unit, self.moves_on_holiday)

    @property
    def length_text(self) -> str:
        return counting.describe(self.period)

    @property
    def unit_label(self) -> str:
        return str(DurationUnit(self.length_unit).label)

    @property
    def extends_to(self) -> bool:
        """Extensions are counted afresh in another unit (延长至), not added to the period."""
        return bool(self.extension_unit) and self.extension_unit != self.length_unit

    @property
    def extension_unit_label(self) -> str:
        return str(DurationUnit(self.extension_unit or self.length_unit).label)

    def counted(self, extended_by: int) -> tuple[counting.Period, int]:
        """The period and the extension to count a deadline extended by ``extended_by`` with."""
        if extended_by and self.extends_to:
            unit = self.extension_unit
            return counting.Period(extended_by, unit, unit != DurationUnit.HOURS), 0
        return self.period, extended_by

    @property
    def allows_extension(self) -> bool:
        return self.extension_cap > 0 and bool(self.extension_approver_role)

    @property
    def allows_pause(self) -> bool:
        return bool(self.pause_event and self.resume_event)

    @property
    def extension_text(self) -> str:
        if not self.allows_extension:
            return gettext("不得延长")
        if self.extends_to:
            total = counting.describe(counting.Period(self.extension_cap, self.extension_unit))
        else:
            total = counting.describe(
                counting.Period(self.length_value + self.extension_cap, self.length_unit)
            )
        return gettext("经%(role)s批准可延长至%(total)s") % {
            "role": Role(self.extension_approver_role).label,
            "total": total,
        }

    @property
    def source_text(self) -> str:
        return f"{self.source_law}{self.source_article}"

    @property
    def start_event_label(self) -> str:
        return event_label(self.start_event)

    @property
    def stop_event_label(self) -> str:
        return event_label(self.stop_event)

    @property
    def pause_text(self) -> str:
        if not self.allows_pause:
            return "—"
        return gettext("%(pause)s至%(resume)s的期间不计入") % {
            "pause": event_label(self.pause_event),
            "resume": event_label(self.resume_event),
        }


class DeadlineQuerySet(ScopedQuerySet["Deadline"]):
    scope_fields = ("unit",)


class Deadline(models.Model):
    """The running period of one node for one object (an alert, a complaint, a score …).

    Everything needed to recompute the due time is on the row and its pauses and extensions, each
    written together with its journal event: start, pauses, approved extension total, rule."""

    rule = models.ForeignKey(
        DeadlineRule, on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("规则版本")
    )
    code = models.CharField(_("节点代码"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=40, validators=[object_type_validator])
    object_id = models.CharField(_("对象编号"), max_length=64, validators=[object_id_validator])
    title = models.CharField(_("事项"), max_length=120, blank=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("责任单位")
    )
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    # Set while ``due_at`` is provisional (暂定): the year whose holiday arrangement is not in the
    # system yet; that year is counted with weekends as its only rest days until it is published.
    missing_year = models.PositiveSmallIntegerField(
        _("缺少节假日安排的年份"), null=True, blank=True
    )
    extended_by = models.PositiveIntegerField(_("已延长"), default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    stopped_at = models.DateTimeField(_("完结时间"), null=True, blank=True)
    # Compare-and-set counter: two writers on the same deadline cannot both win (R6).
    row_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "code"],
                condition=~Q(status=DeadlineStatus.STOPPED),
                name="deadline_one_running_per_node",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="deadline_status_due"),
            models.Index(fields=["unit", "status", "due_at"], name="deadline_unit_status_due"),
            models.Index(fields=["object_type", "object_id"], name="deadline_object"),
            # 我的期限 (issue 14): each running status in due order, ties by id.
            models.Index(fields=["status", "due_at", "id"], name="deadline_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.object_type}:{self.object_id}"

    @property
    def object_ref(self) -> tuple[str, str]:
        return (self.object_type, self.object_id)

    @property
    def is_provisional(self) -> bool:
        """The due time was counted without the holiday arrangement of ``missing_year``."""
        return self.due_at is not None and self.missing_year is not None

    @property
    def provisional_text(self) -> str:
        """``暂定 2027年1月8日 24时；尚未录入2027年节假日安排`` ("" for an exact due time)."""
        if not self.is_provisional or self.due_at is None:
            return ""
        return gettext("暂定 %(due)s；尚未录入%(year)s年节假日安排") % {
            "due": counting.moment_text(self.due_at),
            "year": self.missing_year,
        }

    @property
    def pending_text(self) -> str:
        """Why there is no due time (paused), or why it is provisional."""
        if self.status == DeadlineStatus.PAUSED:
            return str(_("暂停计算中（鉴定等期间不计入期限）"))
        if self.missing_year is not None:
            if self.due_at is not None:
                return self.provisional_text
            # A row written before provisional dates existed; the next recompute dates it.
            return counting.CalendarMissing(self.missing_year).pending_text
        return str(_("待定"))

    @property
    def due_note(self) -> str:
        """What to show beside the due time: why there is none, or why it is provisional."""
        if self.due_at is not None:
            return self.provisional_text
        return self.pending_text

    @property
    def is_pending(self) -> bool:
        return self.status != DeadlineStatus.STOPPED

    @property
    def stopped_late(self) -> bool | None:
        if self.stopped_at is None or self.due_at is None:
            return None
        return self.stopped_at > self.due_at

    def intervals(self) -> list[counting.Interval]:
        return [counting.Interval(p.paused_at, p.resumed_at) for p in self.pauses.all()]

    def share_used(self, now: dt.datetime) -> float | None:
        if self.due_at is None:
            return None
        return counting.share_used(self.started_at, self.due_at, now, self.intervals())

    def band(self, now: dt.datetime) -> str:
        return counting.band_for(
            due=self.due_at,
            now=now,
            share=self.share_used(now),
            paused=self.status == DeadlineStatus.PAUSED,
        )


class DeadlinePause(models.Model):
    """Time not counted (鉴定 …): from ``paused_at`` until ``resumed_at``."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField(_("暂停时间"))
    resumed_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=200)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("期限暂停")
        verbose_name_plural = _("期限暂停")
        ordering = ["paused_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline"],
                condition=Q(resumed_at__isnull=True),
                name="deadlinepause_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.paused_at:%Y-%m-%d %H:%M}"


class DeadlineExtension(models.Model):
    """A request for more time and its decision. Requester and approver are never the same person."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    length = models.PositiveIntegerField(_("延长"))
    reason = models.CharField(_("理由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("延长期限申请")
        verbose_name_plural = _("延长期限申请")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="deadlineextension_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} +{self.length} {self.status}"
