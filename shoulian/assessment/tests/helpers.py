"""Test data for assessment, made through the services: alerts left to age at a unit, the
patrol's findings on them, then the scoring run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shoulian.assessment.choices import Subject
from shoulian.assessment.models import ScoreEntry
from shoulian.assessment.services import score_bureau
from shoulian.supervision.models import Finding
from shoulian.supervision.tests.helpers import aged_alert, patrol

TZ = timezone.get_default_timezone()


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def neglected_alert(clerk: Any, officer: Any, *, days: float = 10, receipt: bool = True) -> Any:
    """An alert in handling at the officer's unit for ``days``: its 3-day 立案审查 is overdue."""
    return aged_alert(clerk, officer, days=days, receipt=receipt)


def patrol_and_score(bureau: Any, now: dt.datetime | None = None) -> Any:
    now = now or timezone.now()
    patrol(bureau, now=now)
    return score_bureau(bureau=bureau, now=now)


def net(**filters: Any) -> Decimal:
    return sum((e.points for e in ScoreEntry.objects.filter(**filters)), Decimal("0"))


def officer_entries(officer: Any) -> list[ScoreEntry]:
    return list(ScoreEntry.objects.filter(subject=Subject.OFFICER, officer=officer).order_by("pk"))


def findings(**filters: Any) -> list[Finding]:
    return list(Finding.objects.filter(**filters).order_by("pk"))
