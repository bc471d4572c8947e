"""The demo seeder, at a small scale: every alert through the services, idempotent."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.core import context
from shoulian.core.demo import demo_window
from shoulian.intake import demo
from shoulian.intake.choices import Channel, FilePurpose
from shoulian.intake.models import Alert, EvidenceFile

pytestmark = pytest.mark.django_db


def test_every_category_of_the_mixes_has_a_narrative() -> None:
    rng = random.Random(1)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 8, 3, 21, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    for code in {**demo.DESK_MIX, **demo.DISPATCH_MIX, **demo.TRANSFER_MIX}:
        text = demo.narrative(code, rng, "王建国", moment, "北大路18号")
        assert len(text) > 20 and "在北大路18号发生纠纷" not in text, code


def test_seeder_creates_alerts_through_the_services_and_runs_twice(monkeypatch: Any) -> None:
    from shoulian.org.demo import seed_organisation

    small = {
        "center_walk_in": 6,
        "station_walk_in": 2,
        Channel.KIOSK: 3,
        Channel.DISPATCH_110: 5,
        Channel.PHONE: 1,
        Channel.ONLINE: 1,
        Channel.BROUGHT_IN: 1,
        Channel.ASSIGNED: 1,
        Channel.ADMIN_TRANSFER: 1,
    }
    monkeypatch.setattr(demo, "PLAN", small)
    with context.acting(channel="command"):
        seed_organisation(rng=random.Random(1))
        summary = demo.seed_alerts(rng=random.Random(2))
        assert "警情 +21" in summary
        again = demo.seed_alerts(rng=random.Random(2))
    assert "未重复载入" in again
    assert Alert.objects.count() == 21
    assert Alert.objects.filter(channel=Channel.DISPATCH_110).count() == 5
    assert Alert.objects.filter(registering_unit__code="35042711").count() == 2
    on_the_spot = Alert.objects.filter(
        channel__in=[Channel.WALK_IN, Channel.KIOSK, Channel.BROUGHT_IN]
    )
    assert not on_the_spot.filter(receipt_issued_at__isnull=True).exists()
    oral = Alert.objects.filter(report_form="oral", channel=Channel.WALK_IN)
    assert oral.exists()
    assert all(
        EvidenceFile.objects.filter(alert=a, purpose=FilePurpose.TRANSCRIPT).exists() for a in oral
    )
    # Registration times are historical, over the five months before today (whatever day the
    # suite runs); the journal has one intake event per alert.
    first, last = demo_window(timezone.localdate())
    days = [timezone.localtime(a.registered_at).date() for a in Alert.objects.all()]
    assert all(first <= day <= last for day in days)
    assert len({(day.year, day.month) for day in days}) >= 3
    assert all(a.registered_at <= timezone.now() for a in Alert.objects.all())
    intake_events = AuditEvent.objects.filter(
        event_type__in=[EventType.ALERT_REGISTERED, EventType.ALERT_IMPORTED]
    )
    assert intake_events.count() == 21
