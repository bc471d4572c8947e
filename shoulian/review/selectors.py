"""Reads of the review work.

Two kinds: the period counts other apps build on (the weekly summary, the monthly bulletin, the
statistics page, assessment's campaign checklists) take a *bureau* and a half-open period
``[start, end)`` of aware datetimes and return querysets of the bureau's rows — the caller decides
who may see the figures; the pages' reads take the *user* and return only what it may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from shoulian.core import policy
from shoulian.intake.models import Alert
from shoulian.review.choices import EntryStatus, GuidanceStatus, ReviewLevel
from shoulian.review.models import (
    AvRecord,
    AvReview,
    Campaign,
    CampaignEntry,
    Checklist,
    Guidance,
    Review,
)
from shoulian.review.policy import READER_ROLES
from shoulian.supervision.choices import ACTIVE_STATUSES, FindingKind, FindingSource
from shoulian.supervision.models import Finding


# --- per bureau and period (for the bulletins helper, the statistics page, assessment) ------------
def reviews_in_period(bureau: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[Review]:
    """The bureau's reviews made in ``[start, end)``, each with ``.level``, ``.mode``,
    ``.channel``, ``.result``, ``.alert`` (selected), ``.unit`` and ``.finding`` (None when no
    problem was found)."""
    return (
        Review.objects.filter(bureau=bureau, reviewed_at__gte=start, reviewed_at__lt=end)
        .select_related("alert", "unit", "finding")
        .order_by("reviewed_at", "pk")
    )


def av_records_in_period(bureau: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[AvRecord]:
    """AV records registered in ``[start, end)``."""
    return (
        AvRecord.objects.filter(bureau=bureau, registered_at__gte=start, registered_at__lt=end)
        .select_related("alert", "unit")
        .order_by("registered_at", "pk")
    )


def av_reviews_in_period(bureau: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[AvReview]:
    """Reviews of AV records made in ``[start, end)`` (``.result``, ``.issues``, ``.level``,
    ``.av_record``, ``.alert``, ``.finding``). "AV records reviewed" of a period is
    ``.values("av_record").distinct().count()``."""
    return (
        AvReview.objects.filter(bureau=bureau, reviewed_at__gte=start, reviewed_at__lt=end)
        .select_related("av_record", "alert", "unit", "finding")
        .order_by("reviewed_at", "pk")
    )


def guidance_in_period(bureau: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[Guidance]:
    """Guidance the legal brigade answered in ``[start, end)`` (the 精准指导 of the period, with
    ``.nature``, ``.legal_basis``, ``.evidence_to_collect``, ``.case_title``, ``.alert``)."""
    return (
        Guidance.objects.filter(
            bureau=bureau,
            status=GuidanceStatus.ANSWERED,
            answered_at__gte=start,
            answered_at__lt=end,
        )
        .select_related("alert", "unit")
        .order_by("answered_at", "pk")
    )


# --- per user (the pages) -------------------------------------------------------------------------
def _through_alert(user: Any, model: Any) -> QuerySet[Any]:
    """Rows about the alerts the user may see *now* (Z3): the alert's scope, not the unit stored
    on the row when it was written, so that after a transfer the new unit reads the alert's
    review history and the old one no longer does; the roles are the model's view rule."""
    if not policy.allows(user, model, "view"):
        return model.objects.none()
    return model.objects.filter(alert__in=Alert.objects.visible_to(user).values("pk"))


def reviews_of_alert(user: Any, alert: Any) -> QuerySet[Review]:
    return (
        _through_alert(user, Review)
        .filter(alert=alert)
        .select_related("reviewer", "reviewer_unit", "finding")
        .order_by("-reviewed_at", "-pk")
    )


def av_records_of_alert(user: Any, alert: Any) -> QuerySet[AvRecord]:
    return (
        _through_alert(user, AvRecord)
        .filter(alert=alert)
        .select_related("evidence_file", "registered_by")
        .prefetch_related("reviews", "reviews__reviewer")
        .order_by("recorded_at", "pk")
    )


def guidance_of_alert(user: Any, alert: Any) -> QuerySet[Guidance]:
    return (
        _through_alert(user, Guidance)
        .filter(alert=alert)
        .select_related("asked_by", "answered_by")
        .order_by("-asked_at", "-pk")
    )


# --- the work lists ---------------------------------------------------------------------------------
PATROL_DAYS = 7
UNIT_DAYS = 30
QUEUE_DAYS = 30
LIST_LIMIT = 200


@dataclass
class WorkList:
    """What a reviewer's list shows: alerts due for a look at its level, and what else waits."""

    due: list[Alert]
    raised: list[Finding] = field(default_factory=list)
    guidance: list[Guidance] = field(default_factory=list)
    recent: list[Review] = field(default_factory=list)
    since: dt.datetime | None = None


def _not_reviewed(qs: QuerySet[Alert], level: str) -> QuerySet[Alert]:
    return qs.annotate(
        reviewed=Exists(Review.objects.filter(alert=OuterRef("pk"), level=level))
    ).filter(reviewed=False)


def _alerts(user: Any) -> QuerySet[Alert]:
    return Alert.objects.visible_to(user).select_related(
        "category", "handling_unit", "registering_unit"
    )


def center_patrol(user: Any, now: dt.datetime | None = None) -> WorkList:
    """The center's daily patrol (日常巡查): what the rules raised in the last days (still open),
    and the 违法犯罪类 (case-type) alerts of those days that no one at the center has looked at."""
    since = (now or timezone.now()) - dt.timedelta(days=PATROL_DAYS)
    raised = list(
        Finding.objects.visible_to(user)
        .filter(
            kind=FindingKind.FINDING,
            source=FindingSource.PATROL,
            status__in=ACTIVE_STATUSES,
            opened_at__gte=since,
        )
        .select_related("unit", "officer", "alert")
        .order_by("-opened_at", "-pk")[:LIST_LIMIT]
    )
    due = _not_reviewed(
        _alerts(user).filter(is_case_type=True, registered_at__gte=since), ReviewLevel.CENTER
    ).order_by("registered_at", "pk")[:LIST_LIMIT]
    recent = (
        Review.objects.visible_to(user)
        .filter(level=ReviewLevel.CENTER, reviewed_at__gte=since)
        .select_related("alert", "reviewer", "finding")
        .order_by("-reviewed_at", "-pk")[:50]
    )
    return WorkList(due=list(due), raised=raised, recent=list(recent), since=since)


def unit_first_level(user: Any, now: dt.datetime | None = None) -> WorkList:
    """The station legal officer's first-level list (源头治理): its own unit's alerts of the last
    month not yet reviewed at the unit level, and the unit's recent first-level reviews."""
    since = (now or timezone.now()) - dt.timedelta(days=UNIT_DAYS)
    due = _not_reviewed(
        _alerts(user).filter(
            handling_unit__path__startswith=user.unit.path, registered_at__gte=since
        ),
        ReviewLevel.UNIT,
    ).order_by("registered_at", "pk")[:LIST_LIMIT]
    recent = (
        Review.objects.visible_to(user)
        .filter(level=ReviewLevel.UNIT, reviewed_at__gte=since)
        .select_related("alert", "reviewer", "finding")
        .order_by("-reviewed_at", "-pk")[:50]
    )
    return WorkList(due=list(due), recent=list(recent), since=since)


def legal_queue(user: Any, now: dt.datetime | None = None) -> WorkList:
    """The legal brigade's queue: guidance waiting for its answer, and the alerts of categories
    the brigade must review before the decision (2015 意见: economic-crime and dispute-prone
    cases) that it has not reviewed yet."""
    since = (now or timezone.now()) - dt.timedelta(days=QUEUE_DAYS)
    guidance = list(
        Guidance.objects.visible_to(user)
        .filter(status=GuidanceStatus.PENDING)
        .select_related("alert", "asked_by", "unit")
        .order_by("asked_at", "pk")
    )
    due = _not_reviewed(
        _alerts(user).filter(category__requires_legal_review=True, registered_at__gte=since),
        ReviewLevel.LEGAL_BRIGADE,
    ).order_by("registered_at", "pk")[:LIST_LIMIT]
    recent = (
        Review.objects.visible_to(user)
        .filter(level=ReviewLevel.LEGAL_BRIGADE, reviewed_at__gte=since)
        .select_related("alert", "reviewer", "finding")
        .order_by("-reviewed_at", "-pk")[:50]
    )
    return WorkList(due=list(due), guidance=guidance, recent=list(recent), since=since)


def alert_for(user: Any, pk: int) -> Alert:
    """One alert the user may see (Z3: another unit's is a 404 like a missing one)."""
    return get_object_or_404(_alerts(user), pk=pk)


def av_record_for(user: Any, pk: int) -> AvRecord:
    return get_object_or_404(
        _through_alert(user, AvRecord).select_related("alert", "evidence_file"), pk=pk
    )


def campaign_results(bureau: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[CampaignEntry]:
    """The bureau's campaign alerts scored in ``[start, end)``: one row per alert per campaign
    with ``.total_points``, ``.deducted``, ``.score``, ``.unit`` (the unit answerable when the
    sample was drawn), ``.alert``, ``.campaign`` (``.kind``, ``.title``, ``.checklist``) and
    ``.scores`` (prefetched ``CampaignScore`` rows: ``.item`` with ``.code``, ``.text``,
    ``.points``, ``.legal_basis``; ``.passed``, ``.deducted``, ``.note``)."""
    return (
        CampaignEntry.objects.filter(
            campaign__bureau=bureau,
            status=EntryStatus.SCORED,
            scored_at__gte=start,
            scored_at__lt=end,
        )
        .select_related("alert", "unit", "campaign", "campaign__checklist", "review")
        .prefetch_related("scores", "scores__item")
        .order_by("scored_at", "pk")
    )


def campaign_review_ids(review_ids: Iterable[int]) -> set[int]:
    """Those of ``review_ids`` that scored an alert of a 专项评查 campaign: the campaign's failed
    checklist items are what the 考核办法 charges, not the finding the score raised as well."""
    return set(
        Review.objects.filter(pk__in=list(review_ids), campaign__isnull=False).values_list(
            "pk", flat=True
        )
    )


def checklist_versions(bureau: Any, code: str = "acceptance_filing") -> QuerySet[Checklist]:
    """The bureau's own versions of a checklist, newest first, then the seeded default's."""
    return (
        Checklist.objects.filter(code=code)
        .filter(Q(bureau=bureau) | Q(bureau__isnull=True))
        .select_related("created_by")
        .prefetch_related("items")
        .order_by(F("bureau").desc(nulls_last=True), "-effective_from", "-version")
    )


def campaigns(user: Any) -> QuerySet[Campaign]:
    return (
        Campaign.objects.visible_to(user)
        .select_related("checklist", "created_by")
        .annotate(
            sampled=Count("entries", distinct=True),
            scored=Count("entries", filter=Q(entries__status=EntryStatus.SCORED), distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def campaign_for(user: Any, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.visible_to(user).select_related("checklist", "bureau", "created_by"),
        pk=pk,
    )


def campaign_entries(user: Any, campaign: Campaign) -> QuerySet[CampaignEntry]:
    return (
        CampaignEntry.objects.filter(campaign=campaign)
        .select_related("alert", "alert__category", "unit", "reviewer", "review__finding")
        .order_by("position")
    )


def campaign_entry_for(user: Any, pk: int) -> CampaignEntry:
    """A sample alert of a campaign the user may see (the campaign is the bureau's)."""
    return get_object_or_404(
        CampaignEntry.objects.filter(campaign__in=Campaign.objects.visible_to(user)).select_related(
            "campaign", "campaign__checklist", "alert", "alert__category", "unit", "reviewer"
        ),
        pk=pk,
    )


def guidance_for(user: Any, pk: int) -> Guidance:
    return get_object_or_404(
        _through_alert(user, Guidance).select_related(
            "alert", "alert__category", "alert__registering_unit", "alert__handling_unit",
            "asked_by", "answered_by", "unit",
        ),
        pk=pk,
    )  # fmt: skip


def guidance_cases(user: Any, q: str = "") -> QuerySet[Guidance]:
    """案例公开: the answered guidance of the user's bureau, for every reader role of the bureau
    (not only the asking unit's): the case title, nature, legal basis and evidence — never the
    question, which may name people."""
    roles = set(getattr(user, "role_set", ()) or ())
    if not roles & set(READER_ROLES) or user.unit is None:
        return Guidance.objects.none()
    qs = Guidance.objects.filter(
        bureau=user.unit.bureau(), status=GuidanceStatus.ANSWERED
    ).select_related("alert", "alert__category", "unit")
    if q:
        qs = qs.filter(
            Q(case_title__icontains=q)
            | Q(nature__icontains=q)
            | Q(legal_basis__icontains=q)
            | Q(evidence_to_collect__icontains=q)
            | Q(alert__category__name__icontains=q)
        )
    return qs.order_by("-answered_at", "-pk")
