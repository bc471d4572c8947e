"""Transition subscribers (workflow/hooks.py): which apps hook into a transition, in which order,
inside the transition's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from shoulian.audit.models import AuditEvent
from shoulian.notify import hooks as notify_hooks
from shoulian.workflow import hooks
from shoulian.workflow.choices import Action
from shoulian.workflow.models import FlowStep
from shoulian.workflow.tests.helpers import act, fresh, new_alert

pytestmark = pytest.mark.django_db


def test_the_registered_subscribers_in_the_order_they_run() -> None:
    # A new subscriber is a decision about what a transition writes: add it here on purpose.
    assert hooks.subscribers() == [
        (100, "shoulian.workflow.milestones.milestone_sms"),
        (200, "shoulian.feedback.subscribers.follow_up_on_transition"),
        (300, "shoulian.supervision.subscribers.patrol_on_transition"),
        (900, "shoulian.dashboard.subscribers.rollups_on_transition"),
    ]


def test_the_registered_sms_outcome_listeners() -> None:
    assert notify_hooks.listeners() == ["notification"]


def test_a_subscriber_at_a_taken_order_is_refused() -> None:
    def another(t: hooks.TransitionRecord) -> None:  # pragma: no cover - never registered
        raise AssertionError

    with pytest.raises(ImproperlyConfigured):
        hooks.on_transition(order=100)(another)
    assert len(hooks.subscribers()) == 4


def test_each_subscriber_gets_one_record_of_the_step(
    clerk: Any, bureau_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[hooks.TransitionRecord] = []
    monkeypatch.setattr(hooks, "_ORDERED", [*hooks._ORDERED, hooks._Entry(999, "t", seen.append)])
    alert = new_alert(clerk)
    applied = act(clerk, alert, Action.ROUTE, unit=bureau_a.station, reason="测试分派")
    [record] = seen
    assert record.alert.pk == alert.pk and record.step == applied.step
    assert (record.action, record.source, record.target) == ("route", "registered", "routed")
    assert record.unit == bureau_a.station and record.from_unit is None
    assert record.actor == clerk and record.step.event_id == applied.event.pk
    with pytest.raises(TypeError):
        record.data["x"] = 1  # type: ignore[index]


def test_a_failing_subscriber_rolls_the_transition_back(
    clerk: Any, bureau_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(t: hooks.TransitionRecord) -> None:
        raise RuntimeError("subscriber failed")

    alert = new_alert(clerk)
    events = AuditEvent.objects.count()
    monkeypatch.setattr(hooks, "_ORDERED", [*hooks._ORDERED, hooks._Entry(999, "t", broken)])
    with pytest.raises(RuntimeError):
        act(clerk, alert, Action.ROUTE, unit=bureau_a.station, reason="测试分派")
    assert fresh(alert).status == "registered"
    assert not FlowStep.objects.filter(alert=alert).exists()
    assert AuditEvent.objects.count() == events
