from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts import approvals, selectors, services
from shoulian.accounts.forms import EnrolmentCodeForm, LoginForm, OTPForm, PasswordChangeForm
from shoulian.accounts.middleware import SESSION_EPOCH, SESSION_ROLES
from shoulian.accounts.models import User
from shoulian.core.access import before_password_change, before_second_factor
from shoulian.core.forms import add_service_errors
from shoulian.core.netaddr import client_ip
from shoulian.org.demo import DEMO_PASSWORD, demo_login_table

PENDING_NEXT = "shoulian_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_check_password(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            source_ip=client_ip(request),
        )
        if result.user is None:
            form.add_error(None, result.error or services.GENERIC_LOGIN_ERROR)
        else:
            user = result.user
            # Rotates the session key (A6): a fixated pre-login id is worthless.
            auth_login(request, user, backend="shoulian.accounts.backends.StaffBackend")
            request.session[SESSION_EPOCH] = user.session_epoch
            # Read after the epoch: a role change between the two reads leaves a stale epoch.
            request.session[SESSION_ROLES] = sorted(user.role_set)
            request.session[PENDING_NEXT] = _safe_next(request, request.GET.get("next"))
            if user.totp_waived():
                services.login_completed(
                    user=user,
                    session_key=request.session.session_key or "",
                    source_ip=client_ip(request),
                    second_factor="demo-waived",
                )
                return redirect(request.session.pop(PENDING_NEXT, settings.LOGIN_REDIRECT_URL))
            return redirect("accounts:otp")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "demo_mode": settings.DEMO_MODE, "demo_logins": _demo_logins()},
    )


def _demo_logins() -> list[dict[str, Any]]:
    if not settings.DEMO_MODE:
        return []
    return [dict(row, password=DEMO_PASSWORD) for row in demo_login_table()]


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


ENROLMENT_CODE = "shoulian_enrolment_code"


@before_second_factor
@before_password_change
@sensitive_post_parameters("token", "enrolment_code")
@never_cache
@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.is_verified() or user.totp_waived():  # type: ignore[attr-defined]
        return redirect("core:home")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is None:
        return _enrol(request, user)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_verify(device=confirmed, token=form.cleaned_data["token"]):
            return _second_factor_passed(request, user, confirmed)
        response = _otp_failed(request, user, form)
        if response is not None:
            return response
    return render(request, "accounts/otp.html", {"form": form, "enrolling": False})


def _second_factor_passed(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()
    services.login_completed(
        user=user,
        session_key=request.session.session_key or "",
        source_ip=client_ip(request),
        second_factor="totp",
    )
    return redirect(request.session.pop(PENDING_NEXT, settings.LOGIN_REDIRECT_URL))


def _otp_failed(request: HttpRequest, user: User, form: OTPForm) -> HttpResponse | None:
    locked = services.register_failure(
        user=user, username=user.username, stage="otp", source_ip=client_ip(request)
    )
    if locked:
        auth_logout(request)
        messages.error(request, services.LOCKED_ERROR)
        return redirect("accounts:login")
    form.add_error("token", _("动态口令不正确或已使用，请等待下一个口令后重试。"))
    return None


def _enrol(request: HttpRequest, user: User) -> HttpResponse:
    """First binding of a second factor: the one-time enrolment code first (handed over by the
    approver, never seen by the administrator), then a fresh secret, then a code from it. The
    secret is made only after the enrolment code, so nobody who has only the password ever sees
    one (two-person rule, accounts.approvals)."""
    code_id = request.session.get(ENROLMENT_CODE)
    if code_id is None or not approvals.enrolment_code_usable(user=user, code_id=code_id):
        request.session.pop(ENROLMENT_CODE, None)
        code_form = EnrolmentCodeForm(request.POST or None)
        if request.method == "POST" and code_form.is_valid():
            accepted = approvals.enrolment_code_redeem(
                user=user, code=code_form.cleaned_data["enrolment_code"]
            )
            if accepted is not None:
                request.session[ENROLMENT_CODE] = accepted
                # A new secret for this enrolment only: any earlier unconfirmed one is dropped.
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                TOTPDevice.objects.create(user=user, name=_("动态口令"), confirmed=False)
                return redirect("accounts:otp")
            code_form.add_error(
                "enrolment_code",
                _("绑定码不正确或已失效。连续错误 5 次后绑定码作废，须由纪检重新发放。"),
            )
        return render(request, "accounts/otp_code.html", {"form": code_form})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("动态口令"), confirmed=False)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_verify(device=device, token=form.cleaned_data["token"]):
            try:
                services.otp_enrolled(user=user, device=device, enrolment_code_id=code_id)
            except PermissionDenied as exc:
                request.session.pop(ENROLMENT_CODE, None)
                messages.error(request, str(exc))
                return redirect("accounts:otp")
            device.refresh_from_db()
            request.session.pop(ENROLMENT_CODE, None)
            return _second_factor_passed(request, user, device)
        response = _otp_failed(request, user, form)
        if response is not None:
            return response
    context: dict[str, Any] = {
        "form": form,
        "enrolling": True,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _base32(device),
    }
    return render(request, "accounts/otp.html", context)


def _base32(device: TOTPDevice) -> str:
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@before_second_factor
@before_password_change
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout_recorded(user=request.user, session_key=request.session.session_key)  # type: ignore[arg-type]
    auth_logout(request)  # flushes the server-side session: the old cookie is worthless (A5)
    messages.info(request, _("已安全退出。"))
    return redirect("accounts:login")


@before_password_change
@sensitive_post_parameters("old_password", "new_password", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            epoch = services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                current_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="new_password")
        else:
            # Keep this session valid after the password hash changed.
            from django.contrib.auth import update_session_auth_hash

            old_key = request.session.session_key
            update_session_auth_hash(request, user)
            request.session[SESSION_EPOCH] = epoch
            services.session_rekeyed(old_key=old_key, new_key=request.session.session_key)
            messages.success(request, _("密码已修改。"))
            return redirect("core:home")
    return render(
        request, "accounts/password_change.html", {"form": form, "expired": user.password_expired()}
    )


def directory_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/directory.html", {"staff": selectors.directory(request.user)})


def directory_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(selectors.directory(request.user), pk=pk)
    return render(request, "accounts/directory_detail.html", {"person": person})
