"""Test data for complaints and follow-ups, always made through the services. The citizen tests
may use ``file_complaint`` to put a complaint (and its answer) behind a query code."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from shoulian.feedback.models import Complaint, FollowUp
from shoulian.feedback.services import complaint_answer, complaint_submit
from shoulian.intake.tests.helpers import MOBILE

COMPLAINT_TEXT = "窗口民警接待时态度生硬，没有告知我如何查询办理进度。"


def kiosk_at(unit: Any, pk: int = 1) -> Any:
    """A kiosk as the complaint service sees one (its id and unit); the kiosk itself belongs to
    the citizen app and is not needed here."""
    return SimpleNamespace(pk=pk, unit=unit)


def file_complaint(
    *,
    channel: str = "kiosk",
    unit: Any = None,
    alert: Any = None,
    actor: Any = None,
    kind: str = "complaint",
    content: str = COMPLAINT_TEXT,
    mobile: str = MOBILE,
    name: str = "王小明",
    key: str | None = None,
    answer_by: Any = None,
    answer: str = "经核查，已对当班民警进行批评教育，并在窗口公示查询方式。感谢您的监督。",
) -> Complaint:
    """File a complaint through ``complaint_submit``: from a kiosk at ``unit`` (default), the
    query page (``alert``) or the desk (``actor``); answered at once when ``answer_by`` (a center
    head) is given."""
    kiosk = kiosk_at(unit) if channel == "kiosk" else None
    complaint = complaint_submit(
        channel=channel,
        kind=kind,
        content=content,
        mobile=mobile,
        name=name,
        alert=alert,
        actor=actor,
        kiosk=kiosk,
        idempotency_key=key or uuid.uuid4().hex,
    )
    if answer_by is not None:
        complaint = complaint_answer(actor=answer_by, complaint=complaint, answer=answer)
    return complaint


def follow_up_of(alert: Any) -> FollowUp:
    return FollowUp.objects.select_related("alert", "center").get(alert=alert)
