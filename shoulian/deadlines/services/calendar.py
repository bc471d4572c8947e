"""The administrator's holiday calendar: enter a year the library does not carry yet, correct one,
publish it; and the refresh from ``chinese-calendar``. Every change to a published year recomputes
the running deadlines that year touches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.deadlines.choices import CalendarSource, CalendarYearStatus
from shoulian.deadlines.holidays import library_notice, library_years
from shoulian.deadlines.models import CalendarDay, CalendarYear
from shoulian.deadlines.services._common import signed_in
from shoulian.deadlines.services.deadlines import deadlines_recompute

MAX_RANGE_DAYS = 31


def _require_admin(actor: Any, year: int) -> None:
    if actor is None:  # management commands act as the system
        return
    if not actor.has_role(Role.ADMIN):
        deny(
            actor,
            action="calendar_edit",
            obj=("calendar_year", year),
            message=_("只有系统管理员可以维护节假日安排。"),
        )


def _ref(year: int) -> tuple[str, int]:
    return ("calendar_year", year)


def _touch(calendar_year: CalendarYear, actor: Any, **fields: Any) -> None:
    """An edit by the administrator makes the year theirs: the library refresh leaves it alone."""
    fields.setdefault("source", CalendarSource.MANUAL)
    for name, value in fields.items():
        setattr(calendar_year, name, value)
    calendar_year.updated_by = signed_in(actor)
    calendar_year.save(update_fields=[*fields, "updated_by", "updated_at"])


def _recompute(calendar_year: CalendarYear, actor: Any, reason: str) -> int:
    if not calendar_year.is_published:
        return 0
    return deadlines_recompute(actor=actor, reason=reason, year=calendar_year.year)


def calendar_year_create(*, actor: Any, year: int, notice: str = "") -> CalendarYear:
    """A draft year: not used for counting until published."""
    _require_admin(actor, year)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年份应在 2000–2100 之间。")})
    if CalendarYear.objects.filter(year=year).exists():
        raise ValidationError({"year": _("%(year)s年的节假日安排已存在。") % {"year": year}})
    try:
        with transaction.atomic():
            calendar_year = CalendarYear.objects.create(
                year=year,
                source=CalendarSource.MANUAL,
                status=CalendarYearStatus.DRAFT,
                notice=notice.strip()[:200] or library_notice(year),
                updated_by=signed_in(actor),
            )
            record(
                EventType.CALENDAR_YEAR_CREATED,
                obj=_ref(year),
                actor=actor,
                data={"year": year, "notice": calendar_year.notice},
            )
    except IntegrityError:
        # Created by someone else between the check above and this insert.
        if CalendarYear.objects.filter(year=year).exists():
            raise ValidationError(
                {"year": _("%(year)s年的节假日安排已存在。") % {"year": year}}
            ) from None
        raise
    return calendar_year


def calendar_days_set(
    *,
    actor: Any,
    calendar_year: CalendarYear,
    first: dt.date,
    last: dt.date,
    is_rest_day: bool,
    name: str,
) -> int:
    """Mark ``first``..``last`` as holiday (休) or as 调休 working days (班), replacing what those
    dates said before. Returns the number of days written."""
    year = calendar_year.year
    _require_admin(actor, year)
    name = name.strip()
    errors: dict[str, str] = {}
    if first.year != year or last.year != year:
        errors["first"] = _("日期须在%(year)s年内（跨年的假期请分两年录入）。") % {"year": year}
    elif last < first:
        errors["last"] = _("结束日期不能早于开始日期。")
    elif (last - first).days + 1 > MAX_RANGE_DAYS:
        errors["last"] = _("一次最多录入%(count)s天。") % {"count": MAX_RANGE_DAYS}
    if not name:
        errors["name"] = _("请填写名称（如：春节、国庆节调休上班）。")
    if errors:
        raise ValidationError(errors)
    dates = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    with transaction.atomic():
        before = dict(CalendarDay.objects.filter(date__in=dates).values_list("date", "is_rest_day"))
        CalendarDay.objects.filter(date__in=dates).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(year=calendar_year, date=d, is_rest_day=is_rest_day, name=name[:40])
            for d in dates
        )
        _touch(calendar_year, actor)
        recomputed = _recompute(calendar_year, actor, f"{year}年节假日安排修改")
        record(
            EventType.CALENDAR_DAYS_SET,
            obj=_ref(year),
            actor=actor,
            data={
                "first": first,
                "last": last,
                "rest": is_rest_day,
                "label": name[:40],
                "replaced": {str(d): rest for d, rest in sorted(before.items())},
                "recomputed": recomputed,
            },
        )
    return len(dates)


def calendar_day_remove(*, actor: Any, calendar_year: CalendarYear, day: dt.date) -> None:
    """The date goes back to the plain rule: Monday–Friday work, Saturday and Sunday rest."""
    _require_admin(actor, calendar_year.year)
    entry = CalendarDay.objects.filter(year=calendar_year, date=day).first()
    if entry is None:
        raise ValidationError({"day": _("%(day)s 没有特别安排。") % {"day": day}})
    with transaction.atomic():
        entry.delete()
        _touch(calendar_year, actor)
        recomputed = _recompute(calendar_year, actor, f"{calendar_year.year}年节假日安排修改")
        record(
            EventType.CALENDAR_DAY_REMOVED,
            obj=_ref(calendar_year.year),
            actor=actor,
            data={
                "day": day,
                "rest": entry.is_rest_day,
                "label": entry.name,
                "recomputed": recomputed,
            },
        )


def calendar_year_publish(*, actor: Any, calendar_year: CalendarYear) -> int:
    """From now on the year is used for counting; deadlines waiting for it get their due time."""
    year = calendar_year.year
    _require_admin(actor, year)
    if calendar_year.is_published:
        raise ValidationError(_("该年度已经生效。"))
    if not CalendarDay.objects.filter(year=calendar_year, is_rest_day=True).exists():
        # Every State Council notice has holidays; an empty year is one not typed in yet.
        raise ValidationError(_("尚未录入任何法定节假日，不能发布。"))
    with transaction.atomic():
        _touch(calendar_year, actor, status=CalendarYearStatus.PUBLISHED)
        recomputed = _recompute(calendar_year, actor, f"{year}年节假日安排生效")
        record(
            EventType.CALENDAR_YEAR_PUBLISHED,
            obj=_ref(year),
            actor=actor,
            data={
                "year": year,
                "days": CalendarDay.objects.filter(year=calendar_year).count(),
                "recomputed": recomputed,
            },
        )
    return recomputed


@dataclass
class SyncReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    # Years the administrator entered or edited that the library now carries differently.
    differs_from_manual: list[int] = field(default_factory=list)
    recomputed: int = 0

    def summary(self) -> str:
        def years(values: list[int]) -> str:
            return "、".join(str(y) for y in values) or "无"

        return (
            f"新增年度：{years(self.created)}；更新年度：{years(self.updated)}；"
            f"未变：{len(self.unchanged)}个；与管理员录入不同（未覆盖）：{years(self.differs_from_manual)}；"
            f"重新计算期限：{self.recomputed}条"
        )


def calendar_sync_from_library(*, actor: Any = None) -> SyncReport:
    """Bring in every year ``chinese-calendar`` carries. Years the library seeded are refreshed;
    a year the administrator entered or edited is never overwritten, only reported."""
    _require_admin(actor, 0)
    report = SyncReport()
    with transaction.atomic():
        for year, days in library_years().items():
            wanted = {d.date: (d.is_rest_day, d.name) for d in days}
            calendar_year = CalendarYear.objects.filter(year=year).first()
            if calendar_year is None:
                calendar_year = CalendarYear.objects.create(
                    year=year,
                    source=CalendarSource.LIBRARY,
                    status=CalendarYearStatus.PUBLISHED,
                    notice=library_notice(year),
                )
                report.created.append(year)
            else:
                stored = {
                    d: (rest, name)
                    for d, rest, name in calendar_year.days.values_list(
                        "date", "is_rest_day", "name"
                    )
                }
                if stored == wanted and calendar_year.is_published:
                    report.unchanged.append(year)
                    continue
                if calendar_year.source == CalendarSource.MANUAL:
                    report.differs_from_manual.append(year)
                    continue
                calendar_year.days.all().delete()
                calendar_year.status = CalendarYearStatus.PUBLISHED
                calendar_year.save(update_fields=["status", "updated_at"])
                report.updated.append(year)
            CalendarDay.objects.bulk_create(
                CalendarDay(year=calendar_year, date=d, is_rest_day=rest, name=name)
                for d, (rest, name) in sorted(wanted.items())
            )
            report.recomputed += deadlines_recompute(
                actor=actor, reason=f"{year}年节假日安排同步", year=year
            )
        if report.created or report.updated or report.differs_from_manual:
            record(
                EventType.CALENDAR_SYNCED,
                obj=None,
                actor=actor,
                data={
                    "created": report.created,
                    "updated": report.updated,
                    "differs_from_manual": report.differs_from_manual,
                    "recomputed": report.recomputed,
                },
            )
    return report
