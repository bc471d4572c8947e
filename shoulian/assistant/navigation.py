"""Menu entries of the assistant app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.core.navigation import NavItem, register

register(
    NavItem(
        _("定性要件清单"),
        "assistant:checklists",
        ALL_STAFF - {Role.ADMIN},
        "handling",
        _("各类警情的构成要件、立案标准、应收集证据与程序提示（法制大队维护）"),
    ),
)
