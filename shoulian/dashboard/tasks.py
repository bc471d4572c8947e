"""Periodic work of the platform (Huey)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.core import context
from shoulian.dashboard.services import bands_advance, rollups_rederive, warnings_from_findings


# 19:40 UTC is 03:40 in Asia/Shanghai: after midnight's day boundary, before the 06:30 patrol.
@db_periodic_task(crontab(hour="19", minute="40"))
def nightly_rederive() -> int:
    """Re-derive the rollups from the source rows; journal the drift and repair it."""
    with context.acting(channel="worker"):
        return rollups_rederive(repair=True).total


@db_periodic_task(crontab(minute="*"))
def findings_to_feed() -> int:
    """Every minute: red and escalated findings the daily patrol and the escalation job wrote
    (those of a transition are in the feed with the transition itself)."""
    with context.acting(channel="worker"), transaction.atomic():
        return warnings_from_findings(at=timezone.now())


@db_periodic_task(crontab(minute="*"))
def bands_to_clock() -> int:
    """Every minute: the waiting items whose warning or due time passed move to 临期 / 超期 in
    the node counters (the platform adds those of the last minute when it reads)."""
    with context.acting(channel="worker"):
        return bands_advance()
