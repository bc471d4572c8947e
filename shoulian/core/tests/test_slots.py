"""Template slots: a page marks a place, an app higher up fills it (core/slots.py)."""

from __future__ import annotations

from django.template import Context, Template

from shoulian.core import slots


def render(source: str, **context: object) -> str:
    return Template("{% load slots %}" + source).render(Context(context))


def test_an_empty_slot_renders_nothing() -> None:
    assert render('[{% slot "nobody.fills.this" %}]') == "[]"


def test_registering_twice_keeps_one_entry_in_order() -> None:
    slots.register("test.order", "b.html", order=20)
    slots.register("test.order", "a.html", order=10)
    slots.register("test.order", "b.html", order=20)
    assert slots.templates_for("test.order") == ["a.html", "b.html"]
