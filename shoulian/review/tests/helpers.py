"""Test data for the review app, made through the services."""

from __future__ import annotations

import hashlib
from typing import Any

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.intake.tests.helpers import file_input

# A minimal MP4 (ftyp box): identified by content as video/mp4.
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00\x00\x00\x08free"


def mp4(tag: str = "a") -> Any:
    return file_input(f"现场{tag}.mp4", MP4 + tag.encode() * 32)


def digest(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()


def events(event_type: EventType, outcome: str | None = None) -> int:
    qs = AuditEvent.objects.filter(event_type=event_type)
    if outcome is not None:
        qs = qs.filter(outcome=outcome)
    return qs.count()
