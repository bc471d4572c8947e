"""Menu entries of the supervision app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("我的消息"),
        "supervision:inbox",
        ALL_STAFF - {Role.ADMIN},
        "workbench",
        _("巡查发现推送、抄送、待审核整改与逾期升级的站内消息"),
    ),
    NavItem(
        _("巡查发现"),
        "supervision:findings",
        ALL_STAFF - {Role.ADMIN, Role.CLERK},
        "supervision",
        _("规则巡查命中的问题，逐级审核整改直至销号"),
    ),
    NavItem(
        _("回访不满意"),
        "supervision:follow_ups",
        frozenset(
            {
                Role.CENTER_HEAD,
                Role.LEGAL_BRIGADE,
                Role.OFFICER,
                Role.LEADER,
                Role.LEGAL_OFFICER,
                Role.INSPECTOR,
                Role.BUREAU_HEAD,
            }
        ),
        "supervision",
        _("回访中群众不满意的警情（原群众服务的督办事项）：转办案单位整改，逐级审核销号"),
    ),
    NavItem(
        _("巡查规则"),
        "supervision:rules",
        ALL_STAFF - {Role.ADMIN},
        "supervision",
        _("巡查规则的参数、等级、推送对象、整改期限与审核层级"),
    ),
    NavItem(
        _("巡查记录"),
        "supervision:runs",
        frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR}),
        "supervision",
        _("每日巡查的规则版本、检查数量、命中与用时"),
    ),
)
