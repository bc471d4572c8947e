"""Recompute the SHA-256 of every stored evidence file and compare it with the hash taken at
intake (F5). Exit status 1 when any file is changed or missing; each one is journalled."""

from django.core.management.base import BaseCommand, CommandError

from shoulian.core import context
from shoulian.intake import services


class Command(BaseCommand):
    help = "校验证据文件的 SHA-256"

    def handle(self, *args, **options):
        with context.acting(channel="command"):
            result = services.evidence_verify()
        self.stdout.write(f"已校验 {result.checked} 个文件。")
        if result.mismatched or result.missing:
            raise CommandError(
                f"内容不符 {len(result.mismatched)} 个（{result.mismatched[:20]}），"
                f"缺失 {len(result.missing)} 个（{result.missing[:20]}）。"
            )
        self.stdout.write(self.style.SUCCESS("全部一致。"))
