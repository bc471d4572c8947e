"""The endpoint × role × unit matrix (Z1) machinery, shared by every app's url_access module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = "public"
STAFF = "staff"

KwargsFor = Callable[[Any, Any, Any], dict[str, Any]]  # (persona user, own bureau, other bureau)


@dataclass(frozen=True)
class Rule:
    """Who may GET a URL name.

    ``allowed``: PUBLIC, STAFF (any authenticated staff role) or a frozenset of role values.
    ``kwargs``: builds URL kwargs for an object the persona's own bureau holds and the persona may
    see; ``foreign``: the same for the other bureau (expected 404 for an allowed persona, Z3).
    ``ok``: the status an allowed persona gets (405 for POST-only actions, 302 for redirects).
    """

    allowed: Any
    kwargs: KwargsFor | None = None
    foreign: KwargsFor | None = None
    ok: int = 200
    anonymous: int | None = None  # default: 302 to login, or ``ok`` when public
    extra: dict[str, Any] = field(default_factory=dict)

    def permits(self, user: Any) -> bool:
        if self.allowed == PUBLIC or self.allowed == STAFF:
            return True
        return bool(user.role_set & self.allowed)


def iter_url_names(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from iter_url_names(entry, namespace)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(
                    f"URL pattern {entry.pattern} has no name: the matrix cannot classify it"
                )
            yield f"{prefix}{entry.name}"


def collect_rules() -> dict[str, Rule]:
    import importlib
    import pkgutil

    import shoulian

    rules: dict[str, Rule] = {}
    for module in pkgutil.iter_modules(shoulian.__path__):
        try:
            access = importlib.import_module(f"shoulian.{module.name}.tests.url_access")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"shoulian.{module.name}.tests"):
                continue
            raise
        overlap = rules.keys() & access.ACCESS.keys()
        assert not overlap, f"URL names classified twice: {overlap}"
        rules.update(access.ACCESS)
    return rules
