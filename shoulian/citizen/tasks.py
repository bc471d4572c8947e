"""Background work of the citizen channels (Huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shoulian.core import context


@db_task()
def send_query_code(challenge_id: int) -> bool:
    """Step 1 of the query, outside the request: the code SMS for a matched challenge (Z7: the
    request itself does the same work for every input)."""
    from shoulian.citizen import services

    with context.acting(channel="worker"):
        return services.send_code(challenge_id=challenge_id)


@db_periodic_task(crontab(minute="*"))
def send_pending_codes() -> int:
    """Every minute: codes whose job was lost (the queue down at the moment of the request)."""
    from shoulian.citizen import services

    with context.acting(channel="worker"):
        return services.send_pending_codes()


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_query_challenges() -> int:
    """Daily: challenges (they hold the mobile typed) and throttle rows older than their use."""
    from shoulian.citizen import services

    with context.acting(channel="worker"):
        return services.query_purge()
