"""Reads of the deadline engine, always through the user's scope."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shoulian.core.scoping import ScopeDomain, visible_unit_ids
from shoulian.deadlines import versions
from shoulian.deadlines.choices import (
    PARTY_WINDOW_CODES,
    Band,
    CalendarYearStatus,
    DeadlineStatus,
    ExtensionStatus,
)
from shoulian.deadlines.models import (
    CalendarDay,
    CalendarYear,
    Deadline,
    DeadlineExtension,
    DeadlinePause,
    DeadlineRule,
)

QUEUE_LIMIT = 200


def deadlines_visible_to(user: Any) -> QuerySet[Deadline]:
    return Deadline.objects.visible_to(user)


def deadline_for_detail(user: Any, pk: int) -> Deadline:
    """One deadline the user may see, with what the page shows; 404 otherwise (Z3)."""
    deadline = (
        deadlines_visible_to(user)
        .select_related("rule", "unit")
        .prefetch_related(
            Prefetch("pauses", queryset=DeadlinePause.objects.order_by("paused_at")),
            Prefetch(
                "extensions",
                queryset=DeadlineExtension.objects.select_related(
                    "requested_by", "decided_by"
                ).order_by("requested_at"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if deadline is None:
        raise Http404("期限不存在")
    return deadline


def extension_for_decision(user: Any, pk: int) -> DeadlineExtension:
    extension = (
        DeadlineExtension.objects.filter(deadline__in=deadlines_visible_to(user), pk=pk)
        .select_related("deadline__rule", "deadline__unit", "requested_by")
        .first()
    )
    if extension is None:
        raise Http404("申请不存在")
    return extension


@dataclass(frozen=True)
class QueueItem:
    deadline: Deadline
    band: str
    share: float | None
    remaining: dt.timedelta | None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)

    @property
    def bar_step(self) -> int:
        """The share in steps of ten, capped at 100, for a CSS width class (no inline styles)."""
        if self.share is None:
            return 0
        return min(int(self.share * 10), 10) * 10

    @property
    def band_label(self) -> str:
        return str(Band(self.band).label)

    @property
    def remaining_text(self) -> str:
        if self.remaining is None:
            return ""
        seconds = int(self.remaining.total_seconds())
        late = seconds < 0
        seconds = abs(seconds)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        text = (
            _("%(days)s天%(hours)s小时") % {"days": days, "hours": hours}
            if days
            else _("%(hours)s小时%(minutes)s分") % {"hours": hours, "minutes": rest // 60}
        )
        return (_("超期%(time)s") if late else _("剩余%(time)s")) % {"time": text}


def queue_item(deadline: Deadline, now: dt.datetime) -> QueueItem:
    share = deadline.share_used(now)
    remaining = None if deadline.due_at is None else deadline.due_at - now
    return QueueItem(deadline, deadline.band(now), share, remaining)


def work_queue(
    user: Any, *, now: dt.datetime | None = None, limit: int = QUEUE_LIMIT
) -> list[QueueItem]:
    """The user's visible running duty deadlines, soonest due first (pending due times last), each with
    its colour band and the rule and article behind it. Flat in the number of deadlines (issue
    14): per running status, the dated ones and then the undated ones are read from the
    ``(status, due_at, id)`` index, each stopping after ``limit`` rows, instead of sorting every
    running deadline (SQLite keeps NULLs first, so "nulls last" cannot be read from an index)."""
    now = now or timezone.now()
    visible = (
        Deadline.objects.visible_by_order(user)
        .exclude(code__in=PARTY_WINDOW_CODES)
        .select_related("rule", "unit")
    )
    rows: list[Deadline] = []
    for status in (DeadlineStatus.OPEN, DeadlineStatus.PAUSED):
        running = visible.filter(status=status)
        rows += running.filter(due_at__isnull=False).order_by("due_at", "id")[:limit]
    rows.sort(key=lambda d: (d.due_at, d.pk))
    rows = rows[:limit]
    if len(rows) < limit:
        undated = visible.filter(
            status__in=(DeadlineStatus.OPEN, DeadlineStatus.PAUSED), due_at__isnull=True
        )
        # due_at first although NULL throughout: PostgreSQL then reads the order from the index.
        rows += undated.order_by("due_at", "id")[: limit - len(rows)]
    prefetch_related_objects(
        rows, Prefetch("pauses", queryset=DeadlinePause.objects.order_by("paused_at"))
    )
    return [queue_item(d, now) for d in rows]


def pending_approvals(user: Any) -> list[DeadlineExtension]:
    """Extension requests the user may decide: visible, their role, not their own. The few
    pending requests are found first and their deadline's unit checked against the visible
    units (not against a list of every visible deadline, issue 14)."""
    roles = set(user.role_set)
    units = visible_unit_ids(user, ScopeDomain.CONTENT)
    if getattr(user, "is_auxiliary", False) or not roles or units is None:
        return []
    # The unit written as ``unit_id + 0``: no index answers it, so the database starts from the
    # few pending requests (their partial index) and checks the unit on the way, instead of
    # walking every deadline of every visible unit through the unit index (a bureau-wide role's
    # whole bureau, issue 14).
    return list(
        DeadlineExtension.objects.alias(_scope_unit=F("deadline__unit_id") + 0)
        .filter(
            status=ExtensionStatus.PENDING,
            _scope_unit__in=units,
            deadline__rule__extension_approver_role__in=roles,
        )
        .exclude(requested_by=user)
        .select_related("deadline__rule", "deadline__unit", "requested_by")
        .order_by("requested_at")
    )


def can_request_extension(user: Any, deadline: Deadline) -> bool:
    from shoulian.deadlines.choices import REQUESTER_ROLES

    return (
        deadline.rule.allows_extension
        and deadline.status != DeadlineStatus.STOPPED
        and deadline.extended_by < deadline.rule.extension_cap
        and user.has_role(*REQUESTER_ROLES)
        and not getattr(user, "is_auxiliary", False)
        and not any(e.status == ExtensionStatus.PENDING for e in deadline.extensions.all())
    )


def can_decide(user: Any, extension: DeadlineExtension) -> bool:
    rule = extension.deadline.rule
    return (
        extension.status == ExtensionStatus.PENDING
        and rule.allows_extension
        and user.has_role(rule.extension_approver_role)
        and extension.requested_by_id != user.pk
        and not getattr(user, "is_auxiliary", False)
    )


# --- Rules ----------------------------------------------------------------------------------


def user_bureau_id(user: Any) -> int | None:
    return versions.bureau_id_of(user.unit) if getattr(user, "unit", None) else None


@dataclass(frozen=True)
class RuleRow:
    current: DeadlineRule
    upcoming: DeadlineRule | None
    version_count: int


def rules_for(user: Any, *, today: dt.date | None = None) -> list[RuleRow]:
    """For each rule, the version in force today for the user's bureau and the next one dated in
    the future, if any. Two queries."""
    today = today or timezone.localdate()
    bureau_id = user_bureau_id(user)
    visible = Q(bureau__isnull=True)
    if bureau_id is not None:
        visible |= Q(bureau_id=bureau_id)
    by_code: dict[str, list[DeadlineRule]] = {}
    for rule in DeadlineRule.objects.filter(visible).order_by("code", "effective_from", "id"):
        by_code.setdefault(rule.code, []).append(rule)
    rows = []
    for chain in by_code.values():
        current = versions.pick(chain, today) or chain[0]
        upcoming = next((r for r in chain if r.effective_from > today), None)
        rows.append(RuleRow(current, upcoming, len(chain)))
    # The seeded defaults were written in DOMAIN §5's order: keep it.
    first_pk = {chain[0].code: min(r.pk for r in chain) for chain in by_code.values()}
    return sorted(rows, key=lambda r: first_pk[r.current.code])


def rule_history(user: Any, code: str) -> list[DeadlineRule]:
    """Every version the user's bureau uses, oldest first; 404 for an unknown code."""
    history = list(
        versions.chain(code, user_bureau_id(user)).select_related("created_by", "bureau")
    )
    if not history:
        raise Http404("规则不存在")
    return history


def rule_in_force_for(user: Any, code: str, today: dt.date | None = None) -> DeadlineRule:
    history = rule_history(user, code)
    return versions.pick(history, today or timezone.localdate()) or history[0]


# --- Calendar --------------------------------------------------------------------------------


def calendar_years() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.annotate(
        holiday_count=Count("days", filter=Q(days__is_rest_day=True)),
        workday_count=Count("days", filter=Q(days__is_rest_day=False)),
    ).order_by("-year")


def calendar_year_or_404(year: int) -> CalendarYear:
    found = CalendarYear.objects.filter(year=year).first()
    if found is None:
        raise Http404("年度不存在")
    return found


def calendar_warning(today: dt.date | None = None) -> str | None:
    """The administrator's warning: the current year has no published calendar, or it is the last
    quarter and next year's is not in yet (the State Council publishes each notice late in the year
    before). Pages other than the calendar's call this too; None when all is well."""
    today = today or timezone.localdate()
    published = set(
        CalendarYear.objects.filter(
            status=CalendarYearStatus.PUBLISHED, year__in=[today.year, today.year + 1]
        ).values_list("year", flat=True)
    )
    if today.year not in published:
        return _(
            "缺少%(year)s年节假日安排：以日计算的期限暂按周末休息推算，显示为“暂定”，"
            "可能与实际到期日相差数日。请录入国务院办公厅通知并发布。"
        ) % {"year": today.year}
    if today.month >= 10 and today.year + 1 not in published:
        return _(
            "尚未录入%(year)s年节假日安排：跨年的期限暂按周末休息推算，显示为“暂定”。"
            "国务院办公厅通知发布后请及时录入并发布，系统将自动改为正式到期时间。"
        ) % {"year": today.year + 1}
    return None


@dataclass(frozen=True)
class DayCell:
    date: dt.date | None
    is_rest: bool = False
    name: str = ""
    is_exception: bool = False


def year_months(calendar_year: CalendarYear) -> list[tuple[int, list[list[DayCell]]]]:
    """Twelve month grids (weeks Monday first) for the year page."""
    entries = {d.date: d for d in CalendarDay.objects.filter(year=calendar_year)}
    weeks_calendar = month_calendar.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_calendar.monthdatescalendar(calendar_year.year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(DayCell(None))
                    continue
                entry = entries.get(day)
                if entry is not None:
                    row.append(DayCell(day, entry.is_rest_day, entry.name, True))
                else:
                    row.append(DayCell(day, day.weekday() >= 5))
            weeks.append(row)
        months.append((month, weeks))
    return months
