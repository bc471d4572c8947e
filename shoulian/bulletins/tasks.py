"""Periodic bulletins (Huey): the Monday 周汇总 and the monthly draft."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.bulletins.choices import BulletinKind
from shoulian.bulletins.models import Bulletin
from shoulian.bulletins.services import bulletin_draft, weekly_summary_write
from shoulian.bulletins.stats import Period
from shoulian.core import context
from shoulian.deadlines.versions import legal_date
from shoulian.supervision.services.patrol import bureaus

log = logging.getLogger(__name__)


def write_weekly_summaries(now: dt.datetime | None = None) -> int:
    """The summary of the week before the current Beijing week, for every bureau (idempotent)."""
    now = now or timezone.now()
    week = Period.week_of(legal_date(now) - dt.timedelta(days=7))
    written = 0
    with context.acting(channel="worker"):
        for bureau in bureaus():
            try:
                weekly_summary_write(bureau=bureau, week=week, now=now)
                written += 1
            except Exception:
                # One bureau's failure must not stop the others; the next run catches up.
                log.exception("weekly summary failed for bureau %s", bureau.code)
    return written


def draft_monthly_bulletins(now: dt.datetime | None = None) -> int:
    """The draft 月通报 of the previous Beijing month, for every bureau that has none yet."""
    now = now or timezone.now()
    month = Period.month_of(legal_date(now).replace(day=1) - dt.timedelta(days=1))
    drafted = 0
    with context.acting(channel="worker"):
        for bureau in bureaus():
            if Bulletin.objects.filter(
                bureau=bureau, kind=BulletinKind.MONTHLY, period_start=month.start
            ).exists():
                continue
            try:
                bulletin_draft(actor=None, bureau=bureau, month=month.start, now=now)
                drafted += 1
            except Exception:
                log.exception("monthly bulletin draft failed for bureau %s", bureau.code)
    return drafted


# Sunday 23:30 UTC is Monday 07:30 in Asia/Shanghai, after the daily patrol (06:30) and scoring
# (07:00): the summary counts the week those jobs closed.
@db_periodic_task(crontab(day_of_week="0", hour="23", minute="30"))
def weekly_summaries() -> int:
    return write_weekly_summaries()


# Every morning at 07:40 Beijing time; a draft exists once per month, so only the first run of a
# month drafts (and a missed first day is caught up the next).
@db_periodic_task(crontab(hour="23", minute="40"))
def monthly_drafts() -> int:
    return draft_monthly_bulletins()
