from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from shoulian.assessment.choices import ChallengeStatus, EntryKind
from shoulian.assessment.models import Challenge, Interview, Referral, ScoreEntry

pytestmark = pytest.mark.django_db


@pytest.mark.long
@override_settings(DEMO_MODE=True)
def test_demo_scores_the_demo_months_with_challenges_both_ways_an_interview_and_a_referral(
    small_demo: None,
) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "assessment: 考评记分" in out.getvalue(), out.getvalue()
    entries = ScoreEntry.objects.all()
    assert entries.values("period").distinct().count() >= 3
    statuses = set(Challenge.objects.values_list("status", flat=True))
    assert {ChallengeStatus.UPHELD, ChallengeStatus.REJECTED} <= statuses
    reversals = entries.filter(kind=EntryKind.REVERSAL).count()
    assert reversals == Challenge.objects.filter(status=ChallengeStatus.UPHELD).count()
    assert Interview.objects.count() == 1 and Referral.objects.count() == 1
    # Idempotent.
    count = entries.count()
    call_command("seed_demo", stdout=StringIO())
    assert ScoreEntry.objects.count() == count
