"""Seal now and, with ``--export DIR``, write the latest signed checkpoint for an outside auditor.

The directory is the auditor's: each export adds ``checkpoint-<size>.txt`` and, when the directory
already holds an earlier checkpoint, ``consistency-<old>-<new>.json`` proving the new tree extends
the old one. ``public-key.pem`` is written once; an auditor should compare it with the key they
were handed in person.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.audit import proofs, sealer, signing
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.core import context

_CHECKPOINT_FILE = re.compile(r"^checkpoint-(\d+)\.txt$")


class Command(BaseCommand):
    help = "封存审计日志、签署检查点，并可导出检查点文件交外部审计留存。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--export", type=Path, metavar="DIR", help="导出到该目录")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.acting(channel="command"):
            try:
                result = sealer.seal_all()
            except (sealer.SealerRefused, signing.SigningKeyMissing) as exc:
                raise CommandError(str(exc)) from exc
            latest = sealer.latest_checkpoint()
            if result.sealed:
                record(
                    EventType.CHECKPOINT_SIGNED,
                    data={"tree_size": result.tree_size, "sealed": result.sealed},
                )
            self.stdout.write(f"已封存 {result.sealed} 条，日志长度 {result.tree_size}。")
            if latest is None:
                raise CommandError("日志为空，没有可导出的检查点。")
            directory = options["export"]
            if directory is None:
                return
            self._export(Path(directory), latest)

    def _export(self, directory: Path, latest: Any) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        keys = signing.trusted_keys()
        previous = []
        for entry in directory.iterdir():
            if _CHECKPOINT_FILE.match(entry.name):
                try:
                    previous.append(signing.open_checkpoint(entry.read_text(), keys))
                except signing.CheckpointInvalid as exc:
                    raise CommandError(f"{entry} 无效：{exc}") from exc
        target = directory / f"checkpoint-{latest.tree_size}.txt"
        written = [target.name]
        if previous:
            old = max(previous, key=lambda c: c.tree_size)
            if old.tree_size > latest.tree_size:
                raise CommandError(
                    f"目录中的检查点（{old.tree_size}）比当前日志（{latest.tree_size}）更长：日志被截断"
                )
            if old.tree_size < latest.tree_size:
                try:
                    proof = proofs.consistency_proof(old, latest)
                except proofs.ProofError as exc:
                    raise CommandError(str(exc)) from exc
                name = f"consistency-{old.tree_size}-{latest.tree_size}.json"
                (directory / name).write_text(json.dumps(proof, indent=1) + "\n")
                written.append(name)
        target.write_text(latest.note)
        key_file = directory / "public-key.pem"
        if not key_file.exists():
            key_file.write_text(signing.public_pem(signing.load_signing_key().public_key()))
            written.append(key_file.name)
        record(
            EventType.CHECKPOINT_EXPORTED,
            data={"tree_size": latest.tree_size, "files": written},
        )
        for name in written:
            self.stdout.write(f"已写入 {directory / name}")
