"""Menu entries of the accounts app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("本单位人员"),
        "accounts:directory",
        ALL_STAFF - {Role.ADMIN},
        "workbench",
        _("查看本单位及下级单位的在岗人员"),
    ),
    NavItem(_("用户"), "users:list", frozenset({Role.ADMIN}), "admin", _("账户、角色、解锁、停用")),
    NavItem(_("修改密码"), "accounts:password_change", ALL_STAFF, "account"),
)
