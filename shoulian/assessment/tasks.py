"""Periodic scoring (Huey)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.assessment.services import score_bureau
from shoulian.core import context
from shoulian.supervision.services.patrol import bureaus

log = logging.getLogger(__name__)


# 23:00 UTC is 07:00 in Asia/Shanghai, half an hour after the daily patrol (06:30): its findings
# are scored the same morning, and the challenge periods that ran out at midnight are closed.
@db_periodic_task(crontab(hour="23", minute="0"))
def nightly_scoring() -> int:
    posted = 0
    with context.acting(channel="worker"):
        for bureau in bureaus():
            try:
                posted += score_bureau(bureau=bureau).posted
            except Exception:
                # One bureau's failure must not stop the others; the next run catches up.
                log.exception("assessment scoring failed for bureau %s", bureau.code)
    return posted
