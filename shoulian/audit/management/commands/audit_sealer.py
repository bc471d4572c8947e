"""The sealer loop: seal and sign every ``--interval`` seconds (sub-second lag).

Huey's finest schedule is one minute; the periodic task ``seal_journal`` is the safety net, this
loop is what keeps commit-to-signature lag under two seconds. Run exactly one per deployment
(a second one only waits on the lock). Database errors do not end it: it backs off, reconnects
and journals each distinct error once (``sealer.run_loop``); ``manage.py health`` and
``/healthz`` report its lag.
"""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shoulian.audit import sealer, signing
from shoulian.core import context


class Command(BaseCommand):
    help = "持续封存审计日志并签署检查点。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.25, help="轮询间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只封存一次")
        parser.add_argument(
            "--max-seconds", type=float, default=0, help="运行多少秒后退出（0 为不限）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = signing.load_signing_key()
        stop = False

        def request_stop(signum: int, frame: Any) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        with context.acting(channel="worker"):
            sealer.run_loop(
                key=key,
                interval=options["interval"],
                should_stop=lambda: stop,
                once=options["once"],
                max_seconds=options["max_seconds"],
            )
