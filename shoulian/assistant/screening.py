"""The assistant's side of the 有案不受 patrol rule (issue 18 §5): does a narrative read as a crime,
with its elements met? Tuned for recall — a finding is a prompt for a human look, and a crime
closed as a non-case is the costlier miss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoulian.assistant.choices import CRIMINAL_NATURES, Nature, NatureKind, kind_of
from shoulian.assistant.ranking import Ranking, Suggestion, rank

# 侵占 is prosecuted by the victim (告诉才处理): closing it with the advice to sue is correct.
PRIVATE_PROSECUTION = frozenset({Nature.CONVERSION})
# The first-ranked natures that can give a signal (``signal_met``'s first test, as a set).
SIGNAL_NATURES = frozenset(str(n) for n in CRIMINAL_NATURES) - {str(n) for n in PRIVATE_PROSECUTION}
DEFAULT_MIN_P = 0.20
DEFAULT_MIN_ELEMENTS = 1


def crime_signal(
    ranking: Ranking, *, min_p: float = DEFAULT_MIN_P, min_elements: int = DEFAULT_MIN_ELEMENTS
) -> Suggestion | None:
    """The first-ranked nature when it is a crime (not privately prosecuted) with at least
    ``min_p`` probability, ``min_elements`` of its elements found and its threshold not shown to
    be unmet; else None."""
    first = ranking.first
    met = signal_met(
        label=first.label,
        p=first.p,
        threshold_met=first.threshold.met if first.threshold is not None else None,
        found=sum(1 for e in first.elements if e.found),
        min_p=min_p,
        min_elements=min_elements,
    )
    return first if met else None


def signal_met(
    *,
    label: str,
    p: float,
    threshold_met: bool | None,
    found: int,
    min_p: float = DEFAULT_MIN_P,
    min_elements: int = DEFAULT_MIN_ELEMENTS,
) -> bool:
    """``crime_signal``'s test on what it reads of the first-ranked nature (its label, probability,
    threshold check and number of elements found), so a stored ranking answers it the same way."""
    if kind_of(label) != NatureKind.CRIMINAL or label in PRIVATE_PROSECUTION or p < min_p:
        return False
    if threshold_met is False:
        return False
    return found >= min_elements


def screen(
    text: str,
    checklists: Mapping[str, Any],
    *,
    min_p: float = DEFAULT_MIN_P,
    min_elements: int = DEFAULT_MIN_ELEMENTS,
) -> Suggestion | None:
    return crime_signal(rank(text, checklists), min_p=min_p, min_elements=min_elements)
