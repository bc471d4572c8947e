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
    NavItem(
        _("接报登记"),
        "intake:register",
        frozenset({Role.CLERK}),
        _("接报警"),
        _("三个当场：当场登记、当场接收证据材料、当场出具回执"),
    ),
    NavItem(
        _("警情"),
        "intake:alert_list",
        ALL_STAFF - {Role.ADMIN},
        _("接报警"),
        _("本单位登记或办理的警情，个人信息脱敏显示"),
    ),
    NavItem(_("我的草稿"), "intake:draft_list", frozenset({Role.CLERK}), _("接报警")),
    NavItem(
        _("导入110警情"),
        "intake:import",
        frozenset({Role.CLERK}),
        _("接报警"),
        _("110 派警单与行政执法机关移送，处警后 24 小时内补录登记"),
    ),
    NavItem(
        _("警情分类标准"),
        "intake:category_list",
        ALL_STAFF,
        _("接报警"),
        _("类别、涉案标记、决定前法制审核与敏感类别"),
    ),
    NavItem(
        _("我的待办"),
        "workflow:queue",
        frozenset(Role.values) - {Role.ADMIN, Role.INSPECTOR},
        _("办理"),
        _("待分派、待签收、待办理、待审批的事项，按到期时间排序并按用时占比着色"),
    ),
    NavItem(
        _("分派"),
        "workflow:routing",
        frozenset({Role.CLERK, Role.CENTER_HEAD}),
        _("办理"),
        _("中心分派、重新分派、移交申请与管辖争议"),
    ),
    NavItem(
        _("本单位待办"),
        "workflow:inbox",
        frozenset({Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER}),
        _("办理"),
        _("签收或退回、办理、提出处理意见、送达文书"),
    ),
    NavItem(
        _("待审批"),
        "workflow:approvals",
        frozenset(
            {
                Role.LEADER,
                Role.LEGAL_OFFICER,
                Role.CENTER_HEAD,
                Role.LEGAL_BRIGADE,
                Role.BUREAU_HEAD,
            }
        ),
        _("办理"),
        _("受案、立案、不予立案、移送等处理意见的审批"),
    ),
    NavItem(
        _("分派规则"),
        "workflow:rules",
        frozenset({Role.CENTER_HEAD}),
        _("办理"),
        _("类别 × 辖区 → 办理单位"),
    ),
    NavItem(
        _("文书字号"),
        "workflow:settings",
        frozenset({Role.ADMIN}),
        _("系统管理"),
        _("本局法律文书文号前缀"),
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
        for i in _grouped(NAV)
        if roles & i.roles
    ]


def _grouped(items: list[NavItem]) -> list[NavItem]:
    """Items of one section together, sections in order of first appearance: apps append their
    entries at the end, and the template groups consecutive items only."""
    order: dict[str, int] = {}
    for item in items:
        order.setdefault(str(item.section), len(order))
    return sorted(items, key=lambda item: order[str(item.section)])
