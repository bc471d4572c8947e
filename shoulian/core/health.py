"""Health probes for a monitoring system (issue 13 §4): ``/healthz`` and ``manage.py health``.

Each app registers the probes it knows in its ``AppConfig.ready()`` (audit: sealer lag; notify:
age of the oldest due SMS); core owns the registry, the database probe and the queue probe. A
probe measures one number of seconds and fails when it is over its threshold, a setting
``SHOULIAN_HEALTH_<NAME>_SECONDS``; a probe that cannot measure (the database is down) fails.

The queue probe: Huey's scheduler enqueues ``queue_heartbeat`` every minute; a signal notes the
moment it was enqueued and the task, when a worker runs it, stores how long it waited. The
queue's lag is that wait, or, when the next heartbeat is overdue (no worker runs, or the queue is
more than a minute behind), the time since the last one ran minus its minute.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Probe:
    name: str
    seconds: float | None  # None: nothing to measure yet (no heartbeat since installation)
    threshold: float
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        if self.seconds is not None:
            data["seconds"] = round(self.seconds, 3)
        return data


# name -> (measure, default threshold in seconds); measure returns (seconds, detail).
Measure = Callable[[], tuple[float | None, str]]
_PROBES: dict[str, tuple[Measure, float]] = {}


def register(name: str, measure: Measure, *, default_threshold: float) -> None:
    _PROBES[name] = (measure, default_threshold)


def threshold(name: str, default: float) -> float:
    return float(getattr(settings, f"SHOULIAN_HEALTH_{name.upper()}_SECONDS", default))


def run(name: str) -> Probe:
    measure, default = _PROBES[name]
    limit = threshold(name, default)
    try:
        seconds, detail = measure()
    except Exception as exc:  # noqa: BLE001 - a probe that cannot measure is a failed probe
        log.warning("health probe %s failed: %s", name, type(exc).__name__)
        return Probe(name, None, limit, False, f"无法测量：{type(exc).__name__}")
    return Probe(name, seconds, limit, seconds is None or seconds <= limit, detail)


def run_all() -> list[Probe]:
    return [run(name) for name in sorted(_PROBES)]


def registered() -> list[str]:
    return sorted(_PROBES)


# --- The database ---------------------------------------------------------------------------------
def _database() -> tuple[float | None, str]:
    from django.db import connection

    start = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return time.monotonic() - start, ""


register("database", _database, default_threshold=5)


# --- The task queue -------------------------------------------------------------------------------
HEARTBEAT_TASK = "queue_heartbeat"
_LAST_KEY = "shoulian:health:queue-heartbeat"


def _enqueued_key(task_id: str) -> str:
    return f"shoulian:health:enqueued:{task_id}"


def note_enqueued(task_id: str, at: float | None = None) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.put(_enqueued_key(task_id), at if at is not None else time.time())


def note_ran(task_id: str, at: float | None = None) -> float:
    """Store when heartbeat ``task_id`` ran and how long it waited; returns the wait."""
    from huey.contrib.djhuey import HUEY

    now = at if at is not None else time.time()
    enqueued = HUEY.get(_enqueued_key(task_id))  # read once: removes the key
    waited = max(0.0, now - float(enqueued)) if enqueued is not None else 0.0
    HUEY.put(_LAST_KEY, json.dumps({"ran": now, "waited": waited}))
    return waited


def _queue() -> tuple[float | None, str]:
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return 0.0, "任务在调用方直接执行（immediate）"
    raw = HUEY.get(_LAST_KEY, peek=True)
    pending = HUEY.pending_count()
    if raw is None:
        return None, f"尚无心跳（后台任务进程未运行过）；排队 {pending} 个"
    last = json.loads(raw)
    overdue = time.time() - float(last["ran"]) - 60
    lag = max(float(last["waited"]), overdue)
    return lag, f"排队 {pending} 个"


register("queue", _queue, default_threshold=120)
