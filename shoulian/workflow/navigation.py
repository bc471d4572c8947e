"""Menu entries of the workflow app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("我的待办"),
        "workflow:queue",
        ALL_STAFF - {Role.ADMIN, Role.INSPECTOR},
        "handling",
        _("待分派、待签收、待办理、待审批的事项，按到期时间排序并按用时占比着色"),
    ),
    NavItem(
        _("分派"),
        "workflow:routing",
        frozenset({Role.CLERK, Role.CENTER_HEAD}),
        "handling",
        _("中心分派、重新分派、移交申请与管辖争议"),
    ),
    NavItem(
        _("本单位待办"),
        "workflow:inbox",
        frozenset({Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER}),
        "handling",
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
        "handling",
        _("受案、立案、不予立案、移送等处理意见的审批"),
    ),
    NavItem(
        _("分派规则"),
        "workflow:rules",
        frozenset({Role.CENTER_HEAD}),
        "handling",
        _("类别 × 辖区 → 办理单位"),
    ),
    NavItem(
        _("审批流程"),
        "workflow:chains",
        frozenset({Role.LEGAL_BRIGADE}),
        "handling",
        _("各类处理意见须经的审批环节，法制大队按版本修订"),
    ),
    NavItem(
        _("文书字号"),
        "workflow:settings",
        frozenset({Role.ADMIN}),
        "admin",
        _("本局法律文书文号前缀"),
    ),
)
