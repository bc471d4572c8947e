"""Which objects have a staff timeline, and who may see each: apps plug their own scoping in.

An app registers its object type once, in its ``AppConfig.ready``::

    from shoulian.audit import timeline
    timeline.register("alert", lambda user, pk: Alert.objects.visible_to(user).filter(pk=pk).first())

The resolver returns the object when ``user`` may see it and ``None`` otherwise; the timeline view
then answers 404 exactly as for a missing object (Z3). Pages that already hold a visible object
embed the timeline directly: ``{% load audit_tags %}{% audit_timeline alert %}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shoulian.accounts.models import User

Resolver = Callable[[Any, str], Any]

_resolvers: dict[str, Resolver] = {}


def register(object_type: str, resolver: Resolver) -> None:
    _resolvers[object_type] = resolver


def registered() -> frozenset[str]:
    return frozenset(_resolvers)


def resolve(user: Any, object_type: str, object_id: str) -> Any:
    resolver = _resolvers.get(object_type)
    if resolver is None or not getattr(user, "is_authenticated", False):
        return None
    return resolver(user, object_id)


def _user_account(user: Any, object_id: str) -> Any:
    if not object_id.isdigit():
        return None
    return User.objects.visible_to(user).filter(pk=int(object_id)).first()


# Accounts have a timeline too. Registered here, with the registry, rather than from accounts:
# the timeline is one of audit's screens, which sit above accounts (docs/architecture.md).
register("user", _user_account)
