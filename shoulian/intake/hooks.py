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
