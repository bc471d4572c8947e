"""Menu entries of the citizen app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("自助终端"),
        "citizen:kiosk_manage",
        frozenset({Role.CENTER_HEAD, Role.ADMIN}),
        "citizens",
        _("大厅自助终端的登记与停用"),
    ),
)
