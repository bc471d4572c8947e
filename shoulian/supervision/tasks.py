"""Periodic patrol work (Huey)."""

from __future__ import annotations

import logging

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.core import context
from shoulian.supervision.services import evaluate, patrol_run
from shoulian.supervision.services.patrol import bureaus, clock_driven_codes

log = logging.getLogger(__name__)


# 22:30 UTC is 06:30 in Asia/Shanghai: the day's findings are in the inboxes before work starts.
@db_periodic_task(crontab(hour="22", minute="30"))
def daily_patrol() -> int:
    """日巡查: every rule over every alert of every bureau, one run record per bureau."""
    opened = 0
    with context.acting(channel="worker"):
        for bureau in bureaus():
            try:
                opened += patrol_run(bureau=bureau).opened
            except Exception:
                # One bureau's failure (its run record says why) must not stop the others.
                log.exception("daily patrol failed for bureau %s", bureau.code)
    return opened


@db_periodic_task(crontab(minute="*/15"))
def watch_deadline_bands() -> int:
    """Every 15 minutes: the rules whose hits change with the clock (a deadline passing 50 %,
    80 % or 100 % of its period, a rectification running out) for every bureau."""
    changed = 0
    codes = clock_driven_codes()
    with context.acting(channel="worker"):
        for bureau in bureaus():
            try:
                with transaction.atomic():
                    stats = evaluate(bureau=bureau, codes=codes)
            except Exception:
                # One bureau's failure must not stop the others; the next tick tries again.
                log.exception("deadline band watch failed for bureau %s", bureau.code)
                continue
            changed += stats.opened + stats.raised + stats.cleared + stats.escalated
    return changed
