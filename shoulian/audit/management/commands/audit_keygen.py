"""Create the sealer's Ed25519 signing key (once per deployment) and print its public half."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.audit import signing
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.core import context


class Command(BaseCommand):
    help = "生成审计日志签名密钥（Ed25519），并输出公钥供外部审计人员留存。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, help="密钥文件路径（默认 AUDIT_SIGNING_KEY_FILE）")
        parser.add_argument(
            "--if-missing", action="store_true", help="密钥已存在时不报错（用于部署脚本）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"] or signing.key_path()
        if path.exists() and options["if_missing"]:
            key = signing.load_signing_key(path)
        else:
            try:
                key = signing.generate_key(path)
            except FileExistsError as exc:
                raise CommandError(f"{exc}：不会覆盖现有密钥（换钥须保留旧公钥）。") from exc
            with context.acting(channel="command"):
                kid = signing.key_id(signing.origin(), key.public_key()).hex()
                record(
                    EventType.SIGNING_KEY_CREATED, data={"key_id": kid, "origin": signing.origin()}
                )
        public = key.public_key()
        self.stdout.write(f"密钥文件：{path}")
        self.stdout.write(f"日志名称：{signing.origin()}")
        self.stdout.write(f"密钥编号：{signing.key_id(signing.origin(), public).hex()}")
        self.stdout.write(signing.public_pem(public))
