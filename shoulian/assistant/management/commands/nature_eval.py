"""``manage.py nature_eval FILE``: JSON lines ``{"id", "text", "label"}``; prints top-1, top-3,
macro-F1, the confusion of the hard pairs and criminal-vs-not recall and precision
(``--json`` for the same as one JSON object)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.assistant.evaluation import evaluate, format_report, read_jsonl
from shoulian.assistant.selectors import current_checklists


class Command(BaseCommand):
    help = "Score the case-nature ranking on labelled JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            rows = list(read_jsonl(path))
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from None
        missing = [i for i, row in enumerate(rows, 1) if "text" not in row or "label" not in row]
        if missing:
            raise CommandError(f"{path}: lines without text or label: {missing[:10]}")
        report = evaluate(rows, current_checklists())
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(format_report(report))
