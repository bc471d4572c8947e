"""Rules kept as versioned data (deadline rules, patrol rules …): the national default versions
(``bureau`` empty) plus a bureau's own; the version in force on a day is the one with the latest
``effective_from`` on or before it, ties going to the one written last. One reading for every such
model, so a deadline rule and a patrol rule can never disagree on which version applies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet


class Versioned(Protocol):
    effective_from: dt.date


V = TypeVar("V", bound=Versioned)
M = TypeVar("M", bound=Model)


def chain(model: type[M], bureau_id: int | None, **filters: Any) -> QuerySet[M]:
    """Every version a bureau may use (the defaults and its own), oldest first."""
    own = Q(bureau__isnull=True)
    if bureau_id is not None:
        own |= Q(bureau_id=bureau_id)
    return model._default_manager.filter(own, **filters).order_by("effective_from", "id")


def pick(versions: Iterable[V], on: dt.date) -> V | None:
    """The version in force on ``on`` from an oldest-first list; None when none had begun."""
    chosen = None
    for version in versions:
        if version.effective_from <= on:
            chosen = version
    return chosen
