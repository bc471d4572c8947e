"""Transition subscribers: what other apps do when an alert's lifecycle moves.

``services.alert_transition`` applies one row of the transition table, writes its journal event,
its ``FlowStep`` and its clock changes, and then calls every subscriber, in ascending ``order``,
inside the same transaction with one frozen ``TransitionRecord``. A subscriber writes what the
step means for its own app (an SMS in the outbox, a follow-up task, a finding) and journals its
own events. If it raises, the whole transition rolls back: a step is never committed without
what its subscribers had to write with it (U5, R2).

How an app hooks in (docs/architecture.md)::

    # shoulian/<app>/subscribers.py
    from shoulian.workflow.hooks import TransitionRecord, on_transition

    @on_transition(order=300)
    def open_findings(t: TransitionRecord) -> None:
        ...

    # shoulian/<app>/apps.py
    def ready(self) -> None:
        from shoulian.<app> import subscribers  # noqa: F401  (registers the subscriber)

Orders in use: workflow's milestone SMS 100, feedback's follow-up task 200, supervision's
incremental patrol 300, the dashboard's rollups 900. Two subscribers may not
share an order, so the sequence never depends on import order. Subscribers must be idempotent per
step (a replay of the same record writes nothing new): dedup keys or "already done" checks.

This module imports nothing from the apps above workflow, which is the point: workflow calls
upward only through this registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from shoulian.accounts.models import User
from shoulian.intake.models import Alert
from shoulian.org.models import Unit
from shoulian.workflow.models import Decision, FlowStep


@dataclass(frozen=True)
class TransitionRecord:
    """One accepted transition, as its subscribers see it.

    ``alert`` is the alert as updated by the step (status, version, handling unit); ``unit`` and
    ``from_unit`` are the handling unit after and before it; ``decision`` is the decision the step
    proposed, approved, rejected or made (None for steps without one); ``step`` the ``FlowStep``
    row just written (its ``event_id`` is the journal event); ``at`` the moment of the step;
    ``data`` what the step's handler recorded in its journal event beyond the standard fields
    (e.g. ``satisfied`` of a 回访 step)."""

    alert: Alert
    action: str
    source: str
    target: str
    unit: Unit | None
    from_unit: Unit | None
    decision: Decision | None
    step: FlowStep
    at: dt.datetime
    actor: User
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_step(
        cls,
        step: FlowStep,
        *,
        decision: Decision | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> TransitionRecord:
        """The record of a step already written (to replay it: subscribers are idempotent)."""
        if step.actor is None:
            raise ValueError(f"step {step.pk} has no actor")
        return cls(
            alert=step.alert,
            action=step.action,
            source=step.from_status,
            target=step.to_status,
            unit=step.to_unit,
            from_unit=step.from_unit,
            decision=decision,
            step=step,
            at=step.at,
            actor=step.actor,
            data=MappingProxyType(dict(data or {})),
        )


Subscriber = Callable[[TransitionRecord], None]


@dataclass(frozen=True)
class _Entry:
    order: int
    name: str
    func: Subscriber


_REGISTRY: dict[str, _Entry] = {}
# The registry in running order, rebuilt on registration (every transition reads it).
_ORDERED: list[_Entry] = []


def _name(func: Subscriber) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def on_transition(*, order: int) -> Callable[[Subscriber], Subscriber]:
    """Register ``func`` to run, at position ``order``, after every accepted transition.

    Apply it in a module the app's ``AppConfig.ready()`` imports. Registering the same function
    again (a module imported twice) replaces it; another function at a taken order is refused."""

    def register(func: Subscriber) -> Subscriber:
        name = _name(func)
        for entry in _REGISTRY.values():
            if entry.order == order and entry.name != name:
                raise ImproperlyConfigured(
                    f"transition subscriber {name} takes order {order}, held by {entry.name}"
                )
        _REGISTRY[name] = _Entry(order, name, func)
        _ORDERED[:] = sorted(_REGISTRY.values(), key=lambda e: e.order)
        return func

    return register


def subscribers() -> list[tuple[int, str]]:
    """The registered subscribers as ``(order, "module.function")``, in the order they run."""
    return [(e.order, e.name) for e in _ORDERED]


def dispatch(record: TransitionRecord) -> None:
    """Run every subscriber with ``record``, in order; called by ``alert_transition`` only."""
    for entry in tuple(_ORDERED):
        entry.func(record)


__all__ = ["Subscriber", "TransitionRecord", "dispatch", "on_transition", "subscribers"]
