"""Reads of the assistant: the checklists in force, their history, and the suggestion for a
narrative (an alert's narrative only through the alert's own scoping)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from shoulian.assistant.choices import Nature
from shoulian.assistant.models import Checklist
from shoulian.assistant.ranking import Ranking, rank
from shoulian.intake.models import Alert


def current_checklists() -> dict[str, Checklist]:
    """Label → the checklist version in force. Not unit-scoped (one set per installation)."""
    return {c.label: c for c in Checklist.objects.current()}


def checklist_list() -> list[Checklist]:
    order = {label: i for i, label in enumerate(Nature.values)}
    return sorted(Checklist.objects.current(), key=lambda c: order.get(c.label, len(order)))


def checklist_get(pk: int) -> Checklist:
    return get_object_or_404(Checklist.objects.select_related("changed_by"), pk=pk)


def checklist_history(label: str) -> list[Checklist]:
    return list(
        Checklist.objects.filter(label=label).select_related("changed_by").order_by("-version")
    )


def is_current(checklist: Checklist) -> bool:
    return not Checklist.objects.filter(
        label=checklist.label, version__gt=checklist.version
    ).exists()


def alert_for(user: Any, pk: int) -> Alert:
    """An alert the user may see; another unit's alert is a 404 like a missing one (Z3)."""
    return get_object_or_404(
        Alert.objects.visible_to(user).only("pk", "narrative", "number"), pk=pk
    )


def suggest(text: str) -> Ranking:
    return rank(text, current_checklists())
