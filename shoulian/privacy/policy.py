"""Who sees personal data how, on which channel (P1).

Display: every channel shows personal data masked or not at all; the clear value is never a
default. Reveal: on staff pages only, and only for the people who work the record:

- the handling officer (承办民警) of the record;
- the leader and the legal officer of the handling unit (所队领导、所队法制员);
- a clerk of the unit that registered it (登记单位的接报警员);
- the center head and the legal brigade, bureau-wide (受立案中心负责人、法制大队);
- the discipline inspector (纪检), bureau-wide, only with a stated reason;
- never the administrator (三员分立), whatever other role the account holds.

Every reveal, allowed or refused, is journalled by ``services.reveal_field``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.scoping import ScopeDomain, covers
from shoulian.org.models import Unit
from shoulian.privacy.choices import Channel, Display, Kind


@dataclass(frozen=True)
class Custody:
    """Where a record holding personal data sits in the organisation. A model whose instances
    hold personal data returns one from ``privacy_custody()`` (e.g. a reporter answers with its
    alert's registering unit, handling unit and handling officer)."""

    registering_unit: Unit | None
    handling_unit: Unit | None = None
    handling_officer_id: int | None = None

    def units(self) -> list[Unit]:
        return [u for u in (self.registering_unit, self.handling_unit) if u is not None]


class Ground(StrEnum):
    """Why a reveal was allowed or refused; journalled with the event."""

    HANDLING_OFFICER = "handling_officer"
    HANDLING_UNIT = "handling_unit"
    REGISTERING_CLERK = "registering_clerk"
    BUREAU_REVIEW = "bureau_review"
    INSPECTION = "inspection"
    CHANNEL = "channel"
    NOT_AUTHENTICATED = "not_authenticated"
    SEPARATION_OF_DUTIES = "separation_of_duties"
    OUT_OF_SCOPE = "out_of_scope"
    NO_ROLE = "no_role"
    REASON_REQUIRED = "reason_required"


REFUSALS: dict[Ground, str] = {
    Ground.CHANNEL: "该渠道只显示脱敏信息，不能查看完整内容。",
    Ground.NOT_AUTHENTICATED: "请先登录。",
    Ground.SEPARATION_OF_DUTIES: "系统管理员不得查看案件当事人的个人信息（三员分立）。",
    Ground.OUT_OF_SCOPE: "该记录不在您的管辖范围内。",
    Ground.NO_ROLE: (
        "只有承办民警、承办单位的领导和法制员、登记单位的接报警员、受立案中心负责人和法制大队"
        "可以查看完整信息。"
    ),
    Ground.REASON_REQUIRED: "纪检查看完整信息须填写查看事由。",
}

# DOMAIN §7: a citizen sees IDs and phones masked and nothing else personal beyond the name;
# Z8: an SMS carries no personal data beyond its template (the addressee's masked name).
_CITIZEN_VISIBLE = frozenset({Kind.ID_NUMBER, Kind.PHONE, Kind.NAME})
_SMS_VISIBLE = frozenset({Kind.NAME})


@dataclass(frozen=True)
class Decision:
    display: Display
    may_reveal: bool
    reason_required: bool
    ground: Ground

    @property
    def message(self) -> str:
        return REFUSALS.get(self.ground, "")


def display_for(kind: str, channel: str) -> Display:
    if channel == Channel.CITIZEN_QUERY:
        return Display.MASKED if kind in _CITIZEN_VISIBLE else Display.HIDDEN
    if channel == Channel.SMS:
        return Display.MASKED if kind in _SMS_VISIBLE else Display.HIDDEN
    return Display.MASKED


def _in_scope(user: Any, custody: Custody) -> bool:
    return any(covers(user, unit, ScopeDomain.CONTENT) for unit in custody.units())


def _ground(user: Any, custody: Custody) -> tuple[Ground, bool]:
    roles = user.role_set
    if Role.ADMIN in roles:
        return Ground.SEPARATION_OF_DUTIES, False
    if not _in_scope(user, custody):
        return Ground.OUT_OF_SCOPE, False
    handling_unit_id = custody.handling_unit.pk if custody.handling_unit else None
    registering_unit_id = custody.registering_unit.pk if custody.registering_unit else None
    if Role.OFFICER in roles and custody.handling_officer_id is not None:
        if user.pk == custody.handling_officer_id:
            return Ground.HANDLING_OFFICER, False
    if roles & {Role.LEADER, Role.LEGAL_OFFICER} and handling_unit_id is not None:
        if user.unit_id == handling_unit_id:
            return Ground.HANDLING_UNIT, False
    if Role.CLERK in roles and registering_unit_id is not None:
        if user.unit_id == registering_unit_id:
            return Ground.REGISTERING_CLERK, False
    if roles & {Role.CENTER_HEAD, Role.LEGAL_BRIGADE}:
        return Ground.BUREAU_REVIEW, False
    if Role.INSPECTOR in roles:
        return Ground.INSPECTION, True
    return Ground.NO_ROLE, False


_ALLOWING = frozenset(
    {
        Ground.HANDLING_OFFICER,
        Ground.HANDLING_UNIT,
        Ground.REGISTERING_CLERK,
        Ground.BUREAU_REVIEW,
        Ground.INSPECTION,
    }
)


def decide(user: Any, *, custody: Custody, kind: str, channel: str = Channel.STAFF_WEB) -> Decision:
    """How ``user`` sees a field of ``kind`` on ``channel``, and whether it may reveal it."""
    display = display_for(kind, channel)
    if channel != Channel.STAFF_WEB:
        return Decision(display, False, False, Ground.CHANNEL)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Decision(display, False, False, Ground.NOT_AUTHENTICATED)
    ground, reason_required = _ground(user, custody)
    return Decision(display, ground in _ALLOWING, reason_required, ground)
