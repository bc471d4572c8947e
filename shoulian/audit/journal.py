"""The one write API of the audit journal.

Every service calls ``record(...)`` inside its own ``transaction.atomic`` block, so a failed journal
write rolls the business change back with it (U5). Actor, address and request id come from the
actor context opened by the middleware, a management command or a task.

A write is one INSERT of the canonical body: no predecessor hash, no counter row. Writers therefore
never wait for each other; the sealer orders committed events afterwards (docs/audit.md).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone

from shoulian.audit import canonical, guard
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.core import context
from shoulian.core.policy import Viewer
from shoulian.core.text import Text

ObjectRef = models.Model | tuple[str, Any] | None
# Django's Choices.values rebuilds its list (with translated labels) on every access.
_EVENT_TYPES = frozenset(EventType.values)
_OUTCOMES = frozenset(Outcome.values)


def object_ref(obj: ObjectRef) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        object_type, object_id = str(obj[0]), str(obj[1])
    else:
        object_type, object_id = obj._meta.label_lower.split(".")[-1], str(obj.pk)
    if not canonical.OBJECT_TYPE_RE.match(object_type) or not canonical.OBJECT_ID_RE.match(
        object_id
    ):
        raise ValueError(f"审计对象引用格式错误：{object_type!r}:{object_id!r}")
    return object_type, object_id


def _actor_fields(actor: Viewer) -> dict[str, Any]:
    # An anonymous visitor (a citizen, a signed-out request) is no actor: the event says nobody.
    if actor is None or isinstance(actor, AnonymousUser):
        return {
            "actor_id": None,
            "actor_username": "",
            "actor_roles": "",
            "actor_unit_id": None,
            "actor_unit_path": "",
        }
    unit_id = getattr(actor, "unit_id", None)
    # Read the unit (maybe a query) only when there is one.
    unit = actor.unit if unit_id else None
    return {
        "actor_id": actor.pk,
        "actor_username": actor.username,
        "actor_roles": ",".join(sorted(actor.role_set)),
        "actor_unit_id": unit_id,
        "actor_unit_path": unit.path if unit is not None else "",
    }


# Where an object belongs, for events nobody signed in caused: a unit is itself, an account or a
# kiosk has its unit, an alert its registering unit, a complaint its center.
_SUBJECT_UNIT_ATTRS = ("unit", "registering_unit", "center")


def _subject_unit_path(obj: ObjectRef) -> str:
    if obj is None or isinstance(obj, tuple):
        return ""
    if obj._meta.label_lower == "org.unit":
        return str(getattr(obj, "path", "") or "")
    for attr in _SUBJECT_UNIT_ATTRS:
        unit = getattr(obj, attr, None)
        if unit is not None:
            return str(getattr(unit, "path", "") or "")
    return ""


def build_body(
    event_type: EventType | int,
    *,
    obj: ObjectRef = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    data: Mapping[str, Any] | None = None,
    actor: Viewer = None,
) -> str:
    ctx = context.current()
    actor = actor if actor is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if int(event_type) not in _EVENT_TYPES:
        raise ValueError(f"未登记的审计事件类型：{event_type}")
    if str(outcome) not in _OUTCOMES:
        raise ValueError(f"未知的审计结果：{outcome}")
    object_type, object_id = object_ref(obj)
    payload = dict(data or {})
    if actor is None and not payload.get("subject_unit_path"):
        # Events nobody signed in caused (failed logins, locks, jobs, the kiosk, the citizen's
        # query) belong to the bureau of what they concern, so that only that bureau's inspector
        # sees them (Z2). A caller holding only a reference (a tuple) passes the path itself.
        subject_path = _subject_unit_path(obj)
        if subject_path:
            payload["subject_unit_path"] = subject_path
    return canonical.event_body(
        event_type=int(event_type),
        occurred_us=canonical.utc_microseconds(timezone.now()),
        source_ip=ctx.source_ip,
        channel=ctx.channel,
        request_id=ctx.request_id,
        object_type=object_type,
        object_id=object_id,
        outcome=str(outcome),
        data=canonical.clean(payload),
        **_actor_fields(actor),
    )


def record(
    event_type: EventType,
    *,
    obj: ObjectRef = None,
    outcome: Outcome = Outcome.SUCCESS,
    data: Mapping[str, Any] | None = None,
    actor: Viewer = None,
) -> AuditEvent:
    body = build_body(event_type, obj=obj, outcome=outcome, data=data, actor=actor)
    # No savepoint: a failed journal write marks the caller's whole transaction for rollback, so
    # not even a caller that catches the error can commit its change without the event (U5). It
    # also spares every write two round trips.
    with guard.writer(), transaction.atomic(savepoint=False):
        event: AuditEvent = AuditEvent.objects.create(body=body)
    return event


def record_read(
    event_type: EventType,
    *,
    obj: ObjectRef,
    fields: list[str] | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    actor: Viewer = None,
    **data: Any,
) -> AuditEvent:
    """Who saw what (U1): opening personal data, downloading evidence, exporting, printing.

    ``fields`` names what was shown (``["mobile", "id_number"]``), never the values themselves."""
    payload: dict[str, Any] = dict(data)
    if fields is not None:
        payload["fields"] = sorted(fields)
    return record(event_type, obj=obj, outcome=outcome, data=payload, actor=actor)


# One statement, its own transaction: ``set_config(..., true)`` lasts until that transaction's
# commit, which is when PostgreSQL reads ``synchronous_commit``.
_UNSYNCED_INSERT = (
    "INSERT INTO audit_auditevent (body) "
    "SELECT %s FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unsynced"
)


def record_read_unsynced(
    event_type: EventType,
    *,
    obj: ObjectRef,
    fields: list[str] | None = None,
    **data: Any,
) -> None:
    """``record_read`` for a page the public repeats, when nothing else is written with it.

    On PostgreSQL, outside a transaction, the event is one INSERT committed on its own without
    waiting for the WAL flush: one round trip instead of four, and only an operating-system crash
    in the next moment could lose it (the durability SQLite's WAL with synchronous=NORMAL gives
    every write). A later synchronous commit — any business change, the sealer's — flushes it.
    Everywhere else it is ``record_read``."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            record_read(event_type, obj=obj, fields=fields, **data)
        return
    payload: dict[str, Any] = dict(data)
    if fields is not None:
        payload["fields"] = sorted(fields)
    body = build_body(event_type, obj=obj, data=payload)
    with guard.writer(), connection.cursor() as cursor:
        cursor.execute(_UNSYNCED_INSERT, [body])


# --- refusals that survive the rollback --------------------------------------------------------
# Denial events waiting for the entry point's transaction to end (see ``durable_atomic``).
_pending: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "shoulian_journal_pending", default=None
)


def _in_transaction() -> bool:
    """Whether a transaction of the application is open (a test case's own wrapping blocks do
    not count: in production there are none)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _write(body: str) -> None:
    with guard.writer(), transaction.atomic():
        AuditEvent.objects.create(body=body)


def record_surviving(
    event_type: EventType,
    *,
    obj: ObjectRef = None,
    outcome: Outcome = Outcome.DENIED,
    data: Mapping[str, Any] | None = None,
    actor: Viewer = None,
) -> None:
    """Journal an event that must stay on record even if the caller's transaction rolls back
    (U1: a refusal inside an outer service that then fails).

    Outside a transaction it commits at once. Inside the transaction of an entry point opened
    with ``durable_atomic`` it is held and written right after that transaction ends, committed or
    rolled back. Inside another transaction, PostgreSQL writes it through a second connection (an
    autonomous transaction); SQLite cannot (the caller holds the database's only write lock), so
    there it joins the caller's transaction: services that call other services are entry points
    for that reason."""
    body = build_body(event_type, obj=obj, outcome=outcome, data=data, actor=actor)
    if not _in_transaction():
        _write(body)
        return
    pending = _pending.get()
    if pending is not None:
        pending.append(body)
        return
    if connection.vendor == "postgresql" and getattr(settings, "AUDIT_AUTONOMOUS_WRITES", True):
        guard.insert_autonomously(body)
        return
    with guard.writer(), transaction.atomic(savepoint=False):
        AuditEvent.objects.create(body=body)


def deny(
    actor: Viewer,
    *,
    action: str,
    obj: ObjectRef = None,
    message: Text = "无权执行此操作。",
    code: str | None = None,
    event_type: EventType = EventType.ACCESS_DENIED,
    data: Mapping[str, Any] | None = None,
    error: Exception | None = None,
) -> NoReturn:
    """The one way a service says no: journal the refusal (outcome denied, U1) so that it survives
    a rollback of the caller's transaction, then raise ``error`` (default ``PermissionDenied``
    with ``message``).

    ``action`` names what was refused, ``code`` why (journalled as ``{"action", "code"}`` with
    ``data``); ``event_type`` is ``ACCESS_DENIED`` unless the app has its own refusal event (the
    workflow's ``WORKFLOW_REFUSED``). An anonymous actor is journalled as nobody."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    payload: dict[str, Any] = {"action": str(action)[:40]}
    if code is not None:
        payload["code"] = code
    payload.update(data or {})
    record_surviving(event_type, obj=obj, outcome=Outcome.DENIED, data=payload, actor=actor)
    raise error if error is not None else PermissionDenied(message)


@contextlib.contextmanager
def durable_atomic() -> Iterator[None]:
    """``transaction.atomic(durable=True)`` for an entry-point service: the refusals journalled
    inside it (by itself or by the services it calls) are written once its transaction has ended,
    so the rollback that the refusal causes does not erase them."""
    pending: list[str] = []
    token = _pending.set(pending)
    try:
        with transaction.atomic(durable=True):
            yield
    finally:
        _pending.reset(token)
        for body in pending:
            _write(body)


def record_denied_request(obj: ObjectRef, data: dict[str, Any]) -> None:
    """A view refused the request (``core.access.deny``): one ACCESS_DENIED event (U1)."""
    record(EventType.ACCESS_DENIED, obj=obj, outcome=Outcome.DENIED, data=data)
