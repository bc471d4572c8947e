"""Reads of the journal: the inspector's search, the staff business timeline and the seal status.

Only the discipline inspector reads the raw journal (Z6, 三员分立), and only for the bureau it
serves. Everybody else sees at most the business timeline of an object it may already see: no
reads, no addresses, no request ids, no values, only what happened, when and by whom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.audit import catalogue, merkle, signing
from shoulian.audit.canonical import utc_microseconds
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf
from shoulian.audit.sealer import unsealed_count
from shoulian.core.scoping import ScopeDomain, scope_root
from shoulian.org.models import Unit

TIMELINE_LIMIT = 200


# --- the inspector's journal --------------------------------------------------------------------
@dataclass(frozen=True)
class JournalFilter:
    actor: str = ""  # username
    object_type: str = ""
    object_id: str = ""
    event_type: int | None = None
    outcome: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    request_id: str = ""

    def as_data(self) -> dict[str, Any]:
        """For the JOURNAL_READ event: what the inspector searched for."""
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def _require_inspector(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.INSPECTOR):
        raise PermissionDenied("只有纪检人员可以查阅审计日志。")


def journal_events(*, user: Any, filters: JournalFilter) -> QuerySet[AuditEvent]:
    """Raw events for the inspector, newest first: those of actors in its bureau; of events with
    no actor (failed logins, locks, jobs), those concerning an account or unit of its bureau and
    those concerning none (system jobs)."""
    _require_inspector(user)
    root = scope_root(user, ScopeDomain.CONTENT)
    if root is None:
        return AuditEvent.objects.none()
    # The scope is a column generated from the body (issue 14), kept beside the order in
    # audit_scope_idx: the page checks it on the index entries it walks.
    qs = AuditEvent.objects.filter(Q(scope_path="") | Q(scope_path__startswith=root.path))
    if filters.actor:
        qs = qs.filter(actor_username=filters.actor.strip().lower())
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.event_type is not None:
        qs = qs.filter(event_type=filters.event_type)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.since is not None:
        qs = qs.filter(occurred_us__gte=utc_microseconds(filters.since))
    if filters.until is not None:
        qs = qs.filter(occurred_us__lt=utc_microseconds(filters.until))
    if filters.request_id:
        qs = qs.filter(request_id=filters.request_id)
    return qs.order_by("-occurred_us", "-id")


@dataclass(frozen=True)
class JournalRow:
    event: AuditEvent
    type_label: str
    actor_name: str
    position: int | None
    data: dict[str, Any]


def _actor_names(events: Sequence[AuditEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id}
    return {pk: name for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "full_name")}


def journal_rows(events: Sequence[AuditEvent]) -> list[JournalRow]:
    """Display rows for a page of events: two queries whatever the page size."""
    names = _actor_names(events)
    positions = dict(
        AuditLeaf.objects.filter(event_id__in=[e.pk for e in events]).values_list(
            "event_id", "position"
        )
    )
    return [
        JournalRow(
            event=e,
            type_label=catalogue.label(e.event_type),
            actor_name=names.get(e.actor_id or 0, e.actor_username or "系统/匿名"),
            position=positions.get(e.pk),
            data=e.data,
        )
        for e in events
    ]


# --- the staff business timeline ----------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: dt.datetime
    label: str
    actor_name: str
    unit_name: str
    outcome: str
    outcome_label: str
    changed: list[str]
    sealed: bool


_FIELD_LABELS = {
    "full_name": "姓名",
    "unit": "单位",
    "police_kind": "人员类别",
    "badge_number": "警号",
    "roles": "角色",
    "name": "名称",
    "short_name": "简称",
    "phone": "电话",
    "address": "地址",
    "status": "状态",
    "reason": "原因",
}


def _changed_fields(data: dict[str, Any]) -> list[str]:
    """Names of what changed, never the values: the timeline is for staff, values are masked."""
    changed = data.get("changed")
    keys = list(changed) if isinstance(changed, dict) else []
    return [_FIELD_LABELS.get(k, k) for k in keys]


def object_timeline(*, user: Any, object_type: str, object_id: str) -> list[TimelineEntry]:
    """The business history of one object, oldest first.

    The caller must already have fetched the object through its app's ``visible_to(user)``: this
    selector does not know every app's scoping (use ``shoulian.audit.timeline.resolve`` for that).
    """
    if not getattr(user, "is_authenticated", False):
        return []
    events = list(
        AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by(
            "occurred_us", "id"
        )[: TIMELINE_LIMIT * 4]
    )
    events = [e for e in events if catalogue.is_business_event(e.event_type)][:TIMELINE_LIMIT]
    names = dict(
        User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id}).values_list(
            "pk", "full_name"
        )
    )
    units = dict(
        Unit.objects.filter(
            pk__in={e.actor_unit_id for e in events if e.actor_unit_id}
        ).values_list("pk", "name")
    )
    sealed = set(
        AuditLeaf.objects.filter(event_id__in=[e.pk for e in events]).values_list(
            "event_id", flat=True
        )
    )
    return [
        TimelineEntry(
            occurred_at=e.occurred_at,
            label=catalogue.label(e.event_type),
            actor_name=names.get(e.actor_id or 0, "系统"),
            unit_name=units.get(e.actor_unit_id or 0, ""),
            outcome=e.outcome,
            outcome_label=e.get_outcome_display(),
            changed=_changed_fields(e.data),
            sealed=e.pk in sealed,
        )
        for e in events
    ]


# --- seal status (the badge) --------------------------------------------------------------------
SEALED = "sealed"
PENDING = "pending"
BROKEN = "broken"

STATUS_LABELS = {SEALED: "已封存", PENDING: "待封存", BROKEN: "校验失败"}


@dataclass(frozen=True)
class SealStatus:
    state: str
    tree_size: int
    pending: int
    checked_at: dt.datetime | None
    detail: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.state]


def _last_verification() -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(event_type=catalogue.EventType.JOURNAL_VERIFIED)
        .order_by("-occurred_us", "-id")
        .first()
    )


def _head_intact(latest: AuditCheckpoint | None) -> str:
    """Cheap check of the newest checkpoint: signature, and the stored head under it."""
    if latest is None:
        return ""
    try:
        checkpoint = signing.open_checkpoint(latest.note, signing.trusted_keys())
    except signing.CheckpointInvalid as exc:
        return f"最新检查点无效：{exc}"
    head = (
        AuditLeaf.objects.filter(position=checkpoint.tree_size - 1)
        .values_list("leaf_hash", flat=True)
        .first()
    )
    if head is None or bytes(head) != checkpoint.head_hash:
        return "最新检查点与现存日志不符"
    if AuditLeaf.objects.filter(position__gte=checkpoint.tree_size).exists():
        return "存在未经签名的日志序列"
    return ""


def journal_status() -> SealStatus:
    latest = AuditCheckpoint.objects.order_by("-tree_size").first()
    size = latest.tree_size if latest else 0
    last = _last_verification()
    checked_at = last.occurred_at if last else None
    problem = _head_intact(latest)
    if not problem and last is not None and last.outcome != catalogue.Outcome.SUCCESS:
        problem = str(last.data.get("summary") or "最近一次完整校验失败")
    pending = unsealed_count(latest)
    if problem:
        return SealStatus(BROKEN, size, pending, checked_at, problem)
    if pending:
        return SealStatus(PENDING, size, pending, checked_at, f"{pending} 条事件等待封存")
    return SealStatus(SEALED, size, 0, checked_at, f"全部 {size} 条事件已签名封存")


def object_status(object_type: str, object_id: str) -> SealStatus:
    """The badge for one object: its own events' links re-checked, plus the journal's state."""
    overall = journal_status()
    events = dict(
        AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).values_list(
            "id", "body"
        )
    )
    leaves = list(
        AuditLeaf.objects.filter(event_id__in=events).values_list(
            "position", "event_id", "leaf_hash"
        )
    )
    prev = dict(
        AuditLeaf.objects.filter(position__in=[p - 1 for p, _, _ in leaves]).values_list(
            "position", "leaf_hash"
        )
    )
    for position, event_id, stored in leaves:
        before = prev.get(position - 1) if position else merkle.ZERO_HASH
        body = events[event_id]
        if before is None or merkle.leaf_hash(bytes(before), body.encode("ascii")) != bytes(stored):
            return SealStatus(
                BROKEN,
                overall.tree_size,
                0,
                overall.checked_at,
                f"序号 {position} 的事件与哈希链不符",
            )
    if overall.state == BROKEN:
        return overall
    unsealed = len(events) - len(leaves)
    if unsealed:
        return SealStatus(
            PENDING, overall.tree_size, unsealed, overall.checked_at, f"{unsealed} 条事件等待封存"
        )
    return SealStatus(
        SEALED, overall.tree_size, 0, overall.checked_at, f"{len(events)} 条事件均已签名封存"
    )


def event_types() -> Iterable[tuple[int, str]]:
    return [(int(v), str(label)) for v, label in catalogue.EventType.choices]
