"""Re-encrypt personal data under the current key (the first of SHOULIAN_PII_KEYS).

Procedure (docs/privacy.md): put the new key first in SHOULIAN_PII_KEYS and keep the old ones,
restart, run this command, and only when it reports nothing left under old keys remove them.
``--reindex`` recomputes every blind index (after changing SHOULIAN_PII_INDEX_KEY or
PII_INDEX_HASH, or to repair rows written with ``QuerySet.update()``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.core import context
from shoulian.privacy.crypto import key_ring
from shoulian.privacy.rotation import encrypted_models, rotate_model


class Command(BaseCommand):
    help = "把个人信息换用当前密钥重新加密（密钥轮换），可选重建检索索引。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每个事务处理的行数")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")
        parser.add_argument("--reindex", action="store_true", help="同时重算检索索引")
        parser.add_argument(
            "--model",
            action="append",
            default=[],
            help="只处理该模型，如 intake.Reporter（可重复）",
        )

    def handle(
        self,
        *args: Any,
        batch_size: int,
        dry_run: bool,
        reindex: bool,
        model: list[str],
        **options: Any,
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size 必须大于 0。")
        ring = key_ring()
        targets = encrypted_models()
        if model:
            wanted = {label.lower() for label in model}
            unknown = wanted - {m._meta.label_lower for m in targets}
            if unknown:
                raise CommandError(f"这些模型没有加密字段或不存在：{', '.join(sorted(unknown))}")
            targets = [m for m in targets if m._meta.label_lower in wanted]
        self.stdout.write(f"当前密钥：{ring.current_id}（{ring.cipher.name}）")
        pending = 0
        with context.acting(channel="command"):
            for target in targets:
                result = rotate_model(
                    target, batch_size=batch_size, reindex=reindex, dry_run=dry_run
                )
                verb = "需" if dry_run else "已"
                old = "、".join(sorted(result.old_key_ids)) or "无"
                self.stdout.write(
                    f"{result.model}：共 {result.rows} 行，{verb}重新加密 {result.reencrypted_rows} 行"
                    f"（旧密钥：{old}）"
                    + (f"，{verb}重建索引 {result.reindexed_rows} 行" if reindex else "")
                )
                pending += result.reencrypted_rows
        if dry_run:
            self.stdout.write(f"试运行：{pending} 行仍在旧密钥下，未作修改。")
        else:
            scope = "所选模型" if model else "全部"
            self.stdout.write(
                self.style.SUCCESS(f"完成：{scope}个人信息已在当前密钥 {ring.current_id} 下。")
            )
