"""The platform's rollups: one fact row per alert and the counters summed from it.

The counters are kept in the transaction of the change (``subscribers``): the fact row says what
the alert counted as before, the new fact what it counts as now, and the difference moves the
counters. The nightly job re-derives the facts from the source rows and the counters from the
facts and reports any difference (``services.rollups_rederive``). The page reads only these
tables (and the open findings), never the alerts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from shoulian.dashboard.choices import Band, Node, Span, WarningKind
from shoulian.intake.choices import CategoryGroup, Channel


class AlertFact(models.Model):
    """What one alert counts as on the platform."""

    alert = models.OneToOneField(
        "intake.Alert", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    # The handling unit, or the registering unit while nobody handles it (the 警情 list's
    # ``in_unit`` filter is the same rule).
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("接报日期")  # in Asia/Shanghai, like the list's date filter
    channel = models.CharField(max_length=20, choices=Channel.choices)
    group = models.CharField(max_length=16, choices=CategoryGroup.choices)
    node = models.CharField(max_length=10, choices=Node.choices, blank=True)
    node_since = models.DateTimeField(null=True)
    warn_at = models.DateTimeField(null=True)  # since + 80 % of the period
    due_at = models.DateTimeField(null=True)
    # 三个当场: None where the duties do not apply (not a walk-in channel).
    on_spot = models.BooleanField(null=True)
    bounces = models.PositiveSmallIntegerField(default=0)
    # The band the node counters count the alert in: its band when the fact was last written
    # (``Band``; empty while waiting nowhere). Time moves an alert on from 期限内 to 临期 and
    # 超期 without a change: the minute job (``services.bands_advance``) moves it then, and the
    # platform adds what moved since that job's last pass from the two partial indexes below.
    band = models.CharField(max_length=8, choices=Band.choices, blank=True)
    # The 回访: None until it is done (or when the reporter could not be reached).
    satisfied = models.BooleanField(null=True)
    followed_day = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["bureau", "node", "due_at"],
                name="dash_fact_bureau_node",
                condition=~Q(node=""),
            ),
            models.Index(
                fields=["unit", "node", "due_at"],
                name="dash_fact_unit_node",
                condition=~Q(node=""),
            ),
            # Counted 期限内 with its warning time past, counted 临期 with its due time past: the
            # few facts whose counted band is behind the clock (the warning time is never after
            # the due time, so one counted 期限内 and overdue is in the first).
            models.Index(
                fields=["bureau", "warn_at"], name="dash_fact_ok_warn", condition=Q(band=Band.OK)
            ),
            models.Index(
                fields=["bureau", "due_at"], name="dash_fact_near_due", condition=Q(band=Band.NEAR)
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.alert_id}"


class DailyCount(models.Model):
    """Alerts received per period (a day, a week, a month: ``Span``), unit, channel and category
    group; with 三个当场. Each alert counts in its day's, its week's and its month's row, so a
    period's figure reads that period's rows only."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    span = models.CharField(max_length=5, choices=Span.choices, default=Span.DAY)
    day = models.DateField()  # the first day of the period
    channel = models.CharField(max_length=20, choices=Channel.choices)
    group = models.CharField(max_length=16, choices=CategoryGroup.choices)
    n = models.IntegerField(default=0)
    spot_total = models.IntegerField(default=0)
    spot_ok = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "span", "day", "channel", "group"], name="dash_daily_key"
            )
        ]
        indexes = [models.Index(fields=["bureau", "span", "day"], name="dash_daily_bureau_span")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.span} {self.day} {self.channel} {self.group}: {self.n}"


class NodeCount(models.Model):
    """Alerts waiting at each node per unit, and how many of them are counted 临期, 超期 and
    without a legal period (``AlertFact.band``; the rest are 期限内)."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    node = models.CharField(max_length=10, choices=Node.choices)
    n = models.IntegerField(default=0)
    near = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    no_period = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "node"], name="dash_node_key")]
        indexes = [models.Index(fields=["bureau", "node"], name="dash_node_bureau")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.node}: {self.n}"


class SatisfactionCount(models.Model):
    """回访 outcomes per day (of the 回访) and unit."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    satisfied = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="dash_satisfaction_key")
        ]
        indexes = [models.Index(fields=["bureau", "day"], name="dash_satisfaction_bureau_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.satisfied}/{self.dissatisfied}"


class FindingFact(models.Model):
    """What one finding (not a warning) counts as on the platform: its unit, status, level and
    the month it counts in (the month it was closed or cleared; while active, ``ACTIVE_MONTH``,
    so the active figure reads one row per unit, status and level, not one per month)."""

    finding = models.OneToOneField(
        "supervision.Finding", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12)
    level = models.CharField(max_length=8)
    month = models.DateField()  # the 1st, in Asia/Shanghai

    def __str__(self) -> str:
        return f"finding fact {self.finding_id}"


class FindingCount(models.Model):
    """Findings per unit, status, level and month (see ``FindingFact.month``)."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12)
    level = models.CharField(max_length=8)
    month = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "status", "level", "month"], name="dash_finding_key"
            )
        ]
        indexes = [models.Index(fields=["bureau", "status"], name="dash_finding_bureau")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.status} {self.level} {self.month}: {self.n}"


class WarningCount(models.Model):
    """Warnings of the feed waiting for an acknowledgement, per unit."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.OneToOneField("org.Unit", on_delete=models.PROTECT, related_name="+")
    n = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["bureau"], name="dash_warning_count_bureau")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.n}"


class RiskWarning(models.Model):
    """One entry of the live risk-warning feed, until somebody acknowledges it."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey("intake.Alert", null=True, on_delete=models.CASCADE, related_name="+")
    finding = models.ForeignKey(
        "supervision.Finding", null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=12, choices=WarningKind.choices)
    summary = models.CharField("内容", max_length=300)
    # One warning per cause: a replayed step or a second pass of the job adds nothing.
    key = models.CharField(max_length=80, unique=True)
    raised_at = models.DateTimeField("预警时间")
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )

    class Meta:
        verbose_name = "风险预警"
        verbose_name_plural = "风险预警"
        indexes = [
            models.Index(
                fields=["bureau", "-raised_at"],
                name="dash_warning_open",
                condition=Q(acknowledged_at__isnull=True),
            ),
            models.Index(
                fields=["unit", "-raised_at"],
                name="dash_warning_unit_open",
                condition=Q(acknowledged_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.summary}"


class DisplayLink(models.Model):
    """A wall screen's own, revocable, expiring access to the wall mode of one bureau or unit
    (docs/dashboard.md, "Display links"): not a staff session, so the screen neither signs out
    after the idle timeout (A5) nor reaches anything but the wall and its data.

    Only hashes are stored: of the one-time opening token (cleared once used) and of the secret
    the screen keeps in its cookie."""

    screen = models.CharField("屏幕名称", max_length=60)
    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # None: the whole bureau
    open_hash = models.CharField(max_length=64, null=True, unique=True)
    device_hash = models.CharField(max_length=64, null=True, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签发人"
    )
    issued_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("到期时间")
    opened_at = models.DateTimeField("启用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="撤销人",
    )

    class Meta:
        verbose_name = "大屏显示链接"
        verbose_name_plural = "大屏显示链接"
        indexes = [models.Index(fields=["bureau", "-issued_at"], name="dash_display_bureau")]

    def __str__(self) -> str:
        return self.screen

    def is_active(self, now: Any) -> bool:
        return self.revoked_at is None and self.expires_at > now
