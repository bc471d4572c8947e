"""Huey tasks of the outbox: send one message right after its transaction commits, and sweep
every minute for everything due (so nothing depends on the on-commit call, R2)."""

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
        return delivery.deliver_due().sent


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    with context.acting(channel="worker"):
        return delivery.deliver_due().sent
