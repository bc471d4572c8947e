"""Menu entries of the review app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("日常巡查"),
        "review:patrol",
        frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR}),
        "supervision",
        _("受立案管理中心每日巡查：规则命中的问题和待人工查看的违法犯罪类警情"),
    ),
    NavItem(
        _("所队评查"),
        "review:unit",
        frozenset({Role.LEGAL_OFFICER}),
        "supervision",
        _("所队法制员对本单位警情的第一级审查（源头治理）"),
    ),
    NavItem(
        _("专项评查"),
        "review:campaigns",
        frozenset({Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR}),
        "supervision",
        _("重点评查、专项评查：抽样、按评查标准打分、问题转巡查发现、评查报告"),
    ),
    NavItem(
        _("法制大队待办"),
        "review:queue",
        frozenset({Role.LEGAL_BRIGADE}),
        "supervision",
        _("待答复的案件定性指导和须法制大队审查的警情"),
    ),
)
