"""``manage.py nature_train``: fit the case-nature classifier on the training split and write
``shoulian/assistant/model/natures.npz``. The held-out split is never read here; score it with
``manage.py nature_eval shoulian/assistant/data/natures-heldout.jsonl``."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.assistant import classifier
from shoulian.assistant.choices import Nature
from shoulian.assistant.evaluation import read_jsonl

DATA = Path(__file__).resolve().parents[2] / "data"
# float32 coefficients against scikit-learn's float64: differences of this size are rounding.
EXPORT_TOLERANCE = 1e-4


class Command(BaseCommand):
    help = "Train the case-nature classifier on the training split and write the model file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", type=Path, default=DATA / "natures-train.jsonl")
        parser.add_argument("--out", type=Path, default=classifier.MODEL_PATH)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["train"]
        rows = list(read_jsonl(path))
        unknown = sorted({str(r.get("label")) for r in rows} - set(Nature.values))
        if unknown:
            raise CommandError(f"{path}: labels outside the nature list: {unknown}")
        missing = sorted(set(Nature.values) - {str(r["label"]) for r in rows})
        if missing:
            raise CommandError(f"{path}: no training narratives for {missing}")
        texts = [str(r["text"]) for r in rows]
        labels = [str(r["label"]) for r in rows]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        version = f"{dt.date.today().isoformat()}·{len(rows)}条·{digest}"  # noqa: DTZ011 - a label
        arrays = classifier.fit(texts, labels, version=version)
        gap = classifier.export_gap(arrays, texts[:: max(1, len(texts) // 200)])
        if gap > EXPORT_TOLERANCE:
            raise CommandError(f"the exported model differs from scikit-learn's by {gap:.2e}")
        classifier.save(arrays, options["out"])
        size = options["out"].stat().st_size
        self.stdout.write(
            f"trained on {len(rows)} narratives, {len(arrays['vocabulary'])} n-grams, "
            f"{len(arrays['labels'])} natures; export gap {gap:.1e}; "
            f"wrote {options['out']} ({size // 1024} KiB), version {version}"
        )
