"""Reads of assessment, narrowed to what the user may see (``visible_to``). Cards, rankings and
the export come from one computation (``cards.py``) over the visible ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.assessment import cards, scoring
from shoulian.assessment.cards import Card, Line
from shoulian.assessment.choices import ChallengeStatus, Subject
from shoulian.assessment.models import (
    Challenge,
    Interview,
    Referral,
    Scheme,
    ScoreEntry,
)
from shoulian.assessment.periods import Period
from shoulian.assessment.policy import RANKING_READERS
from shoulian.assessment.versions import Chain
from shoulian.core import versioning
from shoulian.core.scoping import ScopeDomain, covers
from shoulian.deadlines.versions import legal_date
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit

# Units that handle alerts and so are assessed.
ASSESSED_KINDS = (
    UnitKind.CENTER,
    UnitKind.STATION,
    UnitKind.CRIMINAL_BRIGADE,
    UnitKind.ECONOMIC_BRIGADE,
    UnitKind.PUBLIC_ORDER_BRIGADE,
    UnitKind.OTHER,
)
TREND_LENGTH = 6


def is_ranking_reader(user: Any) -> bool:
    return bool(getattr(user, "has_role", None) and user.has_role(*RANKING_READERS))


def bureau_of(user: Any) -> Unit:
    unit: Unit = user.unit
    return unit.bureau()


def assessed_units(bureau: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            path__startswith=bureau.path, kind__in=ASSESSED_KINDS, is_active=True
        ).order_by("path")
    )


def assessed_officers(units: list[Unit]) -> list[User]:
    return list(
        User.objects.filter(unit__in=units, roles__role=Role.OFFICER, is_active=True)
        .select_related("unit")
        .distinct()
        .order_by("unit__path", "full_name")
    )


def _lines(bureau: Unit, months: list[dt.date]) -> list[Line]:
    rows = ScoreEntry.objects.filter(bureau=bureau, period__in=months).only(
        "subject", "unit_id", "officer_id", "period", "fact_key", "item_kind", "alert_id", "points"
    )
    return [Line.of(e) for e in rows]


@dataclass
class Rankings:
    period: Period
    units: list[Card] = field(default_factory=list)
    officers: list[Card] = field(default_factory=list)


def compute_rankings(
    bureau: Unit, period: Period, *, extra: list[Line] | None = None, chain: Chain | None = None
) -> Rankings:
    """Every assessed unit's and officer's card of the bureau, ranked (the whole bureau: callers
    decide what the user may see of it)."""
    today = legal_date(timezone.now())
    chain = chain or Chain(bureau.pk)
    months = cards.months_so_far(period, today)
    lines = _lines(bureau, months) + list(extra or [])
    units = assessed_units(bureau)
    officers = assessed_officers(units)
    unit_cards = cards.cards(
        lines, subject=Subject.UNIT, keys=[u.pk for u in units], period=period, chain=chain,
        today=today,
    )  # fmt: skip
    officer_cards = cards.cards(
        lines, subject=Subject.OFFICER, keys=[o.pk for o in officers], period=period,
        chain=chain, today=today,
    )  # fmt: skip
    for unit in units:
        unit_cards[unit.pk].name = unit.name
        unit_cards[unit.pk].unit_name = unit.name
    for officer in officers:
        officer_cards[officer.pk].name = officer.full_name
        officer_cards[officer.pk].unit_name = officer.unit.name if officer.unit else ""
    return Rankings(period, cards.ranked(unit_cards.values()), cards.ranked(officer_cards.values()))


def trends(bureau: Unit, period: Period, subject: str, keys: list[int]) -> dict[int, list[Any]]:
    """The score of each unit or officer over the last periods (oldest first)."""
    today = legal_date(timezone.now())
    chain = Chain(bureau.pk)
    periods = [period.previous(n) for n in range(TREND_LENGTH - 1, -1, -1)]
    months = sorted({m for p in periods for m in cards.months_so_far(p, today)})
    lines = _lines(bureau, months)
    result: dict[int, list[Any]] = {k: [] for k in keys}
    for p in periods:
        computed = cards.cards(
            lines, subject=subject, keys=keys, period=p, chain=chain, today=today
        )
        for key in keys:
            result[key].append((p, computed[key].score))
    return result


# --- single cards, scoped ---------------------------------------------------------------------
def unit_for_card(user: Any, pk: int) -> Unit:
    """A unit whose card ``user`` may open: any of the bureau's for the ranking readers, the own
    unit for its staff (Z3: another is a 404)."""
    unit = Unit.objects.filter(pk=pk, kind__in=ASSESSED_KINDS).first()
    if unit is None:
        raise Http404
    if is_ranking_reader(user) and covers(user, unit, ScopeDomain.CONTENT):
        return unit
    if user.unit_id == unit.pk and not user.has_role(Role.ADMIN):
        return unit
    raise Http404


def officer_for_card(user: Any, pk: int) -> User:
    officer = User.objects.select_related("unit").filter(pk=pk).first()
    if officer is None or officer.unit is None:
        raise Http404
    if officer.pk == user.pk and user.role_set - {Role.ADMIN}:
        return officer
    if is_ranking_reader(user) and covers(user, officer.unit, ScopeDomain.CONTENT):
        return officer
    if user.unit_id == officer.unit_id and user.has_role(Role.LEADER, Role.LEGAL_OFFICER):
        return officer
    raise Http404


def card_entries(user: Any, *, subject: str, key: int, period: Period) -> QuerySet[ScoreEntry]:
    start, end = period.start, period.end
    qs = ScoreEntry.objects.visible_to(user).filter(
        subject=subject, period__gte=start, period__lt=end
    )
    qs = qs.filter(officer_id=key) if subject == Subject.OFFICER else qs.filter(unit_id=key)
    return (
        qs.select_related("finding", "alert", "scheme", "reverses")
        .prefetch_related(Prefetch("challenge", queryset=Challenge.objects.all()))
        .order_by("-occurred_at", "-id")
    )


def card_for(user: Any, *, subject: str, key: int, period: Period) -> Card:
    bureau = bureau_of(user)
    today = legal_date(timezone.now())
    months = cards.months_so_far(period, today)
    lines = [
        Line.of(e)
        for e in ScoreEntry.objects.visible_to(user).filter(
            bureau=bureau, subject=subject, period__in=months
        )
    ]
    return cards.cards(
        lines, subject=subject, keys=[key], period=period, chain=Chain(bureau.pk), today=today
    )[key]


def rank_of(rankings: list[Card], key: int) -> tuple[int, int]:
    for card in rankings:
        if card.key == key:
            return card.rank, len(rankings)
    return 0, len(rankings)


def entry_for_detail(user: Any, pk: int) -> ScoreEntry:
    entry = (
        ScoreEntry.objects.visible_to(user)
        .select_related("finding", "alert", "scheme", "unit", "officer", "deadline", "reverses")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def challenges(user: Any, *, pending_only: bool = False) -> QuerySet[Challenge]:
    qs = Challenge.objects.visible_to(user).select_related(
        "entry", "entry__unit", "entry__officer", "filed_by", "answered_by"
    )
    if pending_only:
        qs = qs.filter(status=ChallengeStatus.PENDING)
    return qs


# --- the 考核办法 ---------------------------------------------------------------------------------
def schemes(user: Any) -> list[Scheme]:
    bureau = bureau_of(user)
    return list(
        versioning.chain(Scheme, bureau.pk).select_related("created_by", "published_by").reverse()
    )


def scheme_for(user: Any, pk: int) -> Scheme:
    bureau = bureau_of(user)
    scheme = versioning.chain(Scheme, bureau.pk).filter(pk=pk).first()
    if scheme is None:
        raise Http404
    return scheme


@dataclass
class Replay:
    period: Period
    scheme: Scheme
    plans: list[scoring.Planned]
    before: Any
    after: Any
    rows: list[tuple[Card, Card, Any]]


def replay(user: Any, scheme: Scheme, period: Period) -> Replay:
    """What publishing ``scheme`` would change in ``period``: the adjustments and every unit's
    and officer's card before and after (the same computation as the pages)."""
    bureau = bureau_of(user)
    start, end = period.bounds()
    now = timezone.now()
    found = scoring.facts(bureau, until=min(end, now), since=start)
    chain = Chain(bureau.pk, candidate=scheme)
    plans = scoring.plan_replay(bureau, found, chain)
    extra = [
        Line(p.subject, p.fact.unit_id, p.fact.officer_id if p.subject == Subject.OFFICER else None,
             p.period, p.fact.key, p.item.get("kind", p.fact.kind), p.fact.alert_id, p.points)
        for p in plans
    ]  # fmt: skip
    before = compute_rankings(bureau, period)
    after = compute_rankings(bureau, period, extra=extra, chain=chain)
    after_units = {c.key: c for c in after.units}
    after_officers = {c.key: c for c in after.officers}
    rows = [(c, after_units[c.key]) for c in before.units] + [
        (c, after_officers[c.key]) for c in before.officers
    ]
    changed = [(b, a, a.score - b.score) for b, a in rows if a.score != b.score]
    return Replay(period, scheme, plans, before, after, changed)


# --- accountability -------------------------------------------------------------------------------
def interviews(user: Any) -> QuerySet[Interview]:
    return Interview.objects.visible_to(user).select_related("unit", "interviewee", "interviewer")


def referrals(user: Any) -> QuerySet[Referral]:
    return Referral.objects.visible_to(user).select_related("unit", "officer", "referred_by")
