"""The role policy accounts owns: which subtree each role sees and who administers the unit
tree (registered with core.policy from AccountsConfig.ready())."""

from __future__ import annotations

from shoulian.accounts.choices import APPROVER_ROLES, BUREAU_WIDE_ROLES, Role
from shoulian.accounts.models import AccountChange
from shoulian.core import policy
from shoulian.core.policy import ScopeDomain, rule
from shoulian.core.types import Actor, UnitLike
from shoulian.org.choices import UnitKind
from shoulian.org.models import Area, Unit


def scope_root(user: Actor, domain: ScopeDomain) -> UnitLike | None:
    """Content: own unit and below; the bureau for bureau-wide roles and the center's clerks;
    nothing for an account that is only 系统管理员 (三员分立). Org: own unit and below; the
    bureau for administrators and bureau-wide roles."""
    unit = user.unit
    if unit is None:
        return None
    roles = set(user.role_set)
    if domain == ScopeDomain.CONTENT:
        roles.discard(Role.ADMIN)
        if not roles:
            return None
        if roles & BUREAU_WIDE_ROLES or (Role.CLERK in roles and unit.kind == UnitKind.CENTER):
            # The center is the bureau's one door: its clerks register for, route to and follow
            # up with every unit, so they see the whole bureau's alerts (not other bureaus').
            return unit.bureau()
        return unit
    if not roles:
        return None
    if Role.ADMIN in roles or roles & BUREAU_WIDE_ROLES:
        return unit.bureau()
    return unit


def register() -> None:
    """accounts owns the roles, so it also says which role administers the organisation: the
    系统管理员, who reads no case content (三员分立)."""
    policy.register_scope_rule(scope_root)
    policy.register(Unit, administer=rule(Role.ADMIN))
    policy.register(Area, administer=rule(Role.ADMIN))
    # Two-person rule: the administrator proposes and sees its proposals; the 纪检 decides.
    policy.register(AccountChange, view=rule(Role.ADMIN, *APPROVER_ROLES))
