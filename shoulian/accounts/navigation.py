"""Menu entries of the accounts app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, APPROVER_ROLES, Role
from shoulian.core.navigation import NavItem, register

ADMIN = frozenset({Role.ADMIN})

register(
    NavItem(
        _("本单位人员"),
        "accounts:directory",
        ALL_STAFF - {Role.ADMIN},
        "workbench",
        _("查看本单位及下级单位的在岗人员"),
    ),
    # The 系统管理员's pages: units and areas (org_views), then accounts.
    NavItem(_("系统管理"), "org:index", ADMIN, "admin", _("单位、辖区、用户与角色")),
    NavItem(_("单位"), "org:unit_list", ADMIN, "admin", _("单位树与单位代码")),
    NavItem(_("辖区"), "org:area_list", ADMIN, "admin", _("派出所辖区与地名")),
    NavItem(_("用户"), "users:list", ADMIN, "admin", _("账户、角色、解锁、停用")),
    NavItem(
        _("账户审批"),
        "accounts:approvals",
        APPROVER_ROLES,
        "supervision",
        _("审批系统管理员提出的开户、授权、重置密码与动态口令（两人规则）"),
    ),
    NavItem(_("修改密码"), "accounts:password_change", ALL_STAFF, "account"),
)
