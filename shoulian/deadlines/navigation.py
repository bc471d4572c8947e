"""Menu entries of the deadlines app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("我的期限"),
        "deadlines:my",
        ALL_STAFF - {Role.ADMIN},
        "workbench",
        _("正在计时的法定期限，按到期时间排序并按用时占比着色"),
    ),
    NavItem(
        _("期限规则"),
        "deadlines:rule_list",
        ALL_STAFF - {Role.ADMIN},
        "supervision",
        _("各节点法定期限、起止事件、延长审批与法律依据"),
    ),
    NavItem(
        _("节假日安排"),
        "deadlines:calendar",
        frozenset({Role.ADMIN}),
        "admin",
        _("国务院节假日与调休安排，期限计算的依据"),
    ),
)
