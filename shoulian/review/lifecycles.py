"""The lifecycle of a 重点评查/专项评查 campaign on the lifecycle engine (``core/lifecycle.py``):
草拟 → (抽样) 评查中 → 已结束, or 草拟 → 已撤销; assigning reviewers keeps it 评查中."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from shoulian.accounts.choices import Role
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType
from shoulian.core.lifecycle import Conflict, Denied, Errors, GuardRegistry, Lifecycle, Refusal, Row
from shoulian.review.choices import CampaignStatus, EntryStatus

S = CampaignStatus
LEGAL = frozenset({Role.LEGAL_BRIGADE})


class CampaignDenied(Denied):
    pass


class CampaignConflict(Conflict):
    pass


@dataclass
class Ctx:
    actor: Any
    campaign: Any
    payload: dict[str, Any] = field(default_factory=dict)
    action: str = ""
    now: dt.datetime | None = None


guards: GuardRegistry[Ctx] = GuardRegistry()


@guards("not_auxiliary")
def _not_auxiliary(ctx: Ctx) -> None:
    if ctx.actor.is_auxiliary:
        raise Refusal("auxiliary", "辅警不能办理专项评查。", permission=True)


@guards("reviewers", form_only=True)
def _reviewers(ctx: Ctx) -> None:
    if not ctx.payload.get("reviewers"):
        raise Refusal("reviewers_required", "请选择评查人员。")


@guards("all_scored")
def _all_scored(ctx: Ctx) -> None:
    if ctx.campaign.entries.exclude(status=EntryStatus.SCORED).exists():
        raise Refusal("unscored", "还有样本警情未评分，不能结束。")


@guards("conclusion", form_only=True)
def _conclusion(ctx: Ctx) -> None:
    if not str(ctx.payload.get("conclusion", "")).strip():
        raise Refusal("conclusion_required", "请填写评查结论。")


def _row(source: str, action: str, target: str, event: EventType, *g: str) -> Row:
    return Row(source, action, target, LEGAL, event, ("not_auxiliary", *g))


LIFECYCLE: Lifecycle[Ctx, Row] = Lifecycle(
    name="campaign",
    rows=(
        _row(S.DRAFT, "draw", S.SCORING, EventType.CAMPAIGN_SAMPLED),
        _row(S.DRAFT, "cancel", S.CANCELLED, EventType.CAMPAIGN_CANCELLED),
        _row(S.SCORING, "assign", S.SCORING, EventType.CAMPAIGN_ASSIGNED, "reviewers"),
        _row(S.SCORING, "close", S.CLOSED, EventType.CAMPAIGN_CLOSED, "all_scored", "conclusion"),
    ),
    guards=guards,
    journal=journal,
    refused_event=EventType.REVIEW_REFUSED,
    errors=Errors(denied=CampaignDenied, conflict=CampaignConflict),
    conflict_message="该专项评查已被他人处理，请刷新页面后重试。",
)

ACTION_LABELS = {
    "draw": "抽取样本",
    "cancel": "撤销",
    "assign": "分配评查人员",
    "close": "结束评查",
}

__all__ = ["LIFECYCLE", "CampaignConflict", "CampaignDenied", "Ctx", "PermissionDenied"]
