"""Helpers shared by the feedback services: who sits at a center, the center of a bureau, the
outbox call and the public query link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from shoulian.notify.services import sms_enqueue
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit


def _active(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def _at_center(actor: Any, center: Unit | None = None) -> bool:
    unit = getattr(actor, "unit", None)
    if unit is None or unit.kind != UnitKind.CENTER:
        return False
    return center is None or unit.pk == center.pk


def _sms(
    *,
    template: str,
    to: str,
    context: Mapping[str, str],
    key: str,
    alert: Any,
    unit: Unit,
    now: dt.datetime,
) -> Any:
    # ``unit`` places a complaint's message in the bureau's outbox when no alert is named;
    # ``now`` is the moment of the change: seeded history is never sent (notify expires it).
    return sms_enqueue(
        template=template, to=to, context=context, key=key, alert=alert, unit=unit, now=now
    )


def _query_url() -> str:
    base = str(getattr(settings, "SHOULIAN_PUBLIC_BASE_URL", "")).rstrip("/")
    return f"{base}/q/"
