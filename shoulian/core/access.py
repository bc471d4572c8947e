"""View guards. Login, second factor and password expiry are enforced for every view by
middleware; these decorators add the role check and mark the few views that run before them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponseBase

F = TypeVar("F", bound=Callable[..., HttpResponseBase])

# Journals one refused request: (obj, data). The audit app registers it (AuditConfig.ready());
# core sits below the journal and may not import it.
DenialRecorder = Callable[[Any, dict[str, Any]], None]
_recorder: list[DenialRecorder] = []


def register_denial_recorder(recorder: DenialRecorder) -> None:
    _recorder[:] = [recorder]


def deny(request: HttpRequest, *, reason: str, obj: Any = None) -> PermissionDenied:
    """Journal the denial (U1 outcome=denied) and return the exception to raise."""
    if not _recorder:
        # U1: a refusal nobody journals is a bug, never a silent pass.
        raise ImproperlyConfigured(
            "No denial recorder registered (shoulian.audit is not installed)."
        )
    _recorder[0](obj, {"path": request.path[:200], "method": request.method, "reason": reason})
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
