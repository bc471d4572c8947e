"""Menu entries of the intake app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("接报登记"),
        "intake:register",
        frozenset({Role.CLERK}),
        "intake",
        _("三个当场：当场登记、当场接收证据材料、当场出具回执"),
    ),
    NavItem(
        _("警情"),
        "intake:alert_list",
        ALL_STAFF - {Role.ADMIN},
        "intake",
        _("本单位登记或办理的警情，个人信息脱敏显示"),
    ),
    NavItem(_("我的草稿"), "intake:draft_list", frozenset({Role.CLERK}), "intake"),
    NavItem(
        _("导入110警情"),
        "intake:import",
        frozenset({Role.CLERK}),
        "intake",
        _("110 派警单与行政执法机关移送，处警后 24 小时内补录登记"),
    ),
    NavItem(
        _("警情分类标准"),
        "intake:category_list",
        ALL_STAFF,
        "intake",
        _("类别、涉案标记、决定前法制审核与敏感类别"),
    ),
)
