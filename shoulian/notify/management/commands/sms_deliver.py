"""Send the due SMS of the outbox outside Huey: ``--once`` (default) or ``--loop``.

The Huey worker does this every minute in production; this command is for operators (flush the
outbox after a gateway outage) and for the crash test (R2), which kills it with SIGKILL.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from shoulian.core import context
from shoulian.notify import delivery


class Command(BaseCommand):
    help = "发送短信发件箱中到期的短信"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="不停地发送，直到进程被终止")
        parser.add_argument("--interval", type=float, default=5.0, help="两轮之间的秒数")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.acting(channel="worker"):
            while True:
                sweep = delivery.deliver_due()
                if sweep.sent or sweep.retrying or sweep.dead or sweep.expired:
                    self.stdout.write(
                        f"sent={sweep.sent} retrying={sweep.retrying} dead={sweep.dead} "
                        f"expired={sweep.expired}"
                    )
                    self.stdout.flush()
                if not options["loop"]:
                    return
                time.sleep(options["interval"])
