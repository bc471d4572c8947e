"""Menu entries of the audit app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.core.navigation import NavItem, register

# The one role that reads the journal (三员分立, SECURITY Z6). Its value is spelled here, not
# imported from accounts: the journal sits below accounts (docs/architecture.md).
INSPECTOR = "inspector"

register(
    NavItem(
        _("审计日志"),
        "audit:journal",
        frozenset({INSPECTOR}),
        "supervision",
        _("查阅、检索、导出全程留痕记录并校验完整性"),
    ),
)
