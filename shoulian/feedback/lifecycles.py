"""The lifecycles of complaints and follow-up tasks, as declared tables on the lifecycle engine
(``shoulian.core.lifecycle``), applied by ``services.py`` only.

Complaint: 待答复 → (告知受理) → 已答复 (the center head of the complaint's center tells the
complainant it is accepted, then answers; answering first also tells it).

Follow-up task (one per closed alert)::

    waiting ──release──► open ──attempt──► open
       │  ▲                │  ──record───► done
       │  └──── wait ──────┤  ──give_up──► unreachable
       └──── cancel ───────┴──► cancelled ──wait/release──► waiting/open (reopened)
    waiting/open ──close_from_workflow──► done      (回访 taken on the alert page)

``attempt``, ``record`` and ``give_up`` are the center's calls; the others are ``system`` rows the
app applies itself, from the workflow's transition subscriber or the hourly release job, never
from a page: they follow the alert, whoever moved it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType
from shoulian.core.lifecycle import GuardRegistry, Lifecycle, Refusal, Row
from shoulian.feedback.choices import ComplaintStatus, FollowUpStatus
from shoulian.org.choices import UnitKind

DENIED_MESSAGE = "无权执行此操作。"


@dataclass
class FeedbackCtx:
    """What a guard sees: the actor, the complaint or task as read in this transaction, the form.
    ``system`` marks the app's own moves (subscriber, job), which only ``system`` rows allow."""

    actor: Any
    obj: Any
    now: dt.datetime = field(default_factory=timezone.now)
    payload: dict[str, Any] = field(default_factory=dict)
    action: str = ""
    system: bool = False


@dataclass(frozen=True)
class FeedbackRow(Row):
    # Applied by the app itself, never on a staff member's request.
    system: bool = False


def _at_center(actor: Any, center: Any) -> bool:
    unit = getattr(actor, "unit", None)
    return unit is not None and unit.kind == UnitKind.CENTER and unit.pk == center.pk


def authorize(ctx: FeedbackCtx, row: FeedbackRow) -> None:
    """A system row only for the app's own moves; a staff row for an active member of the
    object's center holding one of the row's roles."""
    if row.system or ctx.system:
        if not (row.system and ctx.system):
            raise Refusal("system", DENIED_MESSAGE, permission=True)
        return
    actor = ctx.actor
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Refusal("anonymous", DENIED_MESSAGE, permission=True)
    if not actor.has_role(*row.roles):
        raise Refusal("role", DENIED_MESSAGE, permission=True)
    if not _at_center(actor, ctx.obj.center):
        raise Refusal("unit", DENIED_MESSAGE, permission=True)


guards: GuardRegistry[FeedbackCtx] = GuardRegistry()


@guards("ready")
def _ready(ctx: FeedbackCtx) -> None:
    ready_at = ctx.obj.ready_at
    if ready_at is None or ready_at > ctx.now:
        raise Refusal("not_ready", "报案人申请复议、复核的期限尚未届满，暂不能回访。")


# --- complaints -----------------------------------------------------------------------------------
C = ComplaintStatus
ANSWERED_MESSAGE = "该投诉建议已经答复，或刚被他人修改。请刷新页面后查看。"


@guards("not_accepted")
def _not_accepted(ctx: FeedbackCtx) -> None:
    if ctx.obj.accepted_at is not None:
        raise Refusal("accepted", "已告知受理。")


COMPLAINTS: Lifecycle[FeedbackCtx, FeedbackRow] = Lifecycle(
    name="complaint",
    rows=(
        # 告知受理: the complaint stays 待答复 for the citizen; the answer period starts.
        FeedbackRow(
            source=C.RECEIVED,
            action="accept",
            target=C.RECEIVED,
            roles=frozenset({Role.CENTER_HEAD}),
            event=EventType.COMPLAINT_ACCEPTANCE_TOLD,
            guards=("not_accepted",),
        ),
        FeedbackRow(
            source=C.RECEIVED,
            action="answer",
            target=C.ANSWERED,
            roles=frozenset({Role.CENTER_HEAD}),
            event=EventType.COMPLAINT_ANSWERED,
        ),
    ),
    guards=guards,
    journal=journal,
    refused_event=EventType.ACCESS_DENIED,
    authorize=authorize,
    conflict_message=ANSWERED_MESSAGE,
)


# --- follow-up tasks ------------------------------------------------------------------------------
F = FollowUpStatus
CALLERS = frozenset({Role.CLERK, Role.CENTER_HEAD})
ACTIVE = (F.WAITING, F.OPEN)


def _calls() -> tuple[FeedbackRow, ...]:
    rows = []
    for source in ACTIVE:
        # A waiting task may be called once its windows ran out, before the job released it.
        ready = ("ready",) if source == F.WAITING else ()
        rows += [
            FeedbackRow(source, "attempt", F.OPEN, CALLERS, EventType.FOLLOW_UP_ATTEMPTED, ready),
            FeedbackRow(source, "record", F.DONE, CALLERS, EventType.FOLLOW_UP_RECORDED, ready),
            FeedbackRow(
                source, "give_up", F.UNREACHABLE, CALLERS, EventType.FOLLOW_UP_RECORDED, ready
            ),
        ]
    return tuple(rows)


def _system(source: str, action: str, target: str, event: EventType) -> FeedbackRow:
    return FeedbackRow(source, action, target, frozenset(), event, (), system=True)


FOLLOW_UPS: Lifecycle[FeedbackCtx, FeedbackRow] = Lifecycle(
    name="follow_up",
    rows=(
        *_calls(),
        *(_system(s, "wait", F.WAITING, EventType.FOLLOW_UP_SCHEDULED) for s in ACTIVE),
        *(_system(s, "release", F.OPEN, EventType.FOLLOW_UP_SCHEDULED) for s in ACTIVE),
        _system(F.CANCELLED, "wait", F.WAITING, EventType.FOLLOW_UP_OPENED),
        _system(F.CANCELLED, "release", F.OPEN, EventType.FOLLOW_UP_OPENED),
        *(_system(s, "close_from_workflow", F.DONE, EventType.FOLLOW_UP_RECORDED) for s in ACTIVE),
        *(_system(s, "cancel", F.CANCELLED, EventType.FOLLOW_UP_CANCELLED) for s in ACTIVE),
    ),
    guards=guards,
    journal=journal,
    refused_event=EventType.ACCESS_DENIED,
    authorize=authorize,
    conflict_message="回访任务刚被他人更新，请刷新页面后再记录。",
)
