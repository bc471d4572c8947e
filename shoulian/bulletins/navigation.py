"""Menu entries of bulletins (see core.navigation): in the 监督 section."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.bulletins.policy import BUREAU_READERS
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("巡查监督统计"),
        "bulletins:statistics",
        frozenset(BUREAU_READERS),
        "supervision",
        _("任一期间的警情、视音频、上门报警、通报和整改数字，可逐项查看明细并导出"),
    ),
    NavItem(
        _("通报"),
        "bulletins:list",
        ALL_STAFF - {Role.ADMIN},
        "supervision",
        _("周汇总和各期月通报：起草、审核、签发、下发，已下发通报存档"),
    ),
)
