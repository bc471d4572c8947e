"""Reads of the review work.

Two kinds: the period counts other apps build on (the weekly summary, the monthly bulletin, the
statistics page, assessment's campaign checklists) take a *bureau* and a half-open period
``[start, end)`` of aware datetimes and return querysets of the bureau's rows — the caller decides
who may see the figures; the pages' reads take the *user* and return only what it may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from shoulian.review.choices import GuidanceStatus
from shoulian.review.models import AvRecord, AvReview, Guidance, Review


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
def reviews_of_alert(user: Any, alert: Any) -> QuerySet[Review]:
    return (
        Review.objects.visible_to(user)
        .filter(alert=alert)
        .select_related("reviewer", "reviewer_unit", "finding")
        .order_by("-reviewed_at", "-pk")
    )


def av_records_of_alert(user: Any, alert: Any) -> QuerySet[AvRecord]:
    return (
        AvRecord.objects.visible_to(user)
        .filter(alert=alert)
        .select_related("evidence_file", "registered_by")
        .prefetch_related("reviews", "reviews__reviewer")
        .order_by("recorded_at", "pk")
    )


def guidance_of_alert(user: Any, alert: Any) -> QuerySet[Guidance]:
    return (
        Guidance.objects.visible_to(user)
        .filter(alert=alert)
        .select_related("asked_by", "answered_by")
        .order_by("-asked_at", "-pk")
    )
