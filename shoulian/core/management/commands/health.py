"""``manage.py health``: the probes of ``/healthz`` for a monitoring system that runs commands.

Prints one line per probe (or JSON with ``--json``) and exits 1 when any probe is over its
threshold (``SHOULIAN_HEALTH_<NAME>_SECONDS``), 0 otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shoulian.core import health


class Command(BaseCommand):
    help = "报告系统健康状况（封存延迟、短信积压、任务队列延迟）；超过阈值时退出码为 1。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        probes = health.run_all()
        failing = [probe for probe in probes if not probe.ok]
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "status": "failing" if failing else "ok",
                        "checks": {probe.name: probe.as_dict() for probe in probes},
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for probe in probes:
                seconds = "—" if probe.seconds is None else f"{probe.seconds:.1f}s"
                mark = "ok  " if probe.ok else "FAIL"
                self.stdout.write(
                    f"{mark} {probe.name:<10} {seconds:>9} (阈值 {probe.threshold:g}s) {probe.detail}"
                )
        if failing:
            raise SystemExit(1)
