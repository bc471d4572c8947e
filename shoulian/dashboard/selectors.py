"""Reads of the platform: the scope a user may look at and its figures.

Every figure comes from the rollups (counters kept in the transaction of the change) or, for what
depends on the clock (near due, overdue), from the waiting items' due times on a partial index;
never from the alerts themselves. The number of queries is fixed (pinned in the tests)."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.dashboard.choices import Band, Node, Span, WarningKind
from shoulian.dashboard.facts import ACTIVE_MONTH, Fact
from shoulian.dashboard.models import (
    AlertFact,
    DailyCount,
    DisplayLink,
    FindingCount,
    NodeCount,
    RiskWarning,
    SatisfactionCount,
    WarningCount,
)
from shoulian.dashboard.services import display_digest, stale_facts
from shoulian.intake.choices import CategoryGroup, Channel
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.supervision.choices import ACTIVE_STATUSES, FindingStatus, Level

# Who sees the whole bureau; a unit leader sees the own unit (issue 17).
BUREAU_ROLES = (Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD)
UNIT_ROLES = (Role.LEADER,)
VIEWERS = (*BUREAU_ROLES, *UNIT_ROLES)
PERIODS = ("today", "week", "month")
PERIOD_LABELS = {"today": "今日", "week": "本周", "month": "本月"}
FEED_SIZE = 12


@dataclass(frozen=True)
class Scope:
    bureau: Unit
    unit: Unit | None  # None: the whole bureau

    @property
    def label(self) -> str:
        return (self.unit or self.bureau).display_name

    def filter(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if self.unit is not None:
            return qs.filter(unit_id=self.unit.pk)
        return qs.filter(bureau_id=self.bureau.pk)


def scope_for(user: Any, unit: str | None = None) -> Scope:
    """The bureau for its center head, legal brigade and head (or one unit of it, ``unit``); the
    own unit for a unit leader. Another bureau's unit answers 404 like a missing one (Z3)."""
    own: Unit = user.unit
    bureau = bureau_of(own)
    if user.has_role(*BUREAU_ROLES):
        if not unit:
            return Scope(bureau=bureau, unit=None)
        if not unit.isdigit():
            raise Http404
        chosen = get_object_or_404(Unit.objects.filter(path__startswith=bureau.path), pk=int(unit))
        return Scope(bureau=bureau, unit=chosen)
    if user.has_role(*UNIT_ROLES):
        if unit and unit != str(own.pk):
            raise Http404
        return Scope(bureau=bureau, unit=own)
    raise Http404


@dataclass(frozen=True)
class Periods:
    today: dt.date
    week: dt.date  # Monday
    month: dt.date  # the 1st

    @classmethod
    def at(cls, now: dt.datetime) -> Periods:
        today = timezone.localtime(now).date()
        return cls(
            today=today, week=today - dt.timedelta(days=today.weekday()), month=today.replace(day=1)
        )

    @property
    def earliest(self) -> dt.date:
        return min(self.week, self.month)

    def start(self, name: str) -> dt.date:
        return getattr(self, name)  # type: ignore[no-any-return]


def _rate(part: int, whole: int) -> float | int | None:
    """A percentage with one decimal; a whole number as an int, so the page renders it as the
    JSON does in the browser ("100", not "100.0") and a refresh does not change its width."""
    if not whole:
        return None
    rate = round(100 * part / whole, 1)
    return int(rate) if rate == int(rate) else rate


# The counter rows of each period: its own span's row (today's day row, this week's, this month's).
SPANS = {"today": Span.DAY, "week": Span.WEEK, "month": Span.MONTH}


def _period_rows(periods: Periods) -> Q:
    return reduce(operator.or_, (Q(span=SPANS[name], day=periods.start(name)) for name in PERIODS))


def _period_sums(periods: Periods, column: str, prefix: str = "") -> dict[str, Any]:
    return {
        f"{prefix}{name}": Sum(column, filter=Q(span=SPANS[name]), default=0) for name in PERIODS
    }


def _day_sums(periods: Periods, column: str, prefix: str = "") -> dict[str, Any]:
    """Sums of a per-day counter over each period's days (at most a month's rows per unit)."""
    return {
        f"{prefix}{name}": Sum(column, filter=Q(day__gte=periods.start(name)), default=0)
        for name in PERIODS
    }


def alert_list_url(scope: Scope, periods: Periods, period: str, **filters: Any) -> str:
    """The 警情 list with the filters behind a figure (same day boundaries, same unit rule)."""
    params: dict[str, Any] = {
        "from": periods.start(period).isoformat(),
        "to": periods.today.isoformat(),
    }
    if scope.unit is not None:
        params["in_unit"] = scope.unit.pk
    params.update({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{reverse('intake:alert_list')}?{urlencode(params)}"


def waiting_url(scope: Scope, **filters: Any) -> str:
    params = {k: v for k, v in filters.items() if v}
    if scope.unit is not None:
        params["unit"] = scope.unit.pk
    return f"{reverse('dashboard:waiting')}?{urlencode(params)}"


def _breakdown(
    scope: Scope, periods: Periods, key: str, labels: dict[Any, str], filter_name: str
) -> list[dict[str, Any]]:
    qs = scope.filter(DailyCount.objects.filter(_period_rows(periods)))
    rows = {r[key]: r for r in qs.values(key).annotate(**_period_sums(periods, "n")).order_by()}
    out = []
    for value, label in labels.items():
        r = rows.get(value, {})
        out.append(
            {
                "key": value,
                "label": label,
                **{p: r.get(p, 0) for p in PERIODS},
                "urls": {
                    p: alert_list_url(scope, periods, p, **{filter_name: value}) for p in PERIODS
                },
            }
        )
    return out


def figures(user: Any, scope: Scope, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the platform shows for ``scope``, as plain data (the JSON endpoint and the
    page both render it). Nine or ten queries, whatever the size of the bureau."""
    now = now or timezone.now()
    periods = Periods.at(now)
    daily = scope.filter(DailyCount.objects.filter(_period_rows(periods)))

    # 1. by channel, with 三个当场 (only walk-in channels have spot counts)
    channel_rows = {
        r["channel"]: r
        for r in daily.values("channel")
        .annotate(
            **_period_sums(periods, "n"),
            **_period_sums(periods, "spot_total", "spot_total_"),
            **_period_sums(periods, "spot_ok", "spot_ok_"),
        )
        .order_by()
    }
    by_channel = []
    for value, label in Channel.choices:
        r = channel_rows.get(value, {})
        by_channel.append(
            {
                "key": value,
                "label": label,
                **{p: r.get(p, 0) for p in PERIODS},
                "urls": {p: alert_list_url(scope, periods, p, channel=value) for p in PERIODS},
            }
        )
    totals = {p: sum(c[p] for c in by_channel) for p in PERIODS}
    on_spot = {}
    for p in PERIODS:
        total = sum(r.get(f"spot_total_{p}", 0) for r in channel_rows.values())
        ok = sum(r.get(f"spot_ok_{p}", 0) for r in channel_rows.values())
        on_spot[p] = {
            "total": total,
            "ok": ok,
            "rate": _rate(ok, total),
        }

    # 2. by category group
    by_group = _breakdown(scope, periods, "group", dict(CategoryGroup.choices), "group")

    # 3. by unit
    unit_rows = list(
        daily.values("unit_id", "unit__name", "unit__short_name")
        .annotate(**_period_sums(periods, "n"))
        .order_by("-month", "unit__name")
    )
    by_unit = [
        {
            "key": r["unit_id"],
            "label": r["unit__short_name"] or r["unit__name"],
            **{p: r[p] for p in PERIODS},
            "urls": {p: alert_list_url(scope, periods, p, in_unit=r["unit_id"]) for p in PERIODS},
        }
        for r in unit_rows
        # A unit whose alerts all moved on keeps a row at zero.
        if any(r[p] for p in PERIODS)
    ]

    # 4. waiting per node and 5. their bands against the legal period: the counters, and the
    # items the clock moved on since they were counted (a minute's worth at most)
    node_rows = {
        r["node"]: r
        for r in scope.filter(NodeCount.objects.all())
        .values("node")
        .annotate(
            n=Sum("n"),
            near=Sum("near"),
            overdue=Sum("overdue"),
            no_period=Sum("no_period"),
        )
        .order_by()
    }
    waiting = {node: r["n"] for node, r in node_rows.items()}
    bands: dict[str, dict[str, int]] = {
        node: {
            Band.NEAR: r["near"],
            Band.OVERDUE: r["overdue"],
            Band.NONE: r["no_period"],
        }
        for node, r in node_rows.items()
    }
    unit_id = scope.unit.pk if scope.unit is not None else None
    for row in stale_facts(now, bureau_id=scope.bureau.pk, unit_id=unit_id):
        before = row["band"]
        after = Fact(**row).at(now).band
        counted = bands.setdefault(row["node"], {})
        if before in counted:
            counted[before] -= 1
        counted[after] = counted.get(after, 0) + 1
    nodes = []
    for value, label in Node.choices:
        n = waiting.get(value, 0)
        b = bands.get(value, {})
        overdue, near, none = b.get(Band.OVERDUE, 0), b.get(Band.NEAR, 0), b.get(Band.NONE, 0)
        nodes.append(
            {
                "key": value,
                "label": label,
                "n": n,
                Band.OK: max(n - overdue - near - none, 0),
                Band.NEAR: near,
                Band.OVERDUE: overdue,
                Band.NONE: none,
                "url": waiting_url(scope, node=value),
                "urls": {
                    band: waiting_url(scope, node=value, band=band)
                    for band in (Band.OK, Band.NEAR, Band.OVERDUE, Band.NONE)
                },
            }
        )
    band_totals = {
        band: sum(n[band] for n in nodes) for band in (Band.OK, Band.NEAR, Band.OVERDUE, Band.NONE)
    }

    # 6. findings by state and level: the active ones (every month's counter) and those closed
    # this month, from the counters supervision's changes move (the scope is that of the
    # findings list for these roles: the bureau's, or the unit's own).
    finding_rows = (
        scope.filter(FindingCount.objects.all())
        .filter(
            Q(status__in=ACTIVE_STATUSES, month=ACTIVE_MONTH)
            | Q(status=FindingStatus.CLOSED, month=periods.month)
        )
        .values("status", "level")
        .annotate(n=Sum("n"))
        .order_by()
    )
    counts = {(r["status"], r["level"]): r["n"] for r in finding_rows}
    findings_url = reverse("supervision:findings")
    findings = [
        {
            "status": status,
            "label": label,
            "levels": [
                {
                    "level": level,
                    "label": level_label,
                    "n": counts.get((status, level), 0),
                    "url": f"{findings_url}?{urlencode({'status': status, 'level': level})}",
                }
                for level, level_label in Level.choices
            ],
        }
        for status, label in FindingStatus.choices
        if status in ACTIVE_STATUSES or status == FindingStatus.CLOSED
    ]

    # 7. satisfaction of the follow-ups done in each period
    sat = scope.filter(SatisfactionCount.objects.filter(day__gte=periods.earliest)).aggregate(
        **_day_sums(periods, "satisfied", "yes_"),
        **_day_sums(periods, "dissatisfied", "no_"),
    )
    satisfaction = {}
    for p in PERIODS:
        yes, no = sat[f"yes_{p}"], sat[f"no_{p}"]
        satisfaction[p] = {
            "satisfied": yes,
            "dissatisfied": no,
            "rate": _rate(yes, yes + no),
        }

    # 8. the feed and 9. how many are waiting for an acknowledgement
    open_warnings = scope.filter(RiskWarning.objects.filter(acknowledged_at__isnull=True))
    feed = [
        {
            "id": w.pk,
            "kind": w.kind,
            "kind_label": WarningKind(w.kind).label,
            "summary": w.summary,
            "alert": w.alert.number if w.alert_id else "",
            "url": reverse("workflow:file", args=[w.alert_id]) if w.alert_id else "",
            "unit": w.unit.short_name or w.unit.name,
            "raised_at": timezone.localtime(w.raised_at).strftime("%m-%d %H:%M"),
        }
        for w in open_warnings.select_related("alert", "unit").order_by("-raised_at", "-pk")[
            :FEED_SIZE
        ]
    ]
    return {
        "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "scope": {"label": scope.label, "unit": scope.unit.pk if scope.unit else None},
        "periods": {
            p: {"from": periods.start(p).isoformat(), "label": PERIOD_LABELS[p]} for p in PERIODS
        },
        "totals": totals,
        "totals_urls": {p: alert_list_url(scope, periods, p) for p in PERIODS},
        "by_channel": by_channel,
        "by_group": by_group,
        "by_unit": by_unit,
        "on_spot": on_spot,
        "nodes": nodes,
        "bands": band_totals,
        "findings": findings,
        "satisfaction": satisfaction,
        "warnings": feed,
        "warnings_open": scope.filter(WarningCount.objects.all()).aggregate(n=Sum("n", default=0))[
            "n"
        ],
    }


def waiting_items(scope: Scope, *, node: str, band: str, now: dt.datetime) -> QuerySet[AlertFact]:
    """The alerts behind a node's figure (and band), most urgent first."""
    qs = scope.filter(AlertFact.objects.exclude(node=""))
    if node in Node.values:
        qs = qs.filter(node=node)
    if band == Band.OVERDUE:
        qs = qs.filter(due_at__lte=now)
    elif band == Band.NEAR:
        qs = qs.filter(warn_at__lte=now, due_at__gt=now)
    elif band == Band.NONE:
        qs = qs.filter(due_at__isnull=True)
    elif band == Band.OK:
        # As band_of: due later, and either no warning time or not reached yet.
        qs = qs.filter(Q(warn_at__isnull=True) | Q(warn_at__gt=now), due_at__gt=now)
    return qs.select_related("alert", "unit").order_by("due_at", "alert_id")


def band_of(fact: AlertFact, now: dt.datetime) -> str:
    if fact.due_at is None:
        return Band.NONE
    if fact.due_at <= now:
        return Band.OVERDUE
    if fact.warn_at is not None and fact.warn_at <= now:
        return Band.NEAR
    return Band.OK


def warning_for(user: Any, pk: int) -> RiskWarning:
    """One open or acknowledged warning inside the user's scope; 404 otherwise (Z3)."""
    scope = scope_for(user)
    return get_object_or_404(scope.filter(RiskWarning.objects.all()), pk=pk)


# --- display links of wall screens ---------------------------------------------------------------


def display_links(user: Any, *, now: dt.datetime | None = None) -> QuerySet[DisplayLink]:
    """The active display links of the issuer's bureau (whoever issued them), newest first."""
    now = now or timezone.now()
    bureau = bureau_of(user.unit)
    return (
        DisplayLink.objects.filter(bureau=bureau, revoked_at__isnull=True, expires_at__gt=now)
        .select_related("unit", "issued_by")
        .order_by("-issued_at", "-pk")
    )


def display_link_pending(token: str, *, now: dt.datetime | None = None) -> DisplayLink | None:
    """The link an unused opening token names, if it may still be opened."""
    link = DisplayLink.objects.filter(open_hash=display_digest(token)).first()
    return link if link is not None and link.is_active(now or timezone.now()) else None


def display_link_for(secret: str, *, now: dt.datetime | None = None) -> DisplayLink | None:
    """The active link whose screen holds ``secret`` (its cookie); None once revoked or expired."""
    if not secret:
        return None
    link = (
        DisplayLink.objects.filter(device_hash=display_digest(secret))
        .select_related("bureau", "unit")
        .first()
    )
    return link if link is not None and link.is_active(now or timezone.now()) else None


def display_scope(link: DisplayLink) -> Scope:
    return Scope(bureau=link.bureau, unit=link.unit)


# What a display link's screen may show of the feed: the kind, the alert's number, the unit and the
# time. A finding's summary is a reviewer's or a rule's free text (it may name a person), so only
# the feed's own generated text (bounces) is kept.
_DISPLAY_SUMMARY_KINDS = frozenset({WarningKind.BOUNCING})


def _without_links(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_links(v)
            for k, v in value.items()
            if k not in ("url", "urls", "totals_urls", "id")
        }
    if isinstance(value, list):
        return [_without_links(v) for v in value]
    return value


def display_figures(scope: Scope, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The figures of a wall screen opened by a display link: aggregates and the warning feed
    without personal data, and without a link to anything (no drill-down, no acknowledgement)."""
    f = _without_links(figures(None, scope, now=now))
    for w in f["warnings"]:
        if w["kind"] not in _DISPLAY_SUMMARY_KINDS:
            w["summary"] = ""
    return f  # type: ignore[no-any-return]
