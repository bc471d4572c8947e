"""Periodic journal work.

``seal_journal`` every minute is the safety net that guarantees a signed checkpoint even when no
sealer loop runs (small installations); the ``audit_sealer`` command keeps the lag under two
seconds where that matters. ``verify_journal`` re-checks the whole journal nightly and leaves a
JOURNAL_VERIFIED event whose outcome drives the "broken" badge.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.audit import sealer, signing, verify
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.core import context

log = logging.getLogger(__name__)


# The highest priority of the queue: sealing never waits behind SMS work (issue 13 §5).
@db_periodic_task(crontab(minute="*"), priority=100)  # type: ignore[untyped-decorator]
def seal_journal() -> int:
    with context.acting(channel="worker"):
        try:
            return sealer.seal_all().sealed
        except signing.SigningKeyMissing as exc:
            log.error("audit journal not sealed: %s", exc)
            return 0
        except sealer.SealerRefused as exc:
            log.error("audit sealer refused: %s", exc)
            record(EventType.SEALER_REFUSED, outcome=Outcome.FAILURE, data={"reason": str(exc)})
            return 0


@db_periodic_task(crontab(minute="17", hour="3"))  # type: ignore[untyped-decorator]
def verify_journal() -> bool:
    with context.acting(channel="worker"):
        # One process: Huey runs tasks in worker threads, and forking a threaded process can
        # deadlock. The `audit_verify` command is where the parallel scan runs.
        report = verify.verify(workers=1)
        record(
            EventType.JOURNAL_VERIFIED,
            outcome=Outcome.SUCCESS if report.ok else Outcome.FAILURE,
            data={
                "tree_size": report.tree_size,
                "first_bad_position": report.first_bad_position,
                "findings": [f.message for f in report.findings][:20],
                "summary": "审计日志完整"
                if report.ok
                else f"第一个异常位置 {report.first_bad_position}",
            },
        )
        if not report.ok:
            log.error("audit journal broken at position %s", report.first_bad_position)
        return report.ok
