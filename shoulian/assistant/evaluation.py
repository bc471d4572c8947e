"""Scores of the ranking on labelled narratives, as ``nature_eval`` prints them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from shoulian.assistant.choices import HARD_GROUPS, NatureKind, kind_of
from shoulian.assistant.ranking import rank


def read_jsonl(source: Path | IO[str]) -> Iterator[dict[str, Any]]:
    handle = source.open(encoding="utf-8") if isinstance(source, Path) else source
    try:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"line {number}: expected a JSON object")
            yield row
    finally:
        if isinstance(source, Path):
            handle.close()


@dataclass
class Report:
    n: int = 0
    top1: int = 0
    top3: int = 0
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (gold, predicted top-1)

    def add(self, gold: str, ranked: list[str]) -> None:
        self.n += 1
        self.top1 += int(bool(ranked) and ranked[0] == gold)
        self.top3 += int(gold in ranked[:3])
        self.pairs.append((gold, ranked[0] if ranked else ""))

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3 / self.n if self.n else 0.0

    def f1_by_label(self) -> dict[str, float]:
        labels = sorted({gold for gold, _ in self.pairs})
        scores = {}
        for label in labels:
            tp = sum(1 for g, p in self.pairs if g == label and p == label)
            fp = sum(1 for g, p in self.pairs if g != label and p == label)
            fn = sum(1 for g, p in self.pairs if g == label and p != label)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            scores[label] = (
                2 * precision * recall / (precision + recall) if precision + recall else 0.0
            )
        return scores

    @property
    def macro_f1(self) -> float:
        scores = self.f1_by_label()
        return sum(scores.values()) / len(scores) if scores else 0.0

    def criminal(self) -> dict[str, float]:
        """Criminal (刑事) versus everything else, on the top-1 nature."""
        tp = sum(1 for g, p in self.pairs if _criminal(g) and _criminal(p))
        fp = sum(1 for g, p in self.pairs if not _criminal(g) and _criminal(p))
        fn = sum(1 for g, p in self.pairs if _criminal(g) and not _criminal(p))
        return {
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "support": float(tp + fn),
        }

    def hard_pair_confusion(self) -> list[dict[str, Any]]:
        """For each hard group, the count of gold → predicted among its members (and ``其他``)."""
        out = []
        for group in HARD_GROUPS:
            counts: Counter[tuple[str, str]] = Counter()
            for gold, predicted in self.pairs:
                if gold in group:
                    counts[(gold, predicted if predicted in group else "其他")] += 1
            out.append(
                {
                    "group": list(group),
                    "matrix": {
                        gold: {p: counts[(gold, p)] for p in (*group, "其他") if counts[(gold, p)]}
                        for gold in group
                    },
                }
            )
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "top1": round(self.top1_accuracy, 4),
            "top3": round(self.top3_accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "criminal": {k: round(v, 4) for k, v in self.criminal().items()},
            "f1_by_label": {k: round(v, 4) for k, v in self.f1_by_label().items()},
            "hard_pairs": self.hard_pair_confusion(),
        }


def _criminal(label: str) -> bool:
    return bool(label) and kind_of(label) == NatureKind.CRIMINAL


def evaluate(
    rows: Iterable[Mapping[str, Any]], checklists: Mapping[str, Any] | None = None
) -> Report:
    report = Report()
    for row in rows:
        ranking = rank(str(row["text"]), checklists)
        report.add(str(row["label"]), [s.label for s in ranking.top])
    return report


def format_report(report: Report) -> str:
    crim = report.criminal()
    lines = [
        f"narratives      {report.n}",
        f"top-1           {report.top1_accuracy:.4f}",
        f"top-3           {report.top3_accuracy:.4f}",
        f"macro-F1        {report.macro_f1:.4f}",
        f"criminal recall {crim['recall']:.4f}   precision {crim['precision']:.4f}   (support {int(crim['support'])})",
        "",
        "hard pairs (gold → predicted top-1):",
    ]
    for block in report.hard_pair_confusion():
        lines.append("  " + " / ".join(block["group"]))
        for gold, row in block["matrix"].items():
            cells = "  ".join(f"{p} {n}" for p, n in row.items()) or "—"
            lines.append(f"    {gold:<12} → {cells}")
    lines += ["", "F1 by label:"]
    for label, score in sorted(report.f1_by_label().items(), key=lambda kv: kv[1]):
        lines.append(f"  {score:.3f}  {label}")
    return "\n".join(lines)
