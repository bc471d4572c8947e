"""Unit scoping: the one way any selector, view, export or API narrows a scoped model to a user.

A scoped model's queryset subclasses ``ScopedQuerySet`` and names the unit foreign keys that place
a row in the tree (``scope_fields``) and the domain it belongs to. ``visible_to(user)`` keeps the
rows whose unit lies in the user's visible subtree:

- content (alerts, cases, evidence …): own unit and below; the whole bureau for bureau-wide roles
  and for the center's clerks; nothing at all for an account whose only role is 系统管理员
  (三员分立).
- org (units, staff directory): own unit and below; the whole bureau for administrators and
  bureau-wide roles.

Rows outside the scope are indistinguishable from missing ones: views fetch with
``get_object_or_404(Model.objects.visible_to(user), pk=...)`` (Z3).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from shoulian.org.models import Unit

M = TypeVar("M", bound=models.Model)


class ScopeDomain(StrEnum):
    CONTENT = "content"
    ORG = "org"


def scope_root(user: Any, domain: ScopeDomain) -> Unit | None:
    """The unit whose subtree ``user`` may see in ``domain``; None when it may see nothing."""
    from shoulian.accounts.choices import BUREAU_WIDE_ROLES, Role
    from shoulian.org.choices import UnitKind

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    unit = user.unit
    if unit is None:
        return None
    cache: dict[str, Unit | None] = user.__dict__.setdefault("_scope_roots", {})
    if domain in cache:
        return cache[domain]
    roles = set(user.role_set)
    root: Unit | None
    if domain == ScopeDomain.CONTENT:
        roles.discard(Role.ADMIN)
        if not roles:
            root = None
        elif roles & BUREAU_WIDE_ROLES or (Role.CLERK in roles and unit.kind == UnitKind.CENTER):
            # The center is the bureau's one door: its clerks register for, route to and follow
            # up with every unit, so they see the whole bureau's alerts (not other bureaus').
            root = unit.bureau()
        else:
            root = unit
    else:
        if not roles:
            root = None
        elif Role.ADMIN in roles or roles & BUREAU_WIDE_ROLES:
            root = unit.bureau()
        else:
            root = unit
    cache[domain] = root
    return root


def visible_unit_ids(user: Any, domain: ScopeDomain) -> models.QuerySet[Any] | None:
    from shoulian.org.models import Unit

    root = scope_root(user, domain)
    if root is None:
        return None
    return Unit.objects.filter(path__startswith=root.path).values("id")


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    scope_fields: ClassVar[tuple[str, ...]] = ()
    scope_domain: ClassVar[ScopeDomain] = ScopeDomain.CONTENT

    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        if not self.scope_fields:
            raise TypeError(f"{type(self).__name__} declares no scope_fields")
        unit_ids = visible_unit_ids(user, self.scope_domain)
        if unit_ids is None:
            return self.none()
        condition = Q()
        for field in self.scope_fields:
            condition |= Q(**{f"{field}__in": unit_ids})
        return self.filter(condition)


def covers(user: Any, unit: Unit | None, domain: ScopeDomain) -> bool:
    """Whether ``unit`` lies in the subtree ``user`` may see in ``domain`` (the object-level
    twin of ``visible_to``, for services that receive a unit rather than a queryset)."""
    root = scope_root(user, domain)
    return root is not None and unit is not None and unit.path.startswith(root.path)
