"""Named places in a page where an app higher up the layers adds a piece of its own, so that the
page's app never imports it (intake and workflow stay below the assistant, for example).

An app registers a template for a slot in its ``AppConfig.ready()``; the page marks the place with
``{% load slots %}{% slot "intake.register.narrative" %}``. Each registered template is rendered
with the page's context, in order; a slot nobody fills renders nothing.
"""

from __future__ import annotations

from collections import defaultdict

_SLOTS: dict[str, list[tuple[int, str]]] = defaultdict(list)


def register(slot: str, template: str, *, order: int = 100) -> None:
    entries = _SLOTS[slot]
    if any(existing == template for _, existing in entries):
        return
    entries.append((order, template))
    entries.sort()


def templates_for(slot: str) -> list[str]:
    return [template for _, template in _SLOTS.get(slot, [])]
