"""Menu entries of the notify app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("短信发件箱"),
        "notify:outbox",
        frozenset({Role.CENTER_HEAD}),
        "citizens",
        _("节点短信的发送状态、失败重发与短信模板"),
    ),
)
