"""Supervision's events, for the apps above it: a finding opened, or a finding's status or level
changed (a step of its lifecycle: rectification, review, 销号, escalation, clearing, reopening).

Supervision calls every subscriber inside the change's own transaction, with the ids of the
findings that changed, so what a subscriber writes (the platform's counters) commits or rolls
back with the change. It imports nothing from the apps above it: it calls upward only through this
registry (the pattern of ``workflow.hooks`` and ``intake.hooks``). A subscriber reads the findings
it is given from the database and is idempotent: calling it twice for the same change moves
nothing the second time."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

Subscriber = Callable[[list[int]], None]
_SUBSCRIBERS: list[Subscriber] = []
# The findings changed inside ``deferred()``, dispatched once when it ends.
_DEFERRED: ContextVar[set[int] | None] = ContextVar("supervision_deferred", default=None)


def on_finding_change(func: Subscriber) -> Subscriber:
    """Register ``func``; registering the same function twice is a no-op (reloads in tests)."""
    if func not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(func)
    return func


def dispatch(finding_ids: Iterable[int]) -> None:
    ids = [pk for pk in finding_ids if pk is not None]
    if not ids:
        return
    pending = _DEFERRED.get()
    if pending is not None:
        pending.update(ids)
        return
    for subscriber in list(_SUBSCRIBERS):
        subscriber(ids)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """For a long transaction (the daily patrol of a bureau): collect the findings that change
    and dispatch them once, in id order, when the block ends, still inside the transaction. What
    the subscribers write still commits or rolls back with the change, but the rows they lock
    (the platform's shared counters) are held from just before the commit, in one order, instead
    of from the first finding of a run that lasts seconds: an officer's step that moves the same
    counter does not wait for the whole patrol, nor deadlock with it. A block that raises
    dispatches nothing (its transaction rolls back). Nested blocks join the outer one."""
    if _DEFERRED.get() is not None:
        yield
        return
    collected: set[int] = set()
    token = _DEFERRED.set(collected)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    dispatch(sorted(collected))


def subscribers() -> tuple[Subscriber, ...]:
    return tuple(_SUBSCRIBERS)
