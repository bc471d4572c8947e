"""``manage.py nature_suggest``: JSON lines ``{"id", "text"}`` on stdin, one JSON line
``{"id", "top": [{"label", "p"}, …3], "amount_yuan", "criminal"}`` per input on stdout.

A stable interface for other tools: the keys above are kept; new keys may be added. A line that
cannot be read gets ``{"id": …, "error": "…"}`` and the command goes on."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from shoulian.assistant.ranking import rank
from shoulian.assistant.selectors import current_checklists


class Command(BaseCommand):
    help = "Rank the case natures of narratives: JSON lines in on stdin, JSON lines out on stdout."

    def handle(self, *args: Any, **options: Any) -> None:
        checklists = current_checklists()
        out = self.stdout
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    raise ValueError('expected an object with a string "text"')
            except ValueError as exc:
                item = row.get("id") if isinstance(locals().get("row"), dict) else None
                out.write(json.dumps({"id": item, "error": str(exc)}, ensure_ascii=False))
                continue
            ranking = rank(row["text"], checklists)
            out.write(json.dumps(ranking.as_json(item_id=row.get("id")), ensure_ascii=False))
