"""The navigation each role is allowed. Apps add their entries here as they land."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from shoulian.accounts.choices import Role

ALL_STAFF = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    section: str
    description: str = ""


NAV: list[NavItem] = [
    NavItem("首页", "core:home", ALL_STAFF, "工作台"),
    NavItem(
        "本单位人员",
        "accounts:directory",
        ALL_STAFF - {Role.ADMIN},
        "工作台",
        "查看本单位及下级单位的在岗人员",
    ),
    NavItem(
        "审计日志",
        "audit:journal",
        frozenset({Role.INSPECTOR}),
        "监督",
        "查阅、检索、导出全程留痕记录并校验完整性",
    ),
    NavItem("系统管理", "org:index", frozenset({Role.ADMIN}), "系统管理", "单位、辖区、用户与角色"),
    NavItem("单位", "org:unit_list", frozenset({Role.ADMIN}), "系统管理", "单位树与单位代码"),
    NavItem("辖区", "org:area_list", frozenset({Role.ADMIN}), "系统管理", "派出所辖区与地名"),
    NavItem("用户", "users:list", frozenset({Role.ADMIN}), "系统管理", "账户、角色、解锁、停用"),
    NavItem("修改密码", "accounts:password_change", ALL_STAFF, "账户"),
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
