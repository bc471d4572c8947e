"""Test helpers of the outbox: messages through the service, outbox reads without decryption
shortcuts."""

from __future__ import annotations

from typing import Any

from shoulian.notify.choices import SmsStatus
from shoulian.notify.models import SmsMessage


def messages(alert: Any = None, template: str | None = None) -> list[SmsMessage]:
    qs = SmsMessage.objects.order_by("id")
    if alert is not None:
        qs = qs.filter(alert=alert)
    if template is not None:
        qs = qs.filter(template=template)
    return list(qs)


def recipients(alert: Any, template: str) -> list[str]:
    return [m.mobile.plaintext() for m in messages(alert, template)]


def sent_count() -> int:
    return SmsMessage.objects.filter(status=SmsStatus.SENT).count()
