"""The review demo (on the small demo): recordings with reviews, reviews at the levels, one closed
专项评查 with scores and a finding, guidance with one still waiting; idempotent."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings

from shoulian.review.choices import CampaignStatus, EntryStatus, GuidanceStatus
from shoulian.review.models import AvRecord, AvReview, Campaign, Guidance, Review

pytestmark = pytest.mark.django_db


@override_settings(DEMO_MODE=True)
def test_demo_review_work(small_demo: None, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 8, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "review: 评查" in out.getvalue(), out.getvalue()
    assert AvRecord.objects.exists() and AvReview.objects.exists()
    assert len(set(Review.objects.values_list("level", flat=True))) >= 2
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.CLOSED and campaign.seed == "demo-2026-special-1"
    entries = list(campaign.entries.all())
    assert entries and all(e.status == EntryStatus.SCORED for e in entries)
    assert any(e.review is not None and e.review.finding_id for e in entries)
    statuses = sorted(Guidance.objects.values_list("status", flat=True))
    assert statuses.count(GuidanceStatus.PENDING) == 1 and GuidanceStatus.ANSWERED in statuses
    counts = (Review.objects.count(), AvRecord.objects.count(), Guidance.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Review.objects.count(), AvRecord.objects.count(), Guidance.objects.count()) == counts
