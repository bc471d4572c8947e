"""Periodic jobs of the intake desk (Huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.core import context
from shoulian.intake import services


@db_periodic_task(crontab(minute="17"))
def sweep_orphan_evidence() -> int:
    """Hourly (F6): files left by a submission whose process died before its commit."""
    with context.acting(channel="worker"):
        return len(services.sweep_orphans())


@db_periodic_task(crontab(hour="3", minute="5"))
def purge_expired_drafts() -> int:
    with context.acting(channel="worker"):
        return services.drafts_purge_expired()


@db_periodic_task(crontab(hour="3", minute="20"))
def purge_idempotency_keys() -> int:
    with context.acting(channel="worker"):
        return services.idempotency_purge()


@db_periodic_task(crontab(hour="4", minute="0", day_of_week="0"))
def verify_evidence() -> dict[str, int]:
    """Weekly (F5): every stored file against the SHA-256 taken at intake."""
    with context.acting(channel="worker"):
        result = services.evidence_verify()
    return {
        "checked": result.checked,
        "mismatched": len(result.mismatched),
        "missing": len(result.missing),
    }


# Huey's crontabs are in UTC: 16:01 UTC is 00:01 in Beijing.
@db_periodic_task(crontab(hour="16", minute="1"))
def apply_category_flags() -> int:
    """Daily, just after midnight in Beijing: the legal brigade's classification versions dated
    today take effect."""
    with context.acting(channel="worker"):
        return services.category_flags_apply()
