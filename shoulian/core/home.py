"""Panels on the staff home page, contributed by the apps that own them.

An app registers a callable in its ``AppConfig.ready()``; the home view calls each with the
signed-in user, in order, and shows the HTML of those that return some. Core knows nothing of
what the panels say (a missing holiday calendar, findings waiting …), so no app edits core to
put something on the home page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

HomePanel = Callable[[Any], SafeString | None]


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    render: HomePanel


_panels: dict[str, _Registered] = {}


def home_panel(name: str, *, order: int = 100) -> Callable[[HomePanel], HomePanel]:
    """Register ``render(user) -> SafeString | None`` as the home panel ``name`` (idempotent)."""

    def register(render: HomePanel) -> HomePanel:
        _panels[name] = _Registered(order, name, render)
        return render

    return register


def panels_for(user: Any) -> list[SafeString]:
    """The rendered panels for ``user``, in registration order (then name)."""
    rendered = []
    for entry in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        html = entry.render(user)
        if html:
            rendered.append(html)
    return rendered


def registered() -> list[str]:
    """Panel names in the order they are shown (for tests and docs)."""
    return [p.name for p in sorted(_panels.values(), key=lambda p: (p.order, p.name))]
