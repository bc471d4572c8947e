"""Menu entry of the supervision platform (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.core.navigation import NavItem, register
from shoulian.dashboard.selectors import VIEWERS

register(
    NavItem(
        _("一屏式监督平台"),
        "dashboard:platform",
        frozenset(VIEWERS),
        "workbench",
        _("接警、流转、受案、反馈各环节的实时数字与风险预警，可逐项下钻"),
    ),
)
