"""Intake's events, for the apps above it: a registration, the completion of a 110 alert's
registration, the first print of a receipt.

Intake owns these events and calls every subscriber inside the event's own transaction, so an
event is never committed without what its subscribers write with it (the deadline engine's
periods of 三个当场 and 110 补录, started and stopped by the workflow's clock). If a subscriber
raises, the event rolls back. Intake imports nothing from the apps above it: it calls upward only
through this registry (the pattern of ``workflow.hooks`` and ``notify.hooks``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from shoulian.intake.models import Alert


class IntakeEvent(StrEnum):
    REGISTERED = "registered"  # a desk, kiosk or API registration (110: the take-over)
    REGISTRATION_COMPLETED = "registration_completed"  # a 110 alert's full registration
    RECEIPT_ISSUED = "receipt_issued"  # the first print of the 接报案回执


@dataclass(frozen=True)
class IntakeRecord:
    event: IntakeEvent
    alert: Alert
    at: dt.datetime


Subscriber = Callable[[IntakeRecord], None]
_SUBSCRIBERS: list[Subscriber] = []


def on_intake_event(func: Subscriber) -> Subscriber:
    """Register ``func``; registering the same function twice is a no-op (reloads in tests)."""
    if func not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(func)
    return func


def dispatch(event: IntakeEvent, alert: Alert, at: dt.datetime) -> None:
    record = IntakeRecord(event=event, alert=alert, at=at)
    for subscriber in list(_SUBSCRIBERS):
        subscriber(record)


def subscribers() -> tuple[Subscriber, ...]:
    return tuple(_SUBSCRIBERS)


# --- the due time of a 110 alert's registration ------------------------------------------------
# The deadline engine counts it (``urgent_registration``, started by the subscriber above); intake
# shows it (the list badge, the registration tab, the completion form, the API's answer) through
# the one provider the app above registers, and keeps no copy of it.
DueProvider = Callable[[list[int]], dict[int, dt.datetime]]
_DUE_PROVIDERS: list[DueProvider] = []


def provides_registration_due(func: DueProvider) -> DueProvider:
    if func not in _DUE_PROVIDERS:
        _DUE_PROVIDERS.append(func)
    return func


def registration_due(alert_ids: list[int]) -> dict[int, dt.datetime]:
    """Alert id → the due time of its 110 registration, for the alerts that have one."""
    found: dict[int, dt.datetime] = {}
    ids = [pk for pk in alert_ids if pk is not None]
    if not ids:
        return found
    for provider in _DUE_PROVIDERS:
        found.update(provider(ids))
    return found


def registration_due_of(alert: Alert) -> dt.datetime | None:
    return registration_due([alert.pk]).get(alert.pk)
