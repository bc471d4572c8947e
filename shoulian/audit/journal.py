"""The one write API of the audit journal.

Every service calls ``record(...)`` inside its own ``transaction.atomic`` block, so a failed journal
write rolls the business change back with it (U5). Actor, address and request id come from the
actor context opened by the middleware, a management command or a task.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.core import context

ObjectRef = models.Model | tuple[str, Any] | None


def object_ref(obj: ObjectRef) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    return obj._meta.label_lower.split(".")[-1], str(obj.pk)


def record(
    event_type: EventType,
    *,
    obj: ObjectRef = None,
    outcome: Outcome = Outcome.SUCCESS,
    data: Mapping[str, Any] | None = None,
    actor: Any = None,
) -> AuditEvent:
    ctx = context.current()
    actor = actor if actor is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    object_type, object_id = object_ref(obj)
    with transaction.atomic():
        return AuditEvent.objects.create(
            event_type=int(event_type),
            occurred_at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.username if actor is not None else "",
            actor_roles=",".join(sorted(actor.role_set)) if actor is not None else "",
            actor_unit_id=actor.unit_id if actor is not None else None,
            source_ip=ctx.source_ip,
            channel=ctx.channel,
            request_id=ctx.request_id,
            object_type=object_type,
            object_id=object_id,
            outcome=str(outcome),
            data=dict(data or {}),
        )
