"""Menu entry of the supervision platform (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.core.navigation import NavItem, register
from shoulian.dashboard.selectors import VIEWERS
from shoulian.dashboard.services import DISPLAY_ISSUERS

register(
    NavItem(
        _("一屏式监督平台"),
        "dashboard:platform",
        frozenset(VIEWERS),
        "workbench",
        _("接警、流转、受案、反馈各环节的实时数字与风险预警，可逐项下钻"),
    ),
    NavItem(
        _("大屏显示链接"),
        "dashboard:displays",
        frozenset(DISPLAY_ISSUERS),
        "supervision",
        _("为挂墙屏幕签发、撤销只读的显示链接"),
    ),
)
