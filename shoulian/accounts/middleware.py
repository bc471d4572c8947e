"""Session policy for staff sessions: timeouts (A5), second factor (A3), password rotation (A2)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from shoulian.audit.catalogue import EventType
from shoulian.core import context

LOGIN_AT = "shoulian_login_at"
LAST_SEEN = "shoulian_last_seen"
SESSION_EPOCH = "shoulian_epoch"
# The user's roles when the session was opened. Every role change ends the user's sessions
# through the epoch (accounts.services._end_sessions), so a session whose epoch is current holds
# the current roles and the role query can be left out of each request.
SESSION_ROLES = "shoulian_roles"
LAST_SEEN_RESOLUTION_SECONDS = 60


class _SessionDevice:
    """The device that verified this session, loaded only if something asks for it."""

    def __init__(self, persistent_id: str) -> None:
        self.persistent_id = persistent_id

    def __getattr__(self, name: str) -> Any:
        if name == "_device":
            from django_otp.models import Device

            device = Device.from_persistent_id(
                OTPMiddleware._normalize_persistent_id(self.persistent_id)
            )
            self.__dict__["_device"] = device
            return device
        return getattr(self._device, name)


class SessionOTPMiddleware(OTPMiddleware):
    """django-otp's middleware without its device query on every request.

    A session is verified when django-otp's login stored the verifying device in it (after the
    code was checked against that user's confirmed device). Removing a user's devices
    (``user_reset_otp``) and every other change that must unverify a session bump the user's
    session epoch, and ``SessionPolicyMiddleware`` ends a session with a stale epoch before any
    view runs (A6). So re-reading the device on each request adds nothing but a query."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            if persistent_id:
                user.otp_device = _SessionDevice(persistent_id)
        return user


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            login_at = request.session.get(LOGIN_AT, now)
            last_seen = request.session.get(LAST_SEEN, now)
            expired: EventType | None = None
            revoked = (
                request.session.get(SESSION_EPOCH) != user.session_epoch  # type: ignore[union-attr]
                or user.locked_at is not None  # type: ignore[union-attr]
            )
            if revoked:
                expired = EventType.SESSION_REVOKED
            elif now - login_at > settings.ABSOLUTE_SESSION_HOURS * 3600:
                expired = EventType.SESSION_EXPIRED_ABSOLUTE
            elif now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                expired = EventType.SESSION_EXPIRED_IDLE
            roles = request.session.get(SESSION_ROLES)
            if expired is None and roles is not None:
                user.role_set = frozenset(roles)  # type: ignore[union-attr]
            if expired is not None:
                from shoulian.accounts.services import logout_recorded

                context.set_user(user)
                logout_recorded(user=user, session_key=request.session.session_key, reason=expired)  # type: ignore[arg-type]
                logout(request)
                messages.info(request, _("会话已超时，请重新登录。"))
                return redirect(settings.LOGIN_URL)
            # htmx polling must not keep an unattended screen alive. The stamp is rewritten at
            # most once a minute: a session write per request would double the cost of every
            # page, and a minute of slack on a 15-minute idle timeout changes nothing.
            polling = request.headers.get("HX-Trigger-Name") == "poll"
            stale = (
                LAST_SEEN not in request.session or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS
            )
            if not polling and stale:
                request.session[LAST_SEEN] = now
            request.session.setdefault(LOGIN_AT, now)
            context.set_user(user)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        target = getattr(view_func, "view_class", view_func)
        if not getattr(view_func, "before_second_factor", False) and not getattr(
            target, "before_second_factor", False
        ):
            if not (user.is_verified() or user.totp_waived()):  # type: ignore[attr-defined,union-attr]
                return redirect("accounts:otp")
            if not getattr(view_func, "before_password_change", False) and user.password_expired():  # type: ignore[union-attr]
                messages.warning(request, _("密码已过期或须修改，请先修改密码。"))
                return redirect("accounts:password_change")
        return None
