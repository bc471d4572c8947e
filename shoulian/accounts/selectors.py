from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from shoulian.accounts.models import AccountChange, User, UserRole


def _with_roles(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.select_related("unit").prefetch_related(
        Prefetch("roles", queryset=UserRole.objects.order_by("role"))
    )


def directory(user: Any) -> QuerySet[User]:
    """Colleagues the user may see (org scope): no credentials, only name, unit, roles."""
    return _with_roles(User.objects.visible_to(user).filter(is_active=True)).order_by(
        "unit__path", "full_name"
    )


def users_for_admin(
    user: Any, *, query: str = "", unit_id: int | None = None, state: str = ""
) -> QuerySet[User]:
    qs = _with_roles(User.objects.visible_to(user))
    if query:
        from django.db.models import Q

        qs = qs.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(badge_number__icontains=query)
        )
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if state == "locked":
        qs = qs.filter(locked_at__isnull=False)
    elif state == "disabled":
        qs = qs.filter(is_active=False)
    elif state == "active":
        qs = qs.filter(is_active=True, locked_at__isnull=True)
    return qs.order_by("unit__path", "username")


def role_set_of(user: User) -> frozenset[str]:
    """Role set from a prefetched ``roles`` relation (no query) — for lists."""
    return frozenset(r.role for r in user.roles.all())


def account_changes(user: Any) -> QuerySet[AccountChange]:
    """The administrator's proposals about accounts of the viewer's bureau (org scope)."""
    return (
        AccountChange.objects.visible_to(user)
        .select_related("user__unit", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-pk")
    )
