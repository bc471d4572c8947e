"""Print a fresh key for SHOULIAN_PII_KEYS (or, with --index, for SHOULIAN_PII_INDEX_KEY)."""

from __future__ import annotations

import base64
import os
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.privacy.crypto import CIPHERS, INDEX_KEY_MIN_SIZE, KEY_ID_PATTERN
from shoulian.privacy.validators import SHANGHAI


class Command(BaseCommand):
    help = "生成个人信息加密密钥（id:base64，放在 SHOULIAN_PII_KEYS 最前面）或检索索引密钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id", dest="key_id", help="密钥编号，默认 k+今天日期，如 k20250101")
        parser.add_argument("--index", action="store_true", help="生成检索索引密钥")

    def handle(self, *args: Any, key_id: str | None, index: bool, **options: Any) -> None:
        if index:
            self.stdout.write(base64.b64encode(os.urandom(INDEX_KEY_MIN_SIZE)).decode())
            return
        cipher = getattr(settings, "PII_CIPHER", "") or "sm4-gcm"
        if cipher not in CIPHERS:
            raise CommandError(f"PII_CIPHER 取值无效：{cipher}")
        key_id = key_id or "k" + datetime.now(SHANGHAI).strftime("%Y%m%d")
        if not KEY_ID_PATTERN.match(key_id):
            raise CommandError("密钥编号为 1–16 位字母、数字、_ 或 -，以字母或数字开头。")
        key = base64.b64encode(os.urandom(CIPHERS[cipher].key_size)).decode()
        self.stdout.write(f"{key_id}:{key}")
