"""Export one object's events with inclusion proofs against the latest signed checkpoint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.audit import proofs, sealer, signing
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.core import context


class Command(BaseCommand):
    help = "导出某一对象的全部审计事件及其包含证明，供外部离线校验。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--object", required=True, help="类型:编号，如 alert:42、user:7")
        parser.add_argument("--out", required=True, type=Path, help="输出文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            object_type, object_id = proofs.parse_object(options["object"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with context.acting(channel="command"):
            try:
                sealer.seal_all()
            except (sealer.SealerRefused, signing.SigningKeyMissing) as exc:
                raise CommandError(str(exc)) from exc
            checkpoint = sealer.latest_checkpoint()
            if checkpoint is None:
                raise CommandError("日志为空。")
            try:
                proof = proofs.object_proof(object_type, object_id, checkpoint)
            except proofs.ProofError as exc:
                raise CommandError(str(exc)) from exc
            if not proof["events"]:
                raise CommandError(f"没有找到 {object_type}:{object_id} 的已封存事件。")
            Path(options["out"]).write_text(json.dumps(proof, ensure_ascii=False, indent=1) + "\n")
            record(
                EventType.PROOF_EXPORTED,
                obj=(object_type, object_id),
                data={"events": len(proof["events"]), "tree_size": checkpoint.tree_size},
            )
        self.stdout.write(
            f"已导出 {len(proof['events'])} 条事件的证明（检查点 {checkpoint.tree_size}）到 {options['out']}"
        )
