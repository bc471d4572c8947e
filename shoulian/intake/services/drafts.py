"""Drafts of the registration form: encrypted, their owner's alone, gone after a week."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.intake.models import AlertDraft
from shoulian.intake.services.common import require_desk_clerk

DRAFT_LIFETIME = timedelta(days=7)


def draft_save(
    *, actor: Any, payload: dict[str, Any], summary: str, draft: AlertDraft | None = None
) -> AlertDraft:
    unit = require_desk_clerk(actor)
    text = json.dumps(payload, ensure_ascii=True, sort_keys=True)
    with transaction.atomic():
        now = timezone.now()
        if draft is None:
            draft = AlertDraft(owner=actor, unit=unit, created_at=now)
        elif draft.owner_id != actor.pk:
            deny(actor, action="save_draft", obj=draft)
        draft.payload = text
        draft.summary = summary[:120]
        draft.updated_at = now
        draft.save()
        record(EventType.ALERT_DRAFT_SAVED, obj=draft, actor=actor, data={"summary": summary})
    return draft


def draft_discard(*, actor: Any, draft: AlertDraft) -> None:
    if draft.owner_id != actor.pk:
        deny(actor, action="discard_draft", obj=draft)
    with transaction.atomic():
        record(EventType.ALERT_DRAFT_DISCARDED, obj=draft, actor=actor)
        draft.delete()


def drafts_purge_expired() -> int:
    """Drafts hold personal data that was never registered: they do not outlive a week."""
    cutoff = timezone.now() - DRAFT_LIFETIME
    expired = list(AlertDraft.objects.filter(updated_at__lt=cutoff).values_list("pk", flat=True))
    if not expired:
        return 0
    with transaction.atomic():
        AlertDraft.objects.filter(pk__in=expired).delete()
        record(EventType.ALERT_DRAFT_DISCARDED, data={"expired": len(expired)})
    return len(expired)
