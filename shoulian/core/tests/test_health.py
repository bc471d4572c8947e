"""Issue 13 §4: ``/healthz`` and ``manage.py health`` report sealer lag, outbox age and queue lag,
and fail (HTTP 503, exit 1) when one is over its threshold."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from shoulian.audit import sealer, signing
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.core import health
from shoulian.core import tasks as core_tasks
from shoulian.notify.choices import TemplateKey
from shoulian.notify.services import sms_enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing_key(settings: Any, tmp_path: Path) -> Ed25519PrivateKey:
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "signing-key.pem")
    settings.AUDIT_TRUSTED_PUBLIC_KEYS = []
    return signing.generate_key()


def healthz() -> tuple[int, dict[str, Any]]:
    response = Client().get(reverse("core:healthz"))
    return response.status_code, response.json()


def test_every_probe_is_registered_and_reported() -> None:
    assert health.registered() == ["database", "outbox", "queue", "sealer"]
    status, body = healthz()
    assert set(body["checks"]) == {"database", "outbox", "queue", "sealer"}
    assert body["checks"]["sealer"]["threshold"] == 120


def test_sealer_lag_over_its_threshold_fails_healthz_and_the_command(
    signing_key: Ed25519PrivateKey, settings: Any, capsys: Any
) -> None:
    settings.SHOULIAN_HEALTH_SEALER_SECONDS = 30
    sealer.seal_all(key=signing_key)
    assert healthz()[0] == 200
    record(EventType.USER_UPDATED, obj=("user", "1"))
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=45)):
        status, body = healthz()
        assert status == 503 and body["failing"] == ["sealer"]
        assert body["checks"]["sealer"]["seconds"] > 30
        with pytest.raises(SystemExit) as exit_info:
            call_command("health")
        assert exit_info.value.code == 1
        assert "FAIL sealer" in capsys.readouterr().out
        sealer.seal_all(key=signing_key)
        assert healthz()[0] == 200
        call_command("health", "--json")
        assert json.loads(capsys.readouterr().out)["status"] == "ok"


def test_an_old_unsent_sms_fails_the_outbox_probe(settings: Any) -> None:
    settings.SHOULIAN_HEALTH_OUTBOX_SECONDS = 600
    sms_enqueue(
        template=TemplateKey.RECEIVED,
        to="13800138000",
        context={"number": "JQ1", "query_code": "ABCD2345"},
        key="health:1",
    )
    assert healthz()[0] == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=700)):
        status, body = healthz()
    assert status == 503 and "outbox" in body["failing"]  # (its journal event is unsealed too)


def test_the_queue_probe_measures_the_heartbeats_wait_and_an_overdue_heartbeat(
    monkeypatch: Any,
) -> None:
    assert core_tasks.queue_heartbeat.task_class in HUEY._registry._periodic_tasks
    now = timezone.now().timestamp()
    monkeypatch.setattr(HUEY, "_immediate", False, raising=False)
    monkeypatch.setattr(type(HUEY), "immediate", property(lambda self: False))
    monkeypatch.setattr(HUEY, "pending_count", lambda: 7)
    store: dict[str, Any] = {}
    monkeypatch.setattr(HUEY, "put", lambda key, value: store.__setitem__(key, value))
    monkeypatch.setattr(
        HUEY, "get", lambda key, peek=False: store.get(key) if peek else store.pop(key, None)
    )
    assert health.run("queue").seconds is None  # no heartbeat yet: reported, not failed
    health.note_enqueued("t1", at=now - 50)
    assert health.note_ran("t1", at=now - 10) == 40
    probe = health.run("queue")
    assert probe.ok and 39 < (probe.seconds or 0) < 41 and "排队 7" in probe.detail
    # No heartbeat ran for five minutes: the worker is stuck or gone.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=300)):
        probe = health.run("queue")
    assert not probe.ok and (probe.seconds or 0) > 200


def test_a_probe_that_cannot_measure_fails(monkeypatch: Any) -> None:
    def broken() -> tuple[float | None, str]:
        raise RuntimeError("no")

    monkeypatch.setitem(health._PROBES, "broken", (broken, 1))
    status, body = healthz()
    assert status == 503 and body["failing"] == ["broken"]
    assert body["checks"]["broken"]["ok"] is False


def test_a_load_balancer_can_ask_for_the_database_probe_alone(settings: Any) -> None:
    sms_enqueue(
        template=TemplateKey.RECEIVED,
        to="13800138000",
        context={"number": "JQ1", "query_code": "ABCD2345"},
        key="health:lb",
    )
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=700)):
        assert healthz()[0] == 503
        response = Client().get(reverse("core:healthz"), {"check": "database"})
    assert response.status_code == 200 and set(response.json()["checks"]) == {"database"}
