"""View guards. Login, second factor and password expiry are enforced for every view by
middleware; these decorators add the role check and mark the few views that run before them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

F = TypeVar("F", bound=Callable[..., HttpResponseBase])


def deny(request: HttpRequest, *, reason: str, obj: Any = None) -> PermissionDenied:
    """Journal the denial (U1 outcome=denied) and return the exception to raise."""
    from shoulian.audit.catalogue import EventType, Outcome
    from shoulian.audit.journal import record

    record(
        EventType.ACCESS_DENIED,
        obj=obj,
        outcome=Outcome.DENIED,
        data={"path": request.path[:200], "method": request.method, "reason": reason},
    )
    return PermissionDenied(reason)


def role_required(*roles: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not getattr(user, "has_role", None) or not user.has_role(*roles):  # type: ignore[union-attr]
                raise deny(request, reason="role")
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def before_second_factor(view: F) -> F:
    """The view is reachable by a session that has passed the password but not yet the TOTP."""
    view.before_second_factor = True  # type: ignore[attr-defined]
    return view


def before_password_change(view: F) -> F:
    """The view is reachable while the password has expired or must be changed."""
    view.before_password_change = True  # type: ignore[attr-defined]
    return view
