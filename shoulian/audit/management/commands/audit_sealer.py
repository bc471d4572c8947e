"""The sealer loop: seal and sign every ``--interval`` seconds (sub-second lag).

Huey's finest schedule is one minute; the periodic task ``seal_journal`` is the safety net, this
loop is what keeps commit-to-signature lag under two seconds. Run exactly one per deployment
(a second one only waits on the lock).
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from shoulian.audit import sealer, signing
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.core import context

log = logging.getLogger(__name__)


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
        deadline = time.monotonic() + options["max_seconds"] if options["max_seconds"] else None
        refused: str | None = None
        with context.acting(channel="worker"):
            while not stop:
                if not connection.in_atomic_block:
                    # A long-running loop must drop broken or expired connections itself.
                    close_old_connections()
                try:
                    result = sealer.seal_all(key=key)
                    refused = None
                    if result.sealed:
                        log.debug("sealed %d events, tree size %d", result.sealed, result.tree_size)
                except sealer.SealerRefused as exc:
                    if str(exc) != refused:
                        # Once per distinct problem, or the refusal would flood the journal.
                        refused = str(exc)
                        log.error("audit sealer refused: %s", exc)
                        record(
                            EventType.SEALER_REFUSED,
                            outcome=Outcome.FAILURE,
                            data={"reason": refused},
                        )
                if options["once"] or (deadline is not None and time.monotonic() > deadline):
                    break
                time.sleep(options["interval"])
