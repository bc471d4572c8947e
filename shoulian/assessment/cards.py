"""Score cards computed from the ledger: 100 points a month, less the deductions (each alert's
capped at the version's per-alert cap, the month's at the per-period cap), plus the bonuses (capped
too); a quarter's and a year's score are the mean of their months so far. Pages, rankings, the
replay preview and the XLSX export all read this one computation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shoulian.assessment.choices import FULL_SCORE, ItemKind, Subject
from shoulian.assessment.models import Scheme
from shoulian.assessment.periods import Period, add_months
from shoulian.assessment.versions import Chain

ZERO = Decimal("0")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Line:
    """What the card needs of a ledger entry (a stored one or a planned one)."""

    subject: str
    unit_id: int
    officer_id: int | None
    period: dt.date
    fact_key: str
    item_kind: str
    alert_id: int | None
    points: Decimal

    @classmethod
    def of(cls, entry: Any) -> Line:
        return cls(
            entry.subject,
            entry.unit_id,
            entry.officer_id,
            entry.period,
            entry.fact_key,
            entry.item_kind,
            entry.alert_id,
            entry.points,
        )


@dataclass
class MonthScore:
    month: dt.date
    deduction: Decimal = ZERO
    bonus: Decimal = ZERO
    raw_deduction: Decimal = ZERO
    score: Decimal = Decimal(FULL_SCORE)


@dataclass
class Card:
    subject: str
    key: int  # the unit's or the officer's id
    period: Period
    months: list[MonthScore] = field(default_factory=list)
    score: Decimal = Decimal(FULL_SCORE)
    deduction: Decimal = ZERO
    bonus: Decimal = ZERO
    rank: int = 0
    name: str = ""
    unit_name: str = ""


def _q(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def month_score(month: dt.date, lines: Iterable[Line], scheme: Scheme | None) -> MonthScore:
    net: dict[str, Decimal] = defaultdict(lambda: ZERO)
    alert_of: dict[str, int | None] = {}
    bonus_keys: set[str] = set()
    for line in lines:
        net[line.fact_key] += line.points
        alert_of.setdefault(line.fact_key, line.alert_id)
        if line.item_kind == ItemKind.BONUS:
            bonus_keys.add(line.fact_key)
    per_alert: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    loose = ZERO
    bonus = ZERO
    for key, value in net.items():
        if key in bonus_keys:
            bonus += max(value, ZERO)
            continue
        deducted = max(-value, ZERO)
        alert = alert_of.get(key)
        if alert is None:
            loose += deducted
        else:
            per_alert[alert] += deducted
    raw = loose + sum(per_alert.values(), ZERO)
    alert_cap = scheme.alert_cap if scheme is not None else None
    if alert_cap is not None:
        capped = loose + sum((min(v, alert_cap) for v in per_alert.values()), ZERO)
    else:
        capped = raw
    if scheme is not None and scheme.period_cap is not None:
        capped = min(capped, scheme.period_cap)
    if scheme is not None:
        bonus = min(bonus, scheme.bonus_cap)
    score = max(Decimal(FULL_SCORE) - capped, ZERO) + bonus
    return MonthScore(month, _q(capped), _q(bonus), _q(raw), _q(score))


def months_so_far(period: Period, today: dt.date) -> list[dt.date]:
    """The months of ``period`` that have begun (a quarter in progress counts its months so far;
    a period entirely in the future counts its first month)."""
    months = [m for m in period.months if m <= today]
    return months or period.months[:1]


def caps_scheme(chain: Chain, month: dt.date, today: dt.date) -> Scheme | None:
    """The version whose caps apply to a month: the one in force on its last day (today for the
    month in progress)."""
    last = add_months(month, 1) - dt.timedelta(days=1)
    return chain.on(min(last, today))


def cards(
    lines: Iterable[Line],
    *,
    subject: str,
    keys: Iterable[int],
    period: Period,
    chain: Chain,
    today: dt.date,
) -> dict[int, Card]:
    """A card per unit (``subject`` UNIT) or officer for ``period``, from ``lines``."""
    months = months_so_far(period, today)
    by_key_month: dict[tuple[int, dt.date], list[Line]] = defaultdict(list)
    for line in lines:
        if line.subject != subject or line.period not in months:
            continue
        key = line.officer_id if subject == Subject.OFFICER else line.unit_id
        if key is not None:
            by_key_month[(key, line.period)].append(line)
    schemes = {m: caps_scheme(chain, m, today) for m in months}
    result = {}
    for key in keys:
        card = Card(subject, key, period)
        for month in months:
            card.months.append(
                month_score(month, by_key_month.get((key, month), []), schemes[month])
            )
        card.deduction = _q(sum((m.deduction for m in card.months), ZERO))
        card.bonus = _q(sum((m.bonus for m in card.months), ZERO))
        card.score = _q(sum((m.score for m in card.months), ZERO) / len(card.months))
        result[key] = card
    return result


def ranked(items: Iterable[Card]) -> list[Card]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4)."""
    rows = sorted(items, key=lambda c: (-c.score, c.name))
    previous: Decimal | None = None
    for position, card in enumerate(rows, start=1):
        if card.score != previous:
            card.rank = position
            previous = card.score
        else:
            card.rank = rows[position - 2].rank
    return rows
