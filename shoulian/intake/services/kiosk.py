"""Registering an alert at a self-service kiosk (自助终端) and printing its receipt there.

The citizen types the report herself: a written report (书面报案) with one reporter, no clerk and
no files. The kiosk's unit (a center) is the registering unit and the alert waits for routing at
the center like an alert of the center's desk. The caller (the citizen app) has checked that the
device is an enrolled, enabled kiosk and opened the actor context with the kiosk's id."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from shoulian.audit.catalogue import EventType
from shoulian.intake.choices import Channel, PartyRole, ReportForm
from shoulian.intake.models import Alert
from shoulian.intake.services.alerts import _create, _validate, fingerprint
from shoulian.intake.services.common import AlertInput, Registration
from shoulian.intake.services.receipts import print_copy
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit

# A kiosk stands in the hall of a 受立案管理中心; its alerts wait there for routing.
KIOSK_UNIT_KINDS = frozenset({UnitKind.CENTER})


def kiosk_scope(kiosk_id: int) -> str:
    """The idempotency scope of one kiosk: keys of two kiosks never collide (R5)."""
    return f"kiosk:{kiosk_id}"


def alert_register_at_kiosk(
    *,
    kiosk_id: int,
    unit: Unit,
    data: AlertInput,
    idempotency_key: str,
    now: datetime | None = None,
) -> Registration:
    """Register the citizen's own report or help request typed at kiosk ``kiosk_id``.

    A repeated submission with the same key returns the first registration; the same key with
    another body raises ``IdempotencyConflict`` (R5). A missing key is refused before anything
    is looked at (the view answers 400)."""
    if unit.kind not in KIOSK_UNIT_KINDS or not unit.is_active:
        raise PermissionDenied("自助终端所属单位不能登记警情。")
    key = idempotency_key.strip()
    if not key:
        raise ValidationError("缺少提交编号，请返回首页重新填写。")
    if data.channel != Channel.KIOSK or data.report_form != ReportForm.WRITTEN:
        raise ValidationError({"channel": "自助终端只能登记本人填写的书面报案。"})
    if len(data.parties) != 1 or data.parties[0].role != PartyRole.REPORTER:
        raise ValidationError({"parties": "自助终端登记一名报案人（本人）。"})
    if data.files or data.items:
        raise ValidationError({"files": "自助终端不接收证据材料，请到窗口提交。"})
    if not data.parties[0].phone.strip():
        raise ValidationError({"party-0-phone": "请填写手机号码，用于接收办理进度短信。"})
    cleaned = _validate(data, machine=False)
    # The kiosk stamps the time of receipt itself at each submission: a retry of the same form
    # differs only there, so the fingerprint leaves it out (R5: replay → same answer).
    digest = fingerprint(replace(cleaned, received_at=cleaned.incident_at))
    return _create(
        data=cleaned,
        unit=unit,
        actor=None,
        scope=kiosk_scope(kiosk_id),
        key=key,
        digest=digest,
        handling_unit=None,
        event_type=EventType.ALERT_REGISTERED,
        registration_complete=True,
        now=now,
    )


def receipt_print_at_kiosk(*, kiosk_id: int, alert: Alert, now: datetime | None = None) -> bytes:
    """The receipt PDF for the kiosk's printer: only for an alert this kiosk registered. The
    first print issues the receipt, later ones are journalled reprints (as at the desk)."""
    if alert.channel != Channel.KIOSK or not _registered_by_kiosk(alert, kiosk_id):
        raise PermissionDenied("该回执不是本终端登记的警情。")
    return print_copy(alert=alert, now=now, journal={"kiosk": kiosk_id})


def _registered_by_kiosk(alert: Alert, kiosk_id: int) -> bool:
    from shoulian.intake.models import IdempotencyKey

    return IdempotencyKey.objects.filter(alert=alert, scope=kiosk_scope(kiosk_id)).exists()


def kiosk_alert_input(**values: Any) -> AlertInput:
    """An ``AlertInput`` for the kiosk channel (the citizen writes the report herself)."""
    return AlertInput(channel=Channel.KIOSK, report_form=ReportForm.WRITTEN, **values)
