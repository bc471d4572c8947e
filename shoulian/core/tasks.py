"""The task queue's heartbeat (``shoulian.core.health``): how late the queue runs."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.signals import SIGNAL_ENQUEUED

from shoulian.core import health


# Default priority, like the outbox's work: the heartbeat waits where an SMS sweep waits.
@db_periodic_task(crontab(minute="*"), context=True, name=health.HEARTBEAT_TASK)  # type: ignore[untyped-decorator]
def queue_heartbeat(task: Any = None) -> float:
    return health.note_ran(task.id) if task is not None else 0.0


@HUEY.signal(SIGNAL_ENQUEUED)  # type: ignore[untyped-decorator]
def _note_heartbeat_enqueued(signal: str, task: Any) -> None:
    if getattr(task, "name", "") == health.HEARTBEAT_TASK:
        health.note_enqueued(task.id)
