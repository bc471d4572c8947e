"""Supervision's events, for the apps above it: a finding opened, or a finding's status or level
changed (a step of its lifecycle: rectification, review, 销号, escalation, clearing, reopening).

Supervision calls every subscriber inside the change's own transaction, with the ids of the
findings that changed, so what a subscriber writes (the platform's counters) commits or rolls
back with the change. It imports nothing from the apps above it: it calls upward only through this
registry (the pattern of ``workflow.hooks`` and ``intake.hooks``). A subscriber reads the findings
it is given from the database and is idempotent: calling it twice for the same change moves
nothing the second time."""

from __future__ import annotations

from collections.abc import Callable, Iterable

Subscriber = Callable[[list[int]], None]
_SUBSCRIBERS: list[Subscriber] = []


def on_finding_change(func: Subscriber) -> Subscriber:
    """Register ``func``; registering the same function twice is a no-op (reloads in tests)."""
    if func not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(func)
    return func


def dispatch(finding_ids: Iterable[int]) -> None:
    ids = [pk for pk in finding_ids if pk is not None]
    if not ids:
        return
    for subscriber in list(_SUBSCRIBERS):
        subscriber(ids)


def subscribers() -> tuple[Subscriber, ...]:
    return tuple(_SUBSCRIBERS)
