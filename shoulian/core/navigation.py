"""The navigation each role is allowed. Apps add their entries here as they land."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.text import Text

ALL_STAFF = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: Text
    url_name: str
    roles: frozenset[str]
    section: Text
    description: Text = ""


NAV: list[NavItem] = [
    NavItem(_("首页"), "core:home", ALL_STAFF, _("工作台")),
    NavItem(
        _("本单位人员"),
        "accounts:directory",
        ALL_STAFF - {Role.ADMIN},
        _("工作台"),
        _("查看本单位及下级单位的在岗人员"),
    ),
    NavItem(
        _("审计日志"),
        "audit:journal",
        frozenset({Role.INSPECTOR}),
        _("监督"),
        _("查阅、检索、导出全程留痕记录并校验完整性"),
    ),
    NavItem(
        _("系统管理"),
        "org:index",
        frozenset({Role.ADMIN}),
        _("系统管理"),
        _("单位、辖区、用户与角色"),
    ),
    NavItem(
        _("单位"), "org:unit_list", frozenset({Role.ADMIN}), _("系统管理"), _("单位树与单位代码")
    ),
    NavItem(
        _("辖区"), "org:area_list", frozenset({Role.ADMIN}), _("系统管理"), _("派出所辖区与地名")
    ),
    NavItem(
        _("用户"), "users:list", frozenset({Role.ADMIN}), _("系统管理"), _("账户、角色、解锁、停用")
    ),
    NavItem(
        _("我的期限"),
        "deadlines:my",
        ALL_STAFF - {Role.ADMIN},
        _("工作台"),
        _("正在计时的法定期限，按到期时间排序并按用时占比着色"),
    ),
    NavItem(
        _("期限规则"),
        "deadlines:rule_list",
        ALL_STAFF - {Role.ADMIN},
        _("监督"),
        _("各节点法定期限、起止事件、延长审批与法律依据"),
    ),
    NavItem(
        _("节假日安排"),
        "deadlines:calendar",
        frozenset({Role.ADMIN}),
        _("系统管理"),
        _("国务院节假日与调休安排，期限计算的依据"),
    ),
    NavItem(_("修改密码"), "accounts:password_change", ALL_STAFF, _("账户")),
]


def nav_for(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    # Between password and second factor the session may open nothing: show no navigation.
    if not (getattr(user, "is_verified", lambda: False)() or user.totp_waived()):
        return []
    roles = user.role_set
    return [
        {
            "label": i.label,
            "url": reverse(i.url_name),
            "section": i.section,
            "description": i.description,
            "url_name": i.url_name,
        }
        for i in NAV
        if roles & i.roles
    ]
