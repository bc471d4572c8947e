"""Huey tasks of the outbox: send one message right after its transaction commits, and sweep
every minute for everything due (so nothing depends on the on-commit call, R2).

At most one ``deliver_batch`` is queued at a time (``delivery.claim_batch_slot``) and one sweep
runs at a time (the sweep lease), so a burst of registrations queues one task, not one per
process every two seconds, and the worker's second thread stays free for the journal's seal
(``audit.tasks.seal_journal`` has the queue's highest priority)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shoulian.core import context
from shoulian.notify import delivery


@db_task()
def deliver_message(pk: int) -> str:
    with context.acting(channel="worker"):
        return delivery.deliver_one(pk)


@db_task()
def deliver_batch() -> int:
    """The delayed sweep that sends a batch of milestone messages (services.BATCH_SECONDS)."""
    with context.acting(channel="worker"):
        # Messages that commit from now on ask for the next batch.
        delivery.release_batch_slot()
        sweep = delivery.deliver_due()
        if sweep.busy:
            # Another sweep is running and may have looked before our messages committed:
            # come back after it rather than wait for the minute sweep.
            from shoulian.notify.services import schedule_batch

            schedule_batch()
        return sweep.sent


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    with context.acting(channel="worker"):
        return delivery.deliver_due().sent


@db_periodic_task(crontab(hour="3", minute="20"))
def purge_old_messages() -> int:
    """Nightly retention (docs/notify.md): sent and expired messages past the period."""
    from shoulian.notify.retention import sms_purge_expired

    with context.acting(channel="worker"):
        return sms_purge_expired().purged
