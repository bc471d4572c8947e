"""The registries apps fill instead of editing core: navigation and role policy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from shoulian.accounts.choices import Role
from shoulian.core import navigation, policy
from shoulian.core.navigation import NavItem


def test_every_app_registers_its_own_navigation_and_each_entry_resolves() -> None:
    items = navigation.registered()
    apps = {item.url_name.split(":")[0] for item in items}
    assert {"core", "accounts", "users", "audit", "org", "intake", "workflow"} <= apps
    assert {"deadlines", "notify", "feedback", "citizen"} <= apps
    for item in items:
        assert reverse(item.url_name)


def test_sections_follow_the_declared_order() -> None:
    order = list(navigation.SECTIONS)
    positions = [order.index(item.section) for item in navigation.registered()]
    assert positions and positions == sorted(positions)


def test_an_entry_in_an_undeclared_section_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        navigation.register(NavItem("x", "core:home", navigation.EVERY_ROLE, "nowhere"))


def test_an_app_may_add_a_section_before_another() -> None:
    saved = dict(navigation.SECTIONS)
    try:
        navigation.add_section("assistant_test", "助手", before="admin")
        keys = list(navigation.SECTIONS)
        assert keys.index("assistant_test") == keys.index("admin") - 1
    finally:
        navigation.SECTIONS.clear()
        navigation.SECTIONS.update(saved)


def test_seated_roles_see_an_entry_only_at_that_kind_of_unit() -> None:
    item = NavItem("x", "core:home", frozenset(), "workbench", seated={"center": frozenset({"c"})})
    assert item.shown_to(frozenset({"c"}), "center")
    assert not item.shown_to(frozenset({"c"}), "station")


def test_audit_names_the_inspector_role_by_its_value() -> None:
    from shoulian.audit import navigation as audit_navigation

    assert audit_navigation.INSPECTOR == Role.INSPECTOR


def test_the_scope_rule_is_registered_by_accounts() -> None:
    from shoulian.accounts.policy import scope_root

    assert policy.scope_rule() is scope_root


def test_feedback_registers_its_action_rules() -> None:
    assert set(policy.registered()) >= {
        ("feedback.complaint", "answer"),
        ("feedback.complaint", "view"),
        ("feedback.followup", "record"),
        ("feedback.followup", "view"),
        ("feedback.followupattempt", "view"),
    }
