"""Menu entries of the org app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.navigation import NavItem, register

ADMIN = frozenset({Role.ADMIN})

register(
    NavItem(_("系统管理"), "org:index", ADMIN, "admin", _("单位、辖区、用户与角色")),
    NavItem(_("单位"), "org:unit_list", ADMIN, "admin", _("单位树与单位代码")),
    NavItem(_("辖区"), "org:area_list", ADMIN, "admin", _("派出所辖区与地名")),
)
