"""The navigation each role is allowed. Apps add their entries here as they land."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.text import Text
from shoulian.org.choices import UnitKind

ALL_STAFF = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: Text
    url_name: str
    roles: frozenset[str]
    section: Text
    description: Text = ""
    # Roles that see the entry only at a 受立案管理中心 (a 派出所's desk clerk has no complaints
    # or follow-up calls to make: the center does them for the whole bureau).
    center_roles: frozenset[str] = frozenset()


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
    # notify (SMS outbox) entries
    NavItem(
        _("短信发件箱"),
        "notify:outbox",
        frozenset({Role.CENTER_HEAD}),
        _("群众服务"),
        _("节点短信的发送状态、失败重发与短信模板"),
    ),
    # feedback (complaints, follow-ups) entries
    NavItem(
        _("投诉建议"),
        "feedback:complaints",
        frozenset({Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR}),
        _("群众服务"),
        _("群众投诉与建议，受立案中心负责人15日内答复"),
        center_roles=frozenset({Role.CLERK}),
    ),
    NavItem(
        _("回访任务"),
        "feedback:follow_ups",
        frozenset({Role.CENTER_HEAD}),
        _("群众服务"),
        _("办结警情的回访：联系结果与群众满意度"),
        center_roles=frozenset({Role.CLERK}),
    ),
    NavItem(
        _("督办事项"),
        "feedback:supervision",
        frozenset({Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR}),
        _("群众服务"),
        _("回访不满意转中心负责人督办"),
    ),
    # citizen (kiosk, progress query) entries
    NavItem(
        _("自助终端"),
        "citizen:kiosk_manage",
        frozenset({Role.CENTER_HEAD, Role.ADMIN}),
        _("群众服务"),
        _("大厅自助终端的登记与停用"),
    ),
    # assistant (case-nature checklists) entries
    NavItem(
        _("定性要件清单"),
        "assistant:checklists",
        ALL_STAFF - {Role.ADMIN},
        _("办理"),
        _("各类警情的构成要件、立案标准、应收集证据与程序提示（法制大队维护）"),
    ),
    # supervision (patrol, findings, rectification, inbox) entries
    NavItem(
        _("我的消息"),
        "supervision:inbox",
        ALL_STAFF - {Role.ADMIN},
        _("工作台"),
        _("巡查发现推送、抄送、待审核整改与逾期升级的站内消息"),
    ),
    NavItem(
        _("巡查发现"),
        "supervision:findings",
        ALL_STAFF - {Role.ADMIN, Role.CLERK},
        _("监督"),
        _("规则巡查命中的问题，逐级审核整改直至销号"),
    ),
    NavItem(
        _("巡查规则"),
        "supervision:rules",
        ALL_STAFF - {Role.ADMIN},
        _("监督"),
        _("巡查规则的参数、等级、推送对象、整改期限与审核层级"),
    ),
    NavItem(
        _("巡查记录"),
        "supervision:runs",
        frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR}),
        _("监督"),
        _("每日巡查的规则版本、检查数量、命中与用时"),
    ),
    NavItem(_("修改密码"), "accounts:password_change", ALL_STAFF, _("账户")),
]


def nav_for(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    # Between password and second factor the session may open nothing: show no navigation.
    if not (getattr(user, "is_verified", lambda: False)() or user.totp_waived()):
        return []
    unit = getattr(user, "unit", None)
    at_center = unit is not None and unit.kind == UnitKind.CENTER
    return list(
        _nav_for_roles(frozenset(user.role_set), at_center, get_language(), get_script_prefix())
    )


@lru_cache(maxsize=256)
def _nav_for_roles(
    roles: frozenset[str], at_center: bool, language: str, prefix: str
) -> tuple[dict[str, Any], ...]:
    """The menu depends only on the roles, the kind of unit, the language and the URL prefix:
    built once per combination instead of reversing and translating every entry on every page."""
    return tuple(
        {
            "label": str(i.label),
            "url": reverse(i.url_name),
            "section": str(i.section),
            "description": str(i.description),
            "url_name": i.url_name,
        }
        for i in _grouped(NAV)
        if roles & i.roles or (at_center and roles & i.center_roles)
    )


def _grouped(items: list[NavItem]) -> list[NavItem]:
    """Items of one section together, sections in order of first appearance: apps append their
    entries at the end, and the template groups consecutive items only."""
    order: dict[str, int] = {}
    for item in items:
        order.setdefault(str(item.section), len(order))
    return sorted(items, key=lambda item: order[str(item.section)])
