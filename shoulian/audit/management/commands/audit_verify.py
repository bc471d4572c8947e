"""Verify the journal (U4). Exit 0 when intact, 1 when broken (naming the first bad position),
2 when verification could not run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shoulian.audit import verify
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.core import context


class Command(BaseCommand):
    help = "校验审计日志完整性：哈希链、检查点签名、外部留存的检查点。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            type=Path,
            default=[],
            metavar="FILE",
            help="外部审计留存的检查点文件（可多次给出）",
        )
        parser.add_argument("--full", action="store_true", help="同时校验全部默克尔树节点")
        parser.add_argument(
            "--workers", type=int, default=verify.default_workers(), help="并行进程数"
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            notes = [Path(path).read_text() for path in options["checkpoint"]]
        except OSError as exc:
            self.stderr.write(f"无法读取检查点文件：{exc}")
            sys.exit(2)
        report = verify.verify(external=notes, full=options["full"], workers=options["workers"])
        summary = (
            f"审计日志完整：{report.tree_size} 条已封存，{report.checkpoints} 个检查点，"
            f"{report.pending} 条待封存，0 条游离事件，0 条格式不符。"
            if report.ok
            else f"审计日志校验失败：第一个异常位置 {report.first_bad_position}；"
            f"{len(report.orphans)} 条游离事件（无日志序号，位于已封存范围内），"
            f"{len(report.malformed)} 条格式不符。"
        )
        with context.acting(channel="command"):
            record(
                EventType.JOURNAL_VERIFIED,
                outcome=Outcome.SUCCESS if report.ok else Outcome.FAILURE,
                data={
                    "tree_size": report.tree_size,
                    "first_bad_position": report.first_bad_position,
                    "findings": [f.message for f in report.findings][:20],
                    "orphans": report.orphans[:100],
                    "orphan_count": len(report.orphans),
                    "malformed_count": len(report.malformed),
                    "external_checkpoints": len(notes),
                    "full": options["full"],
                    "summary": summary,
                },
            )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "tree_size": report.tree_size,
                        "checkpoints": report.checkpoints,
                        "pending": report.pending,
                        "first_bad_position": report.first_bad_position,
                        "orphans": report.orphans,
                        "malformed": [
                            {"id": event_id, "problem": why} for event_id, why in report.malformed
                        ],
                        "findings": [
                            {"position": f.position, "message": f.message} for f in report.findings
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self.stdout.write(summary)
            for finding in report.findings:
                where = "—" if finding.position is None else f"序号 {finding.position}"
                self.stdout.write(f"  [{where}] {finding.message}")
        if not report.ok:
            sys.exit(1)
