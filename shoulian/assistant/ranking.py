"""The ranking: the classifier's calibrated probabilities, corrected by the extracted facts where
the law draws the line by amount or injury, then each of the top natures checked against its
element checklist. Advisory only: nothing here decides anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shoulian.assistant import classifier
from shoulian.assistant.choices import Element, Nature, NatureKind, ThresholdKind, kind_of
from shoulian.assistant.extraction import MEANS_LABELS, RELATIONSHIP_LABELS, Facts, extract

TOP = 3
INJURY_ORDER = ("轻微伤", "轻伤", "重伤", "死亡")
# Criminal nature → its administrative counterpart, split by the filing threshold: the
# classifier reads the story, the threshold (data the legal brigade keeps) decides which side.
THRESHOLD_PAIRS: dict[str, str] = {
    Nature.THEFT: Nature.PETTY_THEFT,
    Nature.INTENTIONAL_INJURY: Nature.ASSAULT,
}


@dataclass(frozen=True)
class ElementCheck:
    element: str  # 客体 / 客观方面 / 主体 / 主观方面
    text: str
    found: bool
    matched: str  # the cue that matched, "" when missing
    question: str


@dataclass(frozen=True)
class ThresholdCheck:
    met: bool | None  # None: cannot tell from the narrative
    reason: str
    standard: str
    source: str
    verified: bool


@dataclass
class Suggestion:
    label: str
    p: float
    kind: NatureKind
    checklist_id: int | None = None
    checklist_version: int | None = None
    statute: str = ""
    elements: list[ElementCheck] = field(default_factory=list)
    threshold: ThresholdCheck | None = None
    evidence: list[str] = field(default_factory=list)
    procedure: str = ""
    verified: bool = False

    @property
    def criminal(self) -> bool:
        return self.kind == NatureKind.CRIMINAL

    @property
    def missing(self) -> list[ElementCheck]:
        return [e for e in self.elements if not e.found]

    @property
    def elements_met(self) -> bool:
        return bool(self.elements) and not self.missing


@dataclass
class Ranking:
    top: list[Suggestion]
    facts: Facts
    model_version: str

    @property
    def first(self) -> Suggestion:
        return self.top[0]

    def as_json(self, *, item_id: Any = None) -> dict[str, Any]:
        """The ``nature_suggest`` line (stable interface)."""
        return {
            "id": item_id,
            "top": [{"label": s.label, "p": round(s.p, 4)} for s in self.top],
            "amount_yuan": self.facts.amount_yuan,
            "criminal": self.first.criminal,
        }


def cue_matches(cue: str, text: str, facts: Facts) -> bool:
    cue = cue.strip()
    if not cue:
        return False
    if not cue.startswith("#"):
        return cue in text
    name, _, value = cue[1:].partition(":")
    if name == "rel":
        return value in facts.relationships
    if name == "means":
        return value in facts.means
    if name == "form":
        return value in facts.special_forms
    if name == "injury":
        if facts.injury not in INJURY_ORDER or value not in INJURY_ORDER:
            return False
        return INJURY_ORDER.index(facts.injury) >= INJURY_ORDER.index(value)
    if name == "repeat":
        try:
            times = int(value)
        except ValueError:
            return False
        return (facts.repetitions or 0) >= times or any(w in text for w in ("多次", "屡次"))
    return False


def split_cues(cues: str) -> list[str]:
    return [c.strip() for c in cues.replace("，", "、").replace(",", "、").split("、") if c.strip()]


def first_match(cues: str, text: str, facts: Facts) -> str:
    return next((c for c in split_cues(cues) if cue_matches(c, text, facts)), "")


def check_threshold(checklist: Any, text: str, facts: Facts) -> ThresholdCheck | None:
    kind = checklist.threshold_kind
    if kind == ThresholdKind.NOT_APPLICABLE:
        return None
    standard, source = checklist.threshold_text, checklist.threshold_source
    verified = bool(checklist.verified)

    def result(met: bool | None, reason: str) -> ThresholdCheck:
        return ThresholdCheck(
            met=met, reason=reason, standard=standard, source=source, verified=verified
        )

    if kind == ThresholdKind.NONE:
        return result(True, "不以数额或伤情为立案条件")
    alternative = first_match(checklist.threshold_alternatives, text, facts)
    if alternative:
        return result(True, f"具有不论数额的情形（{_describe_cue(alternative)}）")
    if kind == ThresholdKind.INJURY:
        if facts.injury in ("轻伤", "重伤", "死亡"):
            return result(True, f"叙述中伤情为{facts.injury}")
        if facts.injury == "轻微伤":
            return result(False, "叙述中伤情为轻微伤，未达轻伤")
        if facts.injury == "伤情待鉴定":
            return result(None, f"有{('、'.join(facts.injury_words))}等，伤情待鉴定")
        if facts.injury_words:
            return result(False, f"叙述中只有{'、'.join(facts.injury_words)}，未见轻伤以上")
        return result(None, "叙述中未提及伤情")
    threshold = checklist.effective_threshold_yuan
    if threshold is None:
        return result(None, "本省数额标准尚未录入（待法制大队核对）")
    if facts.amount_yuan is None:
        return result(None, "叙述中未提及数额")
    basis = "本省标准" if checklist.province_threshold_yuan is not None else "全国标准下限"
    if facts.amount_yuan >= threshold:
        return result(True, f"数额 {facts.amount_yuan:,} 元，达到{basis} {threshold:,} 元")
    return result(False, f"数额 {facts.amount_yuan:,} 元，未达{basis} {threshold:,} 元")


def _describe_cue(cue: str) -> str:
    """A cue as the officer reads it (``#rel:employee`` → 单位员工)."""
    if not cue.startswith("#"):
        return cue
    name, _, value = cue[1:].partition(":")
    if name == "rel":
        return RELATIONSHIP_LABELS.get(value, value)
    if name == "means":
        return MEANS_LABELS.get(value, value)
    if name == "repeat":
        return f"{value}次以上或多次"
    if name == "injury":
        return f"{value}以上"
    return value


def _apply_thresholds(
    probabilities: dict[str, float], checklists: Mapping[str, Any], text: str, facts: Facts
) -> dict[str, float]:
    adjusted = dict(probabilities)
    for criminal, administrative in THRESHOLD_PAIRS.items():
        checklist = checklists.get(criminal)
        if checklist is None or criminal not in adjusted or administrative not in adjusted:
            continue
        check = check_threshold(checklist, text, facts)
        if check is None or check.met is None:
            continue
        pooled = adjusted[criminal] + adjusted[administrative]
        if check.met:
            adjusted[criminal], adjusted[administrative] = pooled, 0.0
        else:
            adjusted[criminal], adjusted[administrative] = 0.0, pooled
    return adjusted


def _suggestion(label: str, p: float, checklist: Any, text: str, facts: Facts) -> Suggestion:
    suggestion = Suggestion(label=label, p=p, kind=kind_of(label))
    if checklist is None:
        return suggestion
    suggestion.checklist_id = checklist.pk
    suggestion.checklist_version = checklist.version
    suggestion.statute = checklist.statute
    suggestion.evidence = checklist.evidence_items
    suggestion.procedure = checklist.procedure
    suggestion.verified = bool(checklist.verified)
    for element in Element:
        body, cues, question = checklist.element(element)
        if not body:
            continue
        matched = first_match(cues, text, facts)
        suggestion.elements.append(
            ElementCheck(
                element=str(element.label),
                text=body,
                found=bool(matched),
                matched=_describe_cue(matched) if matched else "",
                question=question,
            )
        )
    suggestion.threshold = check_threshold(checklist, text, facts)
    return suggestion


def rank(
    text: str,
    checklists: Mapping[str, Any] | None = None,
    *,
    model: classifier.CharTfidfModel | None = None,
    top: int = TOP,
) -> Ranking:
    """Rank the natures for a narrative. ``checklists`` maps a label to its checklist in force
    (``selectors.current_checklists()``); without it only the classifier speaks."""
    model = model or classifier.shipped()
    checklists = checklists or {}
    text = text.strip()
    facts = extract(text)
    probabilities = _apply_thresholds(model.probabilities(text), checklists, text, facts)
    ordered = sorted(probabilities.items(), key=lambda item: (-item[1], item[0]))[:top]
    return Ranking(
        top=[_suggestion(label, p, checklists.get(label), text, facts) for label, p in ordered],
        facts=facts,
        model_version=model.version,
    )
