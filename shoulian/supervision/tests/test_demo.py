"""The demo's patrols (on the small demo: the volume changes the counts, not the shape): findings
in several states with some through the whole chain, proof attached through the evidence
pipeline, and every demo user's inbox readable (at most ``demo.KEEP_UNREAD`` unread)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings

from shoulian.supervision.models import Finding, InboxMessage, PatrolRun, Rectification

pytestmark = pytest.mark.django_db


@override_settings(DEMO_MODE=True)
def test_demo_patrols_leave_findings_through_the_chain_and_sane_inboxes(
    small_demo: None, time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shoulian.supervision import demo

    # The small demo pushes fewer messages than the full one: a small bound shows the trimming.
    monkeypatch.setattr(demo, "KEEP_UNREAD", 3)
    # Some weeks after the demo's first patrol day (supervision's tests otherwise sit in June).
    time_machine.move_to(dt.datetime(2026, 8, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "supervision: 巡查" in out.getvalue(), out.getvalue()
    assert PatrolRun.objects.filter(status="done").count() > 10
    # Some rectified through the whole chain (the full demo's volume gives every state).
    assert Finding.objects.filter(status="closed").exists()
    rounds = list(Rectification.objects.select_related("finding"))
    assert rounds
    for r in rounds:
        # Every third finding's answers carry a photo of the proof, stored as alert evidence.
        expected = r.finding_id % 3 == 0 and r.finding.alert_id is not None
        assert [f.purpose for f in r.files.all()] == (["rectification"] if expected else [])
    unread = (
        InboxMessage.objects.filter(read_at=None)
        .values("recipient")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    assert unread and unread[0]["n"] <= 3
    # Read because the user acted on the finding, or trimmed as older than the newest three.
    assert InboxMessage.objects.exclude(read_at=None).exists()
    # Idempotent: a second run adds no patrol.
    runs = PatrolRun.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert PatrolRun.objects.count() == runs
