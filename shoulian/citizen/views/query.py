"""The progress query: query code and mobile, the SMS code, the verified page (cached by
``page_cache``) and a complaint from it; the same flow on a phone (``/q/…``) and on the kiosk
(``/kiosk/query/…``)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.citizen import page_cache, selectors, services
from shoulian.citizen.choices import Subject
from shoulian.citizen.forms import ComplaintForm, QueryCodeForm, QueryStartForm
from shoulian.citizen.views.common import (
    CHALLENGE_COOKIE,
    CHALLENGE_SALT,
    KIOSK,
    KIOSK_IDLE_SECONDS,
    VIEW_COOKIE,
    VIEW_SALT,
    WEB,
    Mode,
    address,
    challenge_token,
    clear_query_cookies,
    kiosk_of,
    kiosk_required,
    page,
    set_cookie,
    verified,
)
from shoulian.citizen.views.display import large_type_on
from shoulian.intake.models import Alert


def _start(request: HttpRequest, mode: Mode) -> HttpResponse:
    kiosk = kiosk_of(request) if mode.kiosk else None
    if request.method == "POST":
        form = QueryStartForm(request.POST)
        if form.is_valid():
            challenge = services.query_start(
                query_code=form.cleaned_data["query_code"],
                mobile=form.cleaned_data["mobile"],
                address=address(request),
                kiosk=kiosk,
            )
            response = redirect(mode.code)
            set_cookie(
                response,
                CHALLENGE_COOKIE,
                signing.dumps(challenge.token.hex, salt=CHALLENGE_SALT),
                int(services.CODE_LIFETIME.total_seconds()),
            )
            response.delete_cookie(VIEW_COOKIE, samesite="Lax")
            return response
    else:
        form = QueryStartForm()
    return cast(
        HttpResponse, page(request, "citizen/query_start.html", {"form": form, "mode": mode})
    )


def _code(request: HttpRequest, mode: Mode) -> HttpResponse:
    kiosk = kiosk_of(request) if mode.kiosk else None
    token = challenge_token(request)
    if token is None:
        messages.info(request, "验证码已过期，请重新输入查询码和手机号码。")
        return redirect(mode.start)
    failed = False
    if request.method == "POST":
        form = QueryCodeForm(request.POST)
        if form.is_valid():
            result = services.query_verify(
                token=token, code=form.cleaned_data["code"], address=address(request), kiosk=kiosk
            )
            if result is not None:
                response = redirect(mode.result)
                set_cookie(
                    response,
                    VIEW_COOKIE,
                    signing.dumps(
                        {"c": result.token, "t": result.subject_type, "i": result.subject_id},
                        salt=VIEW_SALT,
                    ),
                    int(services.VERIFIED_LIFETIME.total_seconds()),
                )
                response.delete_cookie(CHALLENGE_COOKIE, samesite="Lax")
                return response
            failed = True
            form = QueryCodeForm()
    else:
        form = QueryCodeForm()
    return cast(
        HttpResponse,
        page(
            request,
            "citizen/query_code.html",
            {"form": form, "mode": mode, "failed": failed, "minutes": 5},
            status=200,
        ),
    )


def _render_result(
    request: HttpRequest, mode: Mode, view: services.Verified, ctx: dict[str, Any]
) -> str | None:
    """The verified page, or None when its subject is gone."""
    ctx.setdefault("mode", mode)
    ctx.setdefault("idle_seconds", KIOSK_IDLE_SECONDS)
    ctx.setdefault("kiosk", getattr(request, "kiosk", None))
    if view.subject_type == Subject.ALERT:
        alert = selectors.public_alert(view.subject_id)
        if alert is None:
            return None
        if isinstance(alert, selectors.Unavailable):
            template = "citizen/query_unavailable.html"
        else:
            ctx["alert"] = alert
            ctx["complaints"] = selectors.public_complaints(view.subject_id)
            ctx.setdefault("complaint_form", ComplaintForm())
            template = "citizen/query_alert.html"
    else:
        complaint = selectors.public_complaint(view.subject_id)
        if complaint is None:
            return None
        ctx["c"] = complaint
        template = "citizen/query_complaint.html"
    return render_to_string(template, ctx, request=request)


def _result(
    request: HttpRequest, mode: Mode, complaint_form: Any = None, status: int = 200
) -> HttpResponse:
    view = verified(request)
    if view is None:
        messages.info(request, "查询已超时，请重新验证。")
        return redirect(mode.start)
    # A page with a form's errors or a flash message is the citizen's own: rendered, not cached.
    own = complaint_form is not None or bool(request.COOKIES.get("messages"))
    state = page_cache.subject_state(view, fresh=own)
    if state is None:
        return redirect(mode.start)
    if state.sensitive:
        # Reclassified as sensitive after the code was sent: not queryable online any more.
        return cast(HttpResponse, page(request, "citizen/query_unavailable.html", {"mode": mode}))
    if own:
        ctx = {} if complaint_form is None else {"complaint_form": complaint_form}
        html = _render_result(request, mode, view, ctx)
    else:

        def draw() -> str | None:
            form = ComplaintForm(initial={"idempotency_key": page_cache.KEY_MARK})
            ctx = {"csrf_token": page_cache.CSRF_MARK, "complaint_form": form}
            return _render_result(request, mode, view, ctx)

        key = page_cache.page_key(mode.kiosk, view, state, large=large_type_on(request))
        html = page_cache.shared_page(request, key, draw)
    if html is None:
        return redirect(mode.start)
    services.query_viewed(
        subject_type=view.subject_type,
        subject_id=view.subject_id,
        challenge=view.token,
        status=state.public_status,
    )
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _complaint(request: HttpRequest, mode: Mode) -> HttpResponse:
    from shoulian.feedback.services import IdempotencyMismatch, complaint_submit

    view = verified(request)
    if view is None or view.subject_type != Subject.ALERT:
        return redirect(mode.start)
    if not request.POST.get("idempotency_key", "").strip():
        return cast(
            HttpResponse, page(request, "citizen/bad_request.html", {"mode": mode}, status=400)
        )
    form = ComplaintForm(request.POST)
    if form.is_valid():
        alert = get_object_or_404(Alert, pk=view.subject_id)
        try:
            complaint_submit(
                channel="query",
                kind=form.cleaned_data["kind"],
                content=form.cleaned_data["content"],
                mobile=services.verified_mobile(view.token),
                alert=alert,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except IdempotencyMismatch:
            return cast(
                HttpResponse, page(request, "citizen/conflict.html", {"mode": mode}, status=422)
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "您的投诉建议已提交，答复后将以短信通知您。")
            return redirect(mode.result)
    return _result(request, mode, complaint_form=form, status=200)


def _end(request: HttpRequest, mode: Mode) -> HttpResponse:
    response = redirect(mode.start)
    clear_query_cookies(response)
    return response


# --- on a phone ---------------------------------------------------------------------------------
@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def query_start(request: HttpRequest) -> HttpResponse:
    return _start(request, WEB)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def query_code(request: HttpRequest) -> HttpResponse:
    return _code(request, WEB)


@login_not_required
@require_GET
def query_result(request: HttpRequest) -> HttpResponse:
    # No never_cache: _result answers "Cache-Control: no-store" itself.
    return _result(request, WEB)


@login_not_required
@never_cache
@require_POST
def query_complaint(request: HttpRequest) -> HttpResponse:
    return _complaint(request, WEB)


@login_not_required
@never_cache
@require_POST
def query_end(request: HttpRequest) -> HttpResponse:
    return _end(request, WEB)


# --- on the kiosk -------------------------------------------------------------------------------
@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@kiosk_required
def kiosk_query_start(request: HttpRequest) -> HttpResponse:
    return _start(request, KIOSK)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@kiosk_required
def kiosk_query_code(request: HttpRequest) -> HttpResponse:
    return _code(request, KIOSK)


@login_not_required
@never_cache
@require_GET
@kiosk_required
def kiosk_query_result(request: HttpRequest) -> HttpResponse:
    return _result(request, KIOSK)


@login_not_required
@never_cache
@require_POST
@kiosk_required
def kiosk_query_complaint(request: HttpRequest) -> HttpResponse:
    return _complaint(request, KIOSK)
