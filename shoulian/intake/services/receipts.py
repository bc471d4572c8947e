"""Issuing and reprinting the 接报案回执."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record, record_read
from shoulian.intake import hooks
from shoulian.intake.models import Alert
from shoulian.intake.services.common import ConcurrentUpdate


def receipt_print(*, actor: Any, alert: Alert, now: datetime | None = None) -> bytes:
    """The receipt PDF. The first print issues the receipt (a business event); every later one
    is a reprint, journalled as a document print (U1)."""
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        deny(actor, action="print_receipt", obj=alert)
    return print_copy(alert=alert, actor=actor, now=now)


def print_copy(
    *,
    alert: Alert,
    actor: Any = None,
    now: datetime | None = None,
    journal: Mapping[str, Any] | None = None,
) -> bytes:
    """Render the next copy of ``alert``'s receipt, claim its print number and journal it: the
    first print issues the receipt, later ones are journalled reprints. The caller has checked
    that ``actor`` (the desk) or the kiosk may print it; ``journal`` adds to the events' data
    (the kiosk's id)."""
    # ReportLab and the fonts load only in a process that prints.
    from shoulian.intake import receipt

    extra = dict(journal or {})
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
            digest = hashlib.sha256(pdf).hexdigest()
            if copy == 1:
                record(
                    EventType.RECEIPT_ISSUED,
                    obj=alert,
                    actor=actor,
                    data={"number": alert.number, "sha256": digest, **extra},
                )
                hooks.dispatch(hooks.IntakeEvent.RECEIPT_ISSUED, alert, printed_at)
            else:
                record_read(
                    EventType.DOCUMENT_PRINTED,
                    obj=alert,
                    actor=actor,
                    document="receipt",
                    copy=copy,
                    sha256=digest,
                    **extra,
                )
        alert.receipt_print_count = copy
        alert.receipt_issued_at = alert.receipt_issued_at or printed_at
        return pdf
    raise ConcurrentUpdate("回执正在被同时打印，请稍后重试。")
