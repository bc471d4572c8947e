"""Delivery outcomes for the apps whose records an SMS carries.

A message may stand for a record of an app above notify (the workflow's ``Notification`` of a
notice the law requires). The message names it by a generic subject ``(subject_type,
subject_id)``, as deadlines and the journal name their objects, and the owning app registers, in
its ``AppConfig.ready()``, a function that follows the message's outcome::

    @on_outcome("notification")
    def notification_outcome(subject_id: str, status: str, at: datetime | None) -> None: ...

``status`` is the message's new ``SmsStatus`` (sent, dead, expired, or pending again after a
retry); ``at`` the moment it was sent. It runs in the transaction that records the outcome, so
the subject never disagrees with its message. notify imports nothing from those apps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from shoulian.notify.models import SmsMessage

Outcome = Callable[[str, str, dt.datetime | None], None]

_BY_TYPE: dict[str, Outcome] = {}


def on_outcome(subject_type: str) -> Callable[[Outcome], Outcome]:
    """Register the one function that follows the messages of ``subject_type``."""

    def register(func: Outcome) -> Outcome:
        held = _BY_TYPE.get(subject_type)
        if held is not None and held.__qualname__ != func.__qualname__:
            raise ImproperlyConfigured(f"SMS subject type {subject_type!r} already has a listener")
        _BY_TYPE[subject_type] = func
        return func

    return register


def outcome(message: SmsMessage, status: str, at: dt.datetime | None = None) -> None:
    """Tell the message's subject, if it has one and its app listens, what became of it."""
    if not message.subject_type:
        return
    listener = _BY_TYPE.get(message.subject_type)
    if listener is not None:
        listener(message.subject_id, status, at)


def listeners() -> list[str]:
    return sorted(_BY_TYPE)
