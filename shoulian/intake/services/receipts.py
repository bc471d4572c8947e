"""Issuing and reprinting the 接报案回执."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record, record_read
from shoulian.intake.models import Alert
from shoulian.intake.services.common import ConcurrentUpdate, _denied


def receipt_print(*, actor: Any, alert: Alert, now: datetime | None = None) -> bytes:
    """The receipt PDF. The first print issues the receipt (a business event); every later one
    is a reprint, journalled as a document print (U1)."""
    from shoulian.intake import receipt

    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        raise _denied(actor, "print_receipt", alert)
    for _attempt in range(5):
        current = Alert.objects.values_list("receipt_print_count", flat=True).get(pk=alert.pk)
        copy = current + 1
        # Render outside the transaction: font subsetting takes a while, and SQLite would hold
        # its write lock for all of it. The print number is claimed by compare-and-set below.
        printed_at = now or timezone.now()
        pdf = receipt.render(alert=alert, copy=copy, printed_by=actor, printed_at=printed_at)
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert.pk, receipt_print_count=current).update(
                receipt_print_count=copy,
                receipt_issued_at=alert.receipt_issued_at or printed_at,
            )
            if not claimed:
                continue
            if copy == 1:
                record(
                    EventType.RECEIPT_ISSUED,
                    obj=alert,
                    actor=actor,
                    data={"number": alert.number, "sha256": hashlib.sha256(pdf).hexdigest()},
                )
            else:
                record_read(
                    EventType.DOCUMENT_PRINTED,
                    obj=alert,
                    actor=actor,
                    document="receipt",
                    copy=copy,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                )
        alert.receipt_print_count = copy
        alert.receipt_issued_at = alert.receipt_issued_at or printed_at
        return pdf
    raise ConcurrentUpdate("回执正在被同时打印，请稍后重试。")
