"""The navigation: a registry each app fills with its own entries, filtered by role.

An app lists its entries in ``<app>/navigation.py``::

    from shoulian.core.navigation import NavItem, register

    register(
        NavItem(_("巡查发现"), "supervision:findings", frozenset({Role.CENTER_HEAD}), "supervision"),
    )

A new section goes in with ``add_section("assistant", _("智能助手"), before="admin")`` in the same
module. ``CoreConfig.ready()`` imports every installed app's ``navigation`` module (as Django's admin
does with ``admin.py``), so adding an app never edits core. Sections are declared once here, in
the order the menu shows them; entries keep their registration order inside a section, and apps
register in ``INSTALLED_APPS`` order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shoulian.core.text import Text

# Every signed-in member of staff, whatever the roles (core knows no role names).
EVERY_ROLE: frozenset[str] = frozenset({"*"})

# key → label, in menu order. An app with a section of its own adds it with ``add_section``.
SECTIONS: dict[str, Text] = {
    "workbench": _("工作台"),
    "intake": _("接报警"),
    "handling": _("办理"),
    "citizens": _("群众服务"),
    "supervision": _("监督"),
    "admin": _("系统管理"),
    "account": _("账户"),
}


@dataclass(frozen=True)
class NavItem:
    label: Text
    url_name: str
    roles: frozenset[str]
    section: str
    description: Text = ""
    # Roles that see the entry only while seated at a unit of the given kind (a 派出所's desk
    # clerk has no complaints or follow-up calls to make: the center does them for the bureau).
    seated: dict[str, frozenset[str]] = field(default_factory=dict, hash=False, compare=False)

    def shown_to(self, roles: frozenset[str], unit_kind: str | None) -> bool:
        if self.roles is EVERY_ROLE or roles & self.roles:
            return True
        return unit_kind is not None and bool(roles & self.seated.get(unit_kind, frozenset()))


_items: list[NavItem] = []


def add_section(key: str, label: Text, *, before: str | None = None) -> None:
    """Declare a menu section (at the end, or just before the section ``before``)."""
    if key in SECTIONS:
        return
    keys = list(SECTIONS)
    position = keys.index(before) if before is not None else len(keys)
    items = list(SECTIONS.items())
    items.insert(position, (key, label))
    SECTIONS.clear()
    SECTIONS.update(items)
    _nav_for_roles.cache_clear()


def register(*items: NavItem) -> None:
    for item in items:
        if item.section not in SECTIONS:
            raise ImproperlyConfigured(
                f"{item.url_name}: unknown navigation section {item.section!r}"
            )
        if any(existing.url_name == item.url_name for existing in _items):
            continue  # a module imported twice (autodiscovery, then a test) registers once
        _items.append(item)
    _nav_for_roles.cache_clear()


def registered() -> list[NavItem]:
    """Every entry, grouped by section in menu order."""
    order = list(SECTIONS)
    return sorted(_items, key=lambda item: order.index(item.section))


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The menu of ``request.user`` (an ``accounts.User`` or Django's anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return []
    # Between password and second factor the session may open nothing: show no navigation.
    if not (getattr(user, "is_verified", lambda: False)() or user.totp_waived()):
        return []
    unit = getattr(user, "unit", None)
    return list(
        _nav_for_roles(
            frozenset(user.role_set),
            unit.kind if unit is not None else None,
            get_language(),
            get_script_prefix(),
        )
    )


@lru_cache(maxsize=256)
def _nav_for_roles(
    roles: frozenset[str], unit_kind: str | None, language: str, prefix: str
) -> tuple[dict[str, Any], ...]:
    """The menu depends only on the roles, the kind of unit, the language and the URL prefix:
    built once per combination instead of reversing and translating every entry on every page."""
    return tuple(
        {
            "label": str(item.label),
            "url": reverse(item.url_name),
            "section": str(SECTIONS[item.section]),
            "description": str(item.description),
            "url_name": item.url_name,
        }
        for item in registered()
        if roles and item.shown_to(roles, unit_kind)
    )


register(NavItem(_("首页"), "core:home", EVERY_ROLE, "workbench"))
