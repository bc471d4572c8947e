"""R2: the worker is killed (SIGKILL) in the middle of a send. The message stays in flight under
the dead worker's lease; when the lease lapses a new worker resends it under the same message id,
the provider keeps one copy, and every message ends sent — delivered exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.models import SmsMessage
from shoulian.notify.services import sms_enqueue
from shoulian.notify.tests.fake_gateway import KEY, SECRET, FakeProvider, running

LEASE_SECONDS = 2


def worker_env(url: str) -> dict[str, str]:
    """The test database and the fake gateway, for a worker in another process."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "SHOULIAN_SMS_GATEWAY": "http",
        "SHOULIAN_SMS_URL": url,
        "SHOULIAN_SMS_KEY": KEY,
        "SHOULIAN_SMS_SECRET": SECRET,
        "SHOULIAN_SMS_LEASE_SECONDS": str(LEASE_SECONDS),
        "SHOULIAN_SMS_TIMEOUT_SECONDS": "30",
    }
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SHOULIAN_SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "sms_deliver", "--loop", "--interval", "0.2"],
            cwd=str(django_settings.BASE_DIR),
            env=worker_env(url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(predicate: Any, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_every_message_is_delivered_exactly_once(
    settings: Any, tmp_path: Path
) -> None:
    # The worker subprocess sends; this process only writes the outbox.
    settings.SHOULIAN_SMS_DELIVER_ON_COMMIT = False
    log = tmp_path / "worker.log"
    with running(FakeProvider(script=["block"])) as provider:
        queued = [
            sms_enqueue(
                template=TemplateKey.ONE_TIME_CODE,
                to=f"1380013800{n}",
                context={"code": f"49381{n}", "minutes": "10"},
                key=f"otp:r2:{n}",
            )
            for n in range(3)
        ]
        ids = [str(m.message_id) for m in queued if m is not None]
        assert len(ids) == 3

        first = start_worker(provider.url, log)
        try:
            assert provider.first_request.wait(90), log.read_text()
        finally:
            # kill -9 while the provider holds the request open: nothing after the send runs.
            os.kill(first.pid, signal.SIGKILL)
            first.wait(30)
        provider.release.set()
        in_flight = SmsMessage.objects.get(message_id=provider.seen[0])
        assert in_flight.status == SmsStatus.SENDING and in_flight.attempts == 1

        second = start_worker(provider.url, log)
        try:
            done = wait_for(lambda: SmsMessage.objects.filter(status=SmsStatus.SENT).count() == 3)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
        assert done, log.read_text()

    seen = Counter(provider.seen)
    assert seen[str(in_flight.message_id)] == 2  # resent after the lease lapsed
    assert sum(seen.values()) == 4
    assert provider.delivered == {message_id: 1 for message_id in ids}  # once each, after dedup
    assert provider.bad_signatures == 0
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}
    assert AuditEvent.objects.filter(event_type=EventType.SMS_SENT).count() == 3
