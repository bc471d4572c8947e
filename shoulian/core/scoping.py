"""Unit scoping: the one way any selector, view, export or API narrows a scoped model to a user.

A scoped model's queryset subclasses ``ScopedQuerySet`` and names the unit foreign keys that place
a row in the tree (``scope_fields``) and the domain it belongs to. ``visible_to(user)`` keeps the
rows whose unit lies in the user's visible subtree. Which subtree that is depends on the roles,
and core knows none: ``accounts`` registers the scope rule (``core.policy``):

- content (alerts, cases, evidence …): own unit and below; the whole bureau for bureau-wide roles
  and for the center's clerks; nothing at all for an account whose only role is 系统管理员
  (三员分立).
- org (units, staff directory): own unit and below; the whole bureau for administrators and
  bureau-wide roles.

``visible_to(user, action=...)`` adds the action dimension: the rule the model's app registered
for that action (``core.policy.register``) must permit the user, else the queryset is empty.

Rows outside the scope are indistinguishable from missing ones: views fetch with
``get_object_or_404(Model.objects.visible_to(user), pk=...)`` (Z3).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Self, TypeVar

from django.db import models
from django.db.models import F, Q

from shoulian.core import policy
from shoulian.core.policy import ScopeDomain, Viewer, signed_in
from shoulian.core.types import UnitLike

__all__ = [
    "ScopeDomain",
    "ScopedQuerySet",
    "Viewer",
    "covers",
    "scope_root",
    "signed_in",
    "visible_unit_ids",
]

M = TypeVar("M", bound=models.Model)


def scope_root(user: Viewer, domain: ScopeDomain) -> UnitLike | None:
    """The unit whose subtree ``user`` may see in ``domain``; None when it may see nothing."""
    actor = signed_in(user)
    if actor is None or actor.unit is None:
        return None
    # Remembered on the user object: one request asks for it many times.
    cache: dict[str, UnitLike | None] = actor.__dict__.setdefault("_scope_roots", {})
    if domain not in cache:
        cache[domain] = policy.scope_rule()(actor, domain)
    return cache[domain]


def visible_unit_ids(user: Viewer, domain: ScopeDomain) -> models.QuerySet[Any] | None:
    root = scope_root(user, domain)
    if root is None:
        return None
    unit_model: type[models.Model] = type(root)  # type: ignore[assignment]
    return unit_model._default_manager.filter(path__startswith=root.path).values("id")


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    scope_fields: ClassVar[tuple[str, ...]] = ()
    scope_domain: ClassVar[ScopeDomain] = ScopeDomain.CONTENT

    def visible_to(self, user: Viewer, action: str = policy.VIEW) -> Self:
        """The rows ``user`` may see."""
        return self._visible(user, action, by_order=False)

    def visible_by_order(self, user: Viewer, action: str = policy.VIEW) -> Self:
        """``visible_to`` for a list page: the unit test is written against ``unit_id + 0``,
        which no index answers, so the database walks the index of the list's own order and
        checks the unit on the way, instead of fetching every row of the visible units through
        the unit index and sorting them all to show one page (issue 14)."""
        return self._visible(user, action, by_order=True)

    def _visible(self, user: Viewer, action: str, *, by_order: bool) -> Self:
        if not self.scope_fields:
            raise TypeError(f"{type(self).__name__} declares no scope_fields")
        actor = signed_in(user)
        action_rule = policy.rule_for(self.model, action)
        if action_rule is not None and not action_rule.permits(actor):
            return self.none()
        unit_ids = visible_unit_ids(actor, self.scope_domain)
        if unit_ids is None or actor is None:
            return self.none()
        qs = self
        condition = Q()
        for name in self.scope_fields:
            field = f"{name}_id"
            if by_order:
                field = f"_scope_{name}"
                qs = qs.alias(**{field: F(f"{name}_id") + 0})
            if action_rule is not None and action_rule.own_unit:
                condition |= Q(**{field: actor.unit_id})
            else:
                condition |= Q(**{f"{field}__in": unit_ids})
        return qs.filter(condition)


def covers(user: Viewer, unit: UnitLike | None, domain: ScopeDomain) -> bool:
    """Whether ``unit`` lies in the subtree ``user`` may see in ``domain`` (the object-level
    twin of ``visible_to``, for services that receive a unit rather than a queryset)."""
    root = scope_root(user, domain)
    return root is not None and unit is not None and unit.path.startswith(root.path)
