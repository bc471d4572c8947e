"""The monthly bulletin's approval on the lifecycle engine (``shoulian.core.lifecycle``)::

    draft ──center_approve──► center_ok ──approve──► approved ──issue──► issued
      ▲ │                        │
      └─┴── edit                 └──return──► draft        (the legal brigade sends it back)

The center head drafts (or the monthly job does), edits and approves; the legal brigade may edit
a draft too, approves or returns it with a reason; the center head issues it, which allocates
第 N 期 and sends it to every unit. Applied by ``services.py`` only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType
from shoulian.bulletins.choices import BulletinKind, BulletinStatus
from shoulian.core.lifecycle import (
    Conflict,
    Denied,
    Errors,
    GuardRegistry,
    Lifecycle,
    Refusal,
    Refused,
    Row,
)

S = BulletinStatus
DENIED_MESSAGE = "无权办理此通报。"


class BulletinAction(StrEnum):
    EDIT = "edit"
    CENTER_APPROVE = "center_approve"
    APPROVE = "approve"
    RETURN = "return"
    ISSUE = "issue"


ACTION_LABELS = {
    BulletinAction.EDIT: "修改",
    BulletinAction.CENTER_APPROVE: "中心审核通过",
    BulletinAction.APPROVE: "审批通过",
    BulletinAction.RETURN: "退回修改",
    BulletinAction.ISSUE: "签发并下发",
}


class BulletinError(Refused):
    """Not possible now: a 400."""


class BulletinConflict(BulletinError, Conflict):
    """Somebody else changed the bulletin since the page was read (R6)."""


class BulletinDenied(Denied):
    """The actor may not do this: a 403."""


@dataclass
class Ctx:
    actor: Any
    bulletin: Any
    payload: dict[str, Any] = field(default_factory=dict)
    action: str = ""
    now: dt.datetime = field(default_factory=timezone.now)


def authorize(ctx: Ctx, row: Row) -> None:
    """A signed-in member of the bulletin's bureau holding one of the row's roles; a 辅警 never
    approves or issues an official document."""
    actor = ctx.actor
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Refusal("anonymous", DENIED_MESSAGE, permission=True)
    if not actor.has_role(*row.roles):
        raise Refusal("role", DENIED_MESSAGE, permission=True)
    if actor.unit is None or actor.unit.bureau().pk != ctx.bulletin.bureau_id:
        raise Refusal("bureau", DENIED_MESSAGE, permission=True)
    if actor.is_auxiliary and row.action != BulletinAction.EDIT:
        raise Refusal("auxiliary", "辅警不能审批或签发通报。", permission=True)


guards: GuardRegistry[Ctx] = GuardRegistry()


@guards("monthly")
def _monthly(ctx: Ctx) -> None:
    if ctx.bulletin.kind != BulletinKind.MONTHLY:
        raise Refusal("weekly", "周汇总自动生成，无需审批。")


@guards("reason", form_only=True)
def _reason(ctx: Ctx) -> None:
    if not str(ctx.payload.get("reason", "")).strip():
        raise Refusal("reason_required", "请写明退回理由。")


@guards("content", form_only=True)
def _content(ctx: Ctx) -> None:
    if not str(ctx.payload.get("title", "")).strip():
        raise Refusal("title_required", "请填写标题。")


@guards("signer", form_only=True)
def _signer(ctx: Ctx) -> None:
    if not str(ctx.payload.get("signer", "")).strip():
        raise Refusal("signer_required", "请填写签发人。")


EDITORS = frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE})
CENTER = frozenset({Role.CENTER_HEAD})
LEGAL = frozenset({Role.LEGAL_BRIGADE})

LIFECYCLE: Lifecycle[Ctx, Row] = Lifecycle(
    name="bulletin",
    rows=(
        Row(
            S.DRAFT,
            BulletinAction.EDIT,
            S.DRAFT,
            EDITORS,
            EventType.BULLETIN_EDITED,
            ("monthly", "content"),
        ),
        Row(
            S.DRAFT,
            BulletinAction.CENTER_APPROVE,
            S.CENTER_APPROVED,
            CENTER,
            EventType.BULLETIN_CENTER_APPROVED,
            ("monthly",),
        ),
        Row(
            S.CENTER_APPROVED,
            BulletinAction.APPROVE,
            S.APPROVED,
            LEGAL,
            EventType.BULLETIN_APPROVED,
            ("monthly",),
        ),
        Row(
            S.CENTER_APPROVED,
            BulletinAction.RETURN,
            S.DRAFT,
            LEGAL,
            EventType.BULLETIN_RETURNED,
            ("monthly", "reason"),
        ),
        Row(
            S.APPROVED,
            BulletinAction.ISSUE,
            S.ISSUED,
            CENTER,
            EventType.BULLETIN_ISSUED,
            ("monthly", "signer"),
        ),
    ),  # fmt: skip
    guards=guards,
    journal=journal,
    refused_event=EventType.BULLETIN_REFUSED,
    authorize=authorize,
    errors=Errors(denied=BulletinDenied, conflict=BulletinConflict, refused=BulletinError),
    conflict_message="该通报已被他人修改，您的操作未保存。请刷新页面后再操作。",
)


def available(ctx: Ctx) -> list[Row]:
    return LIFECYCLE.available(ctx, ctx.bulletin.status)
