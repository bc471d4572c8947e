"""The statistics core: one period's figures for a bureau (or one unit of it), computed from the
data alone. The statistics page, the weekly summary and the monthly bulletin all call
:func:`compute`, so a document's figures are those the page shows for the same period, and the same
period gives the same figures (and the same text) again.

Periods are Asia/Shanghai days, half-open: ``[start, end)``. What each figure counts:

- 违法犯罪类警情: alerts registered in the bureau, received in the period, of the 刑事类 or 治安类
  group of the classification standard;
- 派出所上门报警警情: alerts of the 来所报警 channel registered at a 派出所's desk;
- 下发巡查监督通报: monthly bulletins issued in the period;
- 监督整改立案相关问题: findings (not warnings) rectified to 销号 in the period;
- findings by rule and level: findings opened in the period, by their rule's level when raised
  (an escalation later does not rewrite a closed period);
- overdue: findings whose rectification period had run out at the end of the period and that were
  still open then;
- satisfaction: follow-ups done in the period, by the citizen's answer;
- reviews at each level (所队法制员 / 中心 / 法制大队) made in the period, and those that found a
  problem (``review.selectors.reviews_in_period``);
- 现场处警视音频资料: AV records reviewed in the period (each record once, however many reviews),
  and the reviews that found a problem (``review.selectors.av_reviews_in_period``);
- 精准指导: guidance the legal brigade answered in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from shoulian.bulletins.choices import BulletinKind, BulletinStatus
from shoulian.bulletins.models import Bulletin
from shoulian.deadlines.counting import LEGAL_TZ
from shoulian.feedback.choices import FollowUpStatus, Satisfaction
from shoulian.feedback.models import FollowUp
from shoulian.intake.choices import OFFENCE_GROUPS, Channel
from shoulian.intake.models import Alert
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.review import selectors as review
from shoulian.review.choices import FINDING_RESULTS, AvResult, ReviewLevel
from shoulian.review.models import AvReview, Review
from shoulian.supervision import registry
from shoulian.supervision.choices import FindingKind, FindingStatus, Level
from shoulian.supervision.models import Finding

LEVELS = (Level.RED, Level.ORANGE, Level.YELLOW)


def moment(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Beijing time (the legal day's start)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LEGAL_TZ)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("统计期间的截止日期须晚于起始日期。")

    @property
    def since(self) -> dt.datetime:
        return moment(self.start)

    @property
    def until(self) -> dt.datetime:
        return moment(self.end)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        first, last = self.start, self.last_day
        if (
            first.day == 1
            and self.end.day == 1
            and (last.year, last.month) == (first.year, first.month)
        ):
            return f"{first.year}年{first.month}月"
        return (
            f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"
        )

    @classmethod
    def week_of(cls, day: dt.date) -> Period:
        monday = day - dt.timedelta(days=day.weekday())
        return cls(monday, monday + dt.timedelta(days=7))

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(first, following)


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a key for the drill-down, its label and its count."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class RuleRow:
    code: str
    name: str
    red: int
    orange: int
    yellow: int

    @property
    def total(self) -> int:
        return self.red + self.orange + self.yellow


@dataclass(frozen=True)
class Figures:
    bureau_id: int
    bureau_name: str
    unit_id: int | None
    unit_name: str
    start: dt.date
    end: dt.date
    alerts: int
    offence_alerts: int
    station_walk_in: int
    bulletins_issued: int
    rectified: int
    findings_opened: int
    overdue: int
    follow_ups: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    by_channel: tuple[Row, ...] = ()
    by_unit: tuple[Row, ...] = ()
    by_rule: tuple[RuleRow, ...] = ()
    by_level: tuple[Row, ...] = ()
    reviews: int = 0
    reviews_with_problem: int = 0
    reviews_by_level: tuple[Row, ...] = ()
    av_reviewed: int = 0
    av_problems: int = 0
    guidance: int = 0

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def satisfaction_rate(self) -> str:
        """满意率 (满意 and 基本满意 over the follow-ups done), one decimal, or "—"."""
        if not self.follow_ups:
            return "—"
        share = (self.satisfied + self.basically_satisfied) * 1000 // self.follow_ups
        return f"{share // 10}.{share % 10}%"

    @property
    def sentence(self) -> str:
        """The article's sentence for the period."""
        return (
            f"{self.period.label}，共监督巡查违法犯罪类警情{self.offence_alerts}件、"
            f"现场处警视音频资料{self.av_reviewed}件、派出所上门报警警情{self.station_walk_in}件，"
            f"下发巡查监督通报{self.bulletins_issued}期，监督整改立案相关问题{self.rectified}个。"
        )

    def as_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Figures:
        values = dict(data)
        values["start"] = dt.date.fromisoformat(values["start"])
        values["end"] = dt.date.fromisoformat(values["end"])
        for name in ("by_channel", "by_unit", "by_level", "reviews_by_level"):
            values[name] = tuple(Row(**row) for row in values.get(name, ()))
        values["by_rule"] = tuple(RuleRow(**row) for row in values.get("by_rule", ()))
        return cls(**values)


# --- the querysets behind each figure (the drill-down lists filter the same way) ----------------
def alerts(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[Alert]:
    qs = Alert.objects.filter(
        registering_unit__path__startswith=bureau.path,
        received_at__gte=period.since,
        received_at__lt=period.until,
    )
    if unit is not None:
        qs = qs.filter(
            Q(handling_unit__path__startswith=unit.path)
            | Q(registering_unit__path__startswith=unit.path)
        )
    return qs


def offence_alerts(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[Alert]:
    return alerts(bureau, period, unit).filter(category__group__in=OFFENCE_GROUPS)


def station_walk_in(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[Alert]:
    return alerts(bureau, period, unit).filter(
        channel=Channel.WALK_IN, registering_unit__kind=UnitKind.STATION
    )


def findings(bureau: Unit, unit: Unit | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.filter(bureau=bureau, kind=FindingKind.FINDING)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def findings_opened(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[Finding]:
    return findings(bureau, unit).filter(opened_at__gte=period.since, opened_at__lt=period.until)


def rectified(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[Finding]:
    return findings(bureau, unit).filter(
        status=FindingStatus.CLOSED, closed_at__gte=period.since, closed_at__lt=period.until
    )


def overdue(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[Finding]:
    end = period.until
    return (
        findings(bureau, unit)
        .filter(opened_at__lt=end, due_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    )


def bulletins_issued(bureau: Unit, period: Period) -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(
        bureau=bureau,
        kind=BulletinKind.MONTHLY,
        status=BulletinStatus.ISSUED,
        issued_at__gte=period.since,
        issued_at__lt=period.until,
    )


def reviews(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[Review]:
    qs = review.reviews_in_period(bureau, period.since, period.until)
    return qs.filter(unit__path__startswith=unit.path) if unit is not None else qs


def av_reviews(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[AvReview]:
    qs = review.av_reviews_in_period(bureau, period.since, period.until)
    return qs.filter(unit__path__startswith=unit.path) if unit is not None else qs


def follow_ups(bureau: Unit, period: Period, unit: Unit | None = None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(
        center__path__startswith=bureau.path,
        status=FollowUpStatus.DONE,
        done_at__gte=period.since,
        done_at__lt=period.until,
    )
    if unit is not None:
        qs = qs.filter(alert__handling_unit__path__startswith=unit.path)
    return qs


# --- the core ---------------------------------------------------------------------------------
def _rows(pairs: Iterable[tuple[Any, Any, int]]) -> tuple[Row, ...]:
    return tuple(Row(key=str(key), label=str(label), count=int(n)) for key, label, n in pairs)


def compute(bureau: Unit, period: Period, unit: Unit | None = None) -> Figures:
    """The figures of ``period`` for ``bureau`` (or ``unit`` of it), ordered deterministically."""
    base = alerts(bureau, period, unit)
    channel_counts = dict(
        base.values_list("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    by_channel = _rows(
        (code, label, channel_counts[code])
        for code, label in Channel.choices
        if code in channel_counts
    )
    unit_counts = (
        base.exclude(handling_unit=None)
        .values_list("handling_unit_id", "handling_unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "handling_unit__name", "handling_unit_id")
    )
    by_unit = _rows((pk, name, n) for pk, name, n in unit_counts)
    unrouted = base.filter(handling_unit=None).count()
    if unrouted:
        by_unit += (Row(key="", label="未分派", count=unrouted),)

    opened = findings_opened(bureau, period, unit)
    per_rule: dict[str, dict[str, int]] = {}
    for code, level, n in opened.values_list("rule_code", "base_level").annotate(n=Count("pk")):
        per_rule.setdefault(code, {})[level] = n
    by_rule = tuple(
        RuleRow(
            code=code,
            name=registry.REGISTRY[code].name if code in registry.REGISTRY else code,
            red=levels.get(Level.RED, 0),
            orange=levels.get(Level.ORANGE, 0),
            yellow=levels.get(Level.YELLOW, 0),
        )
        for code, levels in sorted(per_rule.items())
    )
    by_level = _rows(
        (level, Level(level).label, sum(getattr(r, str(level)) for r in by_rule))
        for level in LEVELS
    )

    review_rows = reviews(bureau, period, unit)
    per_level = dict(
        review_rows.order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    reviews_by_level = _rows(
        (level, label, per_level.get(level, 0)) for level, label in ReviewLevel.choices
    )
    av_rows = av_reviews(bureau, period, unit)
    guidance = review.guidance_in_period(bureau, period.since, period.until)
    if unit is not None:
        guidance = guidance.filter(unit__path__startswith=unit.path)

    answers = dict(
        follow_ups(bureau, period, unit)
        .values_list("satisfaction")
        .annotate(n=Count("pk"))
        .values_list("satisfaction", "n")
    )
    return Figures(
        bureau_id=bureau.pk,
        bureau_name=bureau.name,
        unit_id=unit.pk if unit is not None else None,
        unit_name=unit.name if unit is not None else bureau.name,
        start=period.start,
        end=period.end,
        alerts=sum(r.count for r in by_channel),
        offence_alerts=offence_alerts(bureau, period, unit).count(),
        station_walk_in=station_walk_in(bureau, period, unit).count(),
        bulletins_issued=bulletins_issued(bureau, period).count(),
        rectified=rectified(bureau, period, unit).count(),
        findings_opened=sum(r.total for r in by_rule),
        overdue=overdue(bureau, period, unit).count(),
        follow_ups=sum(answers.values()),
        satisfied=answers.get(Satisfaction.SATISFIED, 0),
        basically_satisfied=answers.get(Satisfaction.BASICALLY, 0),
        dissatisfied=answers.get(Satisfaction.DISSATISFIED, 0),
        by_channel=by_channel,
        by_unit=by_unit,
        by_rule=by_rule,
        by_level=by_level,
        reviews=sum(r.count for r in reviews_by_level),
        reviews_with_problem=review_rows.filter(result__in=FINDING_RESULTS).count(),
        reviews_by_level=reviews_by_level,
        av_reviewed=av_rows.order_by().values("av_record").distinct().count(),
        av_problems=av_rows.filter(result=AvResult.PROBLEM).count(),
        guidance=guidance.count(),
    )
