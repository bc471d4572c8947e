"""Who a finding is pushed to: the handling officer, with a cc to the unit's leader and 法制员
(and, as the rule says, the center head or the legal brigade); on escalation the next level up.

Lookups are memoised per evaluation, so a patrol that opens a thousand findings in one station
asks for that station's leaders once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.supervision.choices import MessageKind, Recipient

# Escalation level → the role told at that level (所队 → 受立案管理中心 → 法制大队 → 局领导).
ESCALATION_ROLES = {1: Role.CENTER_HEAD, 2: Role.LEGAL_BRIGADE, 3: Role.BUREAU_HEAD}


@dataclass
class Directory:
    """Active holders of a role in a unit, and the bureau's center and legal brigade."""

    _holders: dict[tuple[int, str], list[User]] = field(default_factory=dict)
    _bureau_units: dict[tuple[int, str], list[Unit]] = field(default_factory=dict)

    def holders(self, unit_id: int, role: str) -> list[User]:
        key = (unit_id, role)
        if key not in self._holders:
            self._holders[key] = list(
                User.objects.filter(unit_id=unit_id, is_active=True, roles__role=role)
                .select_related("unit")
                .order_by("pk")
                .distinct()
            )
        return self._holders[key]

    def bureau_units(self, bureau: Unit, kind: str) -> list[Unit]:
        key = (bureau.pk, kind)
        if key not in self._bureau_units:
            self._bureau_units[key] = list(
                Unit.objects.filter(path__startswith=bureau.path, kind=kind, is_active=True)
            )
        return self._bureau_units[key]

    def bureau_holders(self, bureau: Unit, role: str) -> list[User]:
        kinds: dict[str, str] = {
            Role.CENTER_HEAD: UnitKind.CENTER,
            Role.LEGAL_BRIGADE: UnitKind.LEGAL_BRIGADE,
            Role.BUREAU_HEAD: UnitKind.BUREAU,
        }
        kind = kinds[role]
        units = [bureau] if kind == UnitKind.BUREAU else self.bureau_units(bureau, kind)
        return [user for unit in units for user in self.holders(unit.pk, role)]

    def review_unit(self, bureau: Unit, role: str) -> Unit | None:
        """Where a bureau-level review step sits (the center, the legal brigade)."""
        kind = UnitKind.CENTER if role == Role.CENTER_HEAD else UnitKind.LEGAL_BRIGADE
        units = self.bureau_units(bureau, kind)
        return units[0] if units else None


def for_finding(
    finding: Any, recipients: list[str], directory: Directory
) -> list[tuple[User, str]]:
    """(user, message kind) for a new finding; each user once, the officer first."""
    out: dict[int, tuple[User, str]] = {}
    officer = finding.officer if finding.officer_id else None
    if Recipient.OFFICER in recipients and officer is not None and officer.is_active:
        out[officer.pk] = (officer, MessageKind.FINDING)
    main_kind = MessageKind.WARNING if finding.is_warning else MessageKind.FINDING
    for name in recipients:
        if name == Recipient.OFFICER:
            continue
        if name in (Recipient.LEADER, Recipient.LEGAL_OFFICER):
            users = directory.holders(finding.unit_id, name)
        else:
            users = directory.bureau_holders(finding.bureau, name)
        for user in users:
            out.setdefault(user.pk, (user, MessageKind.CC))
    if officer is None or Recipient.OFFICER not in recipients:
        # Nobody signed for the alert yet: the unit's leaders get it as their own to assign.
        for user in directory.holders(finding.unit_id, Role.LEADER):
            out[user.pk] = (user, main_kind)
    if finding.is_warning:
        return [(user, MessageKind.WARNING) for user, _kind in out.values()]
    return list(out.values())


def for_escalation(finding: Any, level: int, directory: Directory) -> list[User]:
    """The next level up, plus the officer and the unit's leaders (they are told it went up)."""
    users: dict[int, User] = {}
    role = ESCALATION_ROLES.get(level)
    if role is not None:
        for user in directory.bureau_holders(finding.bureau, role):
            users[user.pk] = user
    if finding.officer_id and finding.officer.is_active:
        users.setdefault(finding.officer_id, finding.officer)
    for user in directory.holders(finding.unit_id, Role.LEADER):
        users.setdefault(user.pk, user)
    return list(users.values())
