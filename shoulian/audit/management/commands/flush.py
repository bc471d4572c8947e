"""Django's ``flush``, which must pass the journal's append-only triggers.

The test runner flushes the database between transactional tests; that is allowed only where the
settings say ``AUDIT_ALLOW_FLUSH = True`` (config/settings_test.py, see ``guard.flush_allowed``).
Anywhere else flushing the journal is refused and journalled, before any table is touched (U3, Z6).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import flush

from shoulian.audit import guard


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not guard.flush_allowed():
            guard.record_committed(operation="flush", table="*")
            raise CommandError("审计日志只能追加，不能清空：flush 已拒绝并记入审计日志。")
        with guard.maintenance(guard.MODE_FLUSH, using=options["database"]):
            super().handle(**options)
