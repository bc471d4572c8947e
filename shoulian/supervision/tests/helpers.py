"""Test data for supervision, made through the services (intake and workflow helpers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.supervision.models import Finding
from shoulian.supervision.services import evaluate, patrol_run


def patrol(bureau: Any, now: dt.datetime | None = None, **kwargs: Any) -> Any:
    """One evaluation of every rule (or ``codes``) for the bureau at ``now``."""
    with transaction.atomic():
        return evaluate(bureau=bureau, now=now or timezone.now(), **kwargs)


def run(bureau: Any, now: dt.datetime | None = None) -> Any:
    return patrol_run(bureau=bureau, now=now or timezone.now())


def findings_of(code: str, **filters: Any) -> list[Finding]:
    return list(Finding.objects.filter(rule_code=code, **filters).order_by("pk"))


def only(code: str, **filters: Any) -> Finding:
    rows = findings_of(code, **filters)
    assert len(rows) == 1, [str(r) for r in rows]
    return rows[0]


def later(hours: float = 0, days: float = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours, days=days)


def due(row: Any) -> dt.datetime:
    """A row's due time, known to be set (a finding's rectification, a running deadline)."""
    assert row.due_at is not None
    return row.due_at  # type: ignore[no-any-return]
