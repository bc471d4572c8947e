"""Views of the citizen channels: the progress query (``/q/…``, phone first, also inside the kiosk)
and the kiosk (``/kiosk/…``), plus the staff page that enrols kiosks.

Z7: the query code and the mobile travel only in POST bodies; the pages after them are reached by
redirects whose state sits in short-lived signed cookies (the challenge, then the verified view),
never in a URL. Every mismatch gives the same page."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.citizen import selectors, services
from shoulian.citizen.choices import Subject
from shoulian.citizen.forms import (
    KINDS,
    ComplaintForm,
    KioskComplaintForm,
    KioskCreateForm,
    KioskReportForm,
    QueryCodeForm,
    QueryStartForm,
)
from shoulian.citizen.models import Kiosk
from shoulian.core import context
from shoulian.core.access import role_required
from shoulian.core.netaddr import client_ip
from shoulian.core.scoping import ScopeDomain, visible_unit_ids
from shoulian.intake.choices import PartyRole
from shoulian.intake.models import Alert
from shoulian.intake.services.common import IdempotencyConflict, PartyInput
from shoulian.intake.services.kiosk import (
    KIOSK_UNIT_KINDS,
    alert_register_at_kiosk,
    kiosk_alert_input,
    receipt_print_at_kiosk,
)
from shoulian.org.models import Unit
from shoulian.privacy.choices import IdType

DEVICE_COOKIE = "shoulian_kiosk"
CHALLENGE_COOKIE = "shoulian_qc"
VIEW_COOKIE = "shoulian_qv"
DEVICE_SALT = "shoulian.citizen.kiosk-device"
CHALLENGE_SALT = "shoulian.citizen.challenge"
VIEW_SALT = "shoulian.citizen.verified-view"
RECEIPT_SALT = "shoulian.citizen.kiosk-receipt"
COMPLAINT_SALT = "shoulian.citizen.kiosk-complaint"
DEVICE_MAX_AGE = 400 * 24 * 3600
RECEIPT_MAX_AGE = 5 * 60
# The kiosk's current visitor: a receipt or complaint page opens only while this cookie is the one
# its link was made for. The start screen (and the idle reset to it) drops it, so the next citizen
# cannot go Back to the previous one's receipt.
VISIT_COOKIE = "shoulian_kv"
KIOSK_IDLE_SECONDS = 90


@dataclass(frozen=True)
class Mode:
    """The query flow on a phone (``/q/``) or on the kiosk (``/kiosk/query/``)."""

    kiosk: bool
    base: str
    start: str
    code: str
    result: str
    complaint: str
    end: str


WEB = Mode(
    False,
    "citizen/public_base.html",
    "citizen:query_start",
    "citizen:query_code",
    "citizen:query_result",
    "citizen:query_complaint",
    "citizen:query_end",
)
KIOSK = Mode(
    True,
    "citizen/kiosk/base.html",
    "citizen:kiosk_query_start",
    "citizen:kiosk_query_code",
    "citizen:kiosk_query_result",
    "citizen:kiosk_query_complaint",
    "citizen:kiosk_home",
)


# --- cookies ------------------------------------------------------------------------------------
def _set_cookie(response: HttpResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _clear_query_cookies(response: HttpResponse) -> None:
    response.delete_cookie(CHALLENGE_COOKIE, samesite="Lax")
    response.delete_cookie(VIEW_COOKIE, samesite="Lax")
    response.delete_cookie(VISIT_COOKIE, samesite="Lax")


def _visit_redirect(url_name: str, payload: dict[str, Any], salt: str) -> HttpResponse:
    """Redirect to a page of this visit only (receipt, complaint number): its link carries a
    fresh visit nonce that must match the visit cookie set here."""
    visit = secrets.token_urlsafe(16)
    response = redirect(url_name, token=signing.dumps({**payload, "v": visit}, salt=salt))
    _set_cookie(response, VISIT_COOKIE, visit, RECEIPT_MAX_AGE)
    return cast(HttpResponse, response)


def _visit_value(request: HttpRequest, token: str, salt: str) -> dict[str, Any]:
    try:
        value = signing.loads(token, salt=salt, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404("页面已过期。") from None
    visit = request.COOKIES.get(VISIT_COOKIE, "")
    if not visit or not secrets.compare_digest(str(value.get("v", "")), visit):
        raise Http404("页面已过期。")
    if value.get("k") != _kiosk_of(request).pk:
        raise Http404("不属于本终端。")
    return cast(dict[str, Any], value)


def _challenge_token(request: HttpRequest) -> str | None:
    raw = request.COOKIES.get(CHALLENGE_COOKIE, "")
    try:
        value = signing.loads(raw, salt=CHALLENGE_SALT, max_age=services.CODE_LIFETIME)
    except signing.BadSignature:
        return None
    return str(value)


def _verified(request: HttpRequest) -> services.Verified | None:
    raw = request.COOKIES.get(VIEW_COOKIE, "")
    try:
        value = signing.loads(raw, salt=VIEW_SALT, max_age=services.VERIFIED_LIFETIME)
        return services.Verified(token=value["c"], subject_type=value["t"], subject_id=value["i"])
    except (signing.BadSignature, KeyError, TypeError):
        return None


def _address(request: HttpRequest) -> str | None:
    return client_ip(request)


# --- the kiosk device ---------------------------------------------------------------------------
def _device(request: HttpRequest) -> Kiosk | None:
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
        return selectors.kiosk_for_device(int(value["k"]), int(value["e"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def kiosk_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Only an enrolled, enabled kiosk gets past: any other browser sees the "not enrolled" page
    (403) and cannot submit. Everything the view journals carries the kiosk's id as the channel
    of the actor context."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        kiosk = _device(request)
        if kiosk is None:
            if request.method == "POST":
                record(
                    EventType.ACCESS_DENIED,
                    outcome=Outcome.DENIED,
                    data={"path": request.path[:200], "reason": "kiosk_not_enrolled"},
                )
            # The device cookie stays: a kiosk disabled for a while works again once enabled.
            return render(request, "citizen/kiosk/not_enrolled.html", status=403)
        request.kiosk = kiosk  # type: ignore[attr-defined]
        outer = context.current()
        with context.acting(
            source_ip=outer.source_ip, request_id=outer.request_id, channel=f"kiosk:{kiosk.pk}"
        ):
            return view(request, *args, **kwargs)

    return wrapped


def _kiosk_of(request: HttpRequest) -> Kiosk:
    return cast(Kiosk, request.kiosk)  # type: ignore[attr-defined]


def _page(request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200) -> Any:
    ctx.setdefault("idle_seconds", KIOSK_IDLE_SECONDS)
    ctx.setdefault("kiosk", getattr(request, "kiosk", None))
    response = render(request, template, ctx, status=status)
    return response


# --- the progress query (shared by /q/ and /kiosk/query/) ---------------------------------------
def _start(request: HttpRequest, mode: Mode) -> HttpResponse:
    kiosk = _kiosk_of(request) if mode.kiosk else None
    if request.method == "POST":
        form = QueryStartForm(request.POST)
        if form.is_valid():
            challenge = services.query_start(
                query_code=form.cleaned_data["query_code"],
                mobile=form.cleaned_data["mobile"],
                address=_address(request),
                kiosk=kiosk,
            )
            response = redirect(mode.code)
            _set_cookie(
                response,
                CHALLENGE_COOKIE,
                signing.dumps(challenge.token.hex, salt=CHALLENGE_SALT),
                int(services.CODE_LIFETIME.total_seconds()),
            )
            response.delete_cookie(VIEW_COOKIE, samesite="Lax")
            return response
    else:
        form = QueryStartForm()
    return _page(request, "citizen/query_start.html", {"form": form, "mode": mode})


def _code(request: HttpRequest, mode: Mode) -> HttpResponse:
    kiosk = _kiosk_of(request) if mode.kiosk else None
    token = _challenge_token(request)
    if token is None:
        messages.info(request, "验证码已过期，请重新输入查询码和手机号码。")
        return redirect(mode.start)
    failed = False
    if request.method == "POST":
        form = QueryCodeForm(request.POST)
        if form.is_valid():
            verified = services.query_verify(
                token=token, code=form.cleaned_data["code"], address=_address(request), kiosk=kiosk
            )
            if verified is not None:
                response = redirect(mode.result)
                _set_cookie(
                    response,
                    VIEW_COOKIE,
                    signing.dumps(
                        {"c": verified.token, "t": verified.subject_type, "i": verified.subject_id},
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
    return _page(
        request,
        "citizen/query_code.html",
        {"form": form, "mode": mode, "failed": failed, "minutes": 5},
        status=200,
    )


# The verified page is rendered once per state of its subject (``selectors.view_state``) and
# kept for a minute; the CSRF token and the complaint form's idempotency key are filled in per
# request. It holds allow-listed public fields only, and is served only after the signed view
# cookie has been checked; every view is still journalled.
PAGE_CACHE_SECONDS = 60
STATE_CACHE_SECONDS = 5
CSRF_MARK = "__CSRF_TOKEN__"
KEY_MARK = "__IDEMPOTENCY_KEY__"


def _render_result(
    request: HttpRequest, mode: Mode, verified: services.Verified, ctx: dict[str, Any]
) -> tuple[str, str] | None:
    """(template, html) of the verified page, or None when its subject is gone."""
    ctx.setdefault("mode", mode)
    ctx.setdefault("idle_seconds", KIOSK_IDLE_SECONDS)
    ctx.setdefault("kiosk", getattr(request, "kiosk", None))
    if verified.subject_type == Subject.ALERT:
        view = selectors.public_alert(verified.subject_id)
        if view is None:
            return None
        if isinstance(view, selectors.Unavailable):
            template = "citizen/query_unavailable.html"
        else:
            ctx["alert"] = view
            ctx["complaints"] = selectors.public_complaints(verified.subject_id)
            ctx.setdefault("complaint_form", ComplaintForm())
            template = "citizen/query_alert.html"
    else:
        complaint = selectors.public_complaint(verified.subject_id)
        if complaint is None:
            return None
        ctx["c"] = complaint
        template = "citizen/query_complaint.html"
    return template, render_to_string(template, ctx, request=request)


def _result(
    request: HttpRequest, mode: Mode, complaint_form: Any = None, status: int = 200
) -> HttpResponse:
    verified = _verified(request)
    if verified is None:
        messages.info(request, "查询已超时，请重新验证。")
        return redirect(mode.start)
    # A page with a form's errors or a flash message is the citizen's own: rendered, not cached.
    own = complaint_form is not None or bool(request.COOKIES.get("messages"))
    # What the page depends on is read again at most every few seconds per verified session: a
    # citizen refreshing the page repeats this request, and each look-up must still be
    # journalled; a new verification always reads afresh.
    state_key = f"citizen:state:{verified.token}"
    state = None if own else cache.get(state_key)
    if state is None:
        state = selectors.view_state(verified.subject_type, verified.subject_id)
        if state is None:
            return redirect(mode.start)
        cache.set(state_key, state, STATE_CACHE_SECONDS)
    if state.sensitive:
        # Reclassified as sensitive after the code was sent: not queryable online any more.
        return cast(HttpResponse, _page(request, "citizen/query_unavailable.html", {"mode": mode}))
    key = (
        f"citizen:page:{int(mode.kiosk)}:{verified.subject_type}:{verified.subject_id}:{state.key}"
    ).replace(" ", "T")  # timestamps as the driver writes them; cache keys take no spaces
    html = None if own else cache.get(key)
    if html is None:
        ctx: dict[str, Any] = {}
        if own:
            if complaint_form is not None:
                ctx["complaint_form"] = complaint_form
        else:
            ctx["csrf_token"] = CSRF_MARK
            ctx["complaint_form"] = ComplaintForm(initial={"idempotency_key": KEY_MARK})
        rendered = _render_result(request, mode, verified, ctx)
        if rendered is None:
            return redirect(mode.start)
        html = rendered[1]
        if not own:
            cache.set(key, html, PAGE_CACHE_SECONDS)
    if not own:
        html = html.replace(CSRF_MARK, get_token(request)).replace(KEY_MARK, uuid.uuid4().hex)
    services.query_viewed(
        subject_type=verified.subject_type,
        subject_id=verified.subject_id,
        challenge=verified.token,
        status=state.public_status,
    )
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _complaint(request: HttpRequest, mode: Mode) -> HttpResponse:
    from shoulian.feedback.services import IdempotencyMismatch, complaint_submit

    verified = _verified(request)
    if verified is None or verified.subject_type != Subject.ALERT:
        return redirect(mode.start)
    if not request.POST.get("idempotency_key", "").strip():
        return _page(request, "citizen/bad_request.html", {"mode": mode}, status=400)
    form = ComplaintForm(request.POST)
    if form.is_valid():
        alert = get_object_or_404(Alert, pk=verified.subject_id)
        try:
            complaint_submit(
                channel="query",
                kind=form.cleaned_data["kind"],
                content=form.cleaned_data["content"],
                mobile=services.verified_mobile(verified.token),
                alert=alert,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except IdempotencyMismatch:
            return _page(request, "citizen/conflict.html", {"mode": mode}, status=422)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "您的投诉建议已提交，答复后将以短信通知您。")
            return redirect(mode.result)
    return cast(HttpResponse, _result(request, mode, complaint_form=form, status=200))


def _end(request: HttpRequest, mode: Mode) -> HttpResponse:
    response = redirect(mode.start)
    _clear_query_cookies(response)
    return response


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
    return cast(HttpResponse, _result(request, WEB))


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


# --- the kiosk ----------------------------------------------------------------------------------
@login_not_required
@never_cache
@require_GET
@kiosk_required
def kiosk_home(request: HttpRequest) -> HttpResponse:
    """The start screen; the idle timer comes back here and forgets any open query."""
    response = _page(request, "citizen/kiosk/home.html", {"kiosk": _kiosk_of(request)})
    _clear_query_cookies(response)
    return cast(HttpResponse, response)


def _missing_key(request: HttpRequest) -> bool:
    return not request.POST.get("idempotency_key", "").strip()


_PARTY_FIELDS = {
    "party-0-name": "name",
    "party-0-id_number": "id_number",
    "party-0-phone": "mobile",
    "incident_at": "incident_at",
    "incident_place": "incident_place",
    "narrative": "narrative",
    "category": "category",
}


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@kiosk_required
def kiosk_report(request: HttpRequest) -> HttpResponse:
    kiosk = _kiosk_of(request)
    kind = request.GET.get("kind", "report")
    kind = kind if kind in KINDS else "report"
    if request.method == "POST":
        if _missing_key(request):
            return cast(
                HttpResponse,
                _page(request, "citizen/bad_request.html", {"mode": KIOSK}, status=400),
            )
        form = KioskReportForm(request.POST, kind=kind)
        if form.is_valid():
            data = form.cleaned_data
            alert_input = kiosk_alert_input(
                received_at=timezone.now(),
                incident_at=data["incident_at"],
                incident_place=data["incident_place"],
                narrative=data["narrative"],
                category=data["category"],
                parties=(
                    PartyInput(
                        role=PartyRole.REPORTER,
                        name=data["name"],
                        id_type=IdType.RESIDENT_ID,
                        id_number=data["id_number"],
                        phone=data["mobile"],
                    ),
                ),
            )
            try:
                registration = alert_register_at_kiosk(
                    kiosk_id=kiosk.pk,
                    unit=kiosk.unit,
                    data=alert_input,
                    idempotency_key=data["idempotency_key"],
                )
            except IdempotencyConflict:
                return cast(
                    HttpResponse,
                    _page(request, "citizen/conflict.html", {"mode": KIOSK}, status=422),
                )
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    field = _PARTY_FIELDS.get(key)
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return _visit_redirect(
                    "citizen:kiosk_receipt",
                    {"a": registration.alert.pk, "k": kiosk.pk},
                    RECEIPT_SALT,
                )
    else:
        form = KioskReportForm(kind=kind)
    return cast(
        HttpResponse,
        _page(
            request,
            "citizen/kiosk/report.html",
            {"form": form, "kind": kind, "title": KINDS[kind][0]},
        ),
    )


def _receipt_alert(request: HttpRequest, token: str) -> Alert:
    value = _visit_value(request, token, RECEIPT_SALT)
    return get_object_or_404(
        Alert.objects.select_related("registering_unit", "category"), pk=value.get("a")
    )


@login_not_required
@never_cache
@require_GET
@kiosk_required
def kiosk_receipt(request: HttpRequest, token: str) -> HttpResponse:
    alert = _receipt_alert(request, token)
    return cast(
        HttpResponse,
        _page(
            request,
            "citizen/kiosk/receipt.html",
            {
                "number": alert.number,
                "query_code": alert.query_code_display,
                "unit_name": alert.registering_unit.name,
                "unit_phone": alert.registering_unit.phone,
                "token": token,
            },
        ),
    )


@login_not_required
@never_cache
@require_GET
@kiosk_required
def kiosk_receipt_pdf(request: HttpRequest, token: str) -> HttpResponse:
    alert = _receipt_alert(request, token)
    try:
        pdf = receipt_print_at_kiosk(kiosk_id=_kiosk_of(request).pk, alert=alert)
    except PermissionDenied:
        raise Http404("回执不属于本终端。") from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{alert.number}.pdf"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    return cast(HttpResponse, _result(request, KIOSK))


@login_not_required
@never_cache
@require_POST
@kiosk_required
def kiosk_query_complaint(request: HttpRequest) -> HttpResponse:
    return _complaint(request, KIOSK)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@kiosk_required
def kiosk_complaint(request: HttpRequest) -> HttpResponse:
    from shoulian.feedback.services import IdempotencyMismatch, complaint_submit

    kiosk = _kiosk_of(request)
    if request.method == "POST":
        if _missing_key(request):
            return cast(
                HttpResponse,
                _page(request, "citizen/bad_request.html", {"mode": KIOSK}, status=400),
            )
        form = KioskComplaintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = complaint_submit(
                    channel="kiosk",
                    kind=data["kind"],
                    content=data["content"],
                    mobile=data["mobile"],
                    name=data["name"],
                    kiosk=kiosk,
                    idempotency_key=data["idempotency_key"],
                )
            except IdempotencyMismatch:
                return cast(
                    HttpResponse,
                    _page(request, "citizen/conflict.html", {"mode": KIOSK}, status=422),
                )
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(key if key in form.fields else None, message)
            else:
                return _visit_redirect(
                    "citizen:kiosk_complaint_done",
                    {"c": complaint.pk, "k": kiosk.pk},
                    COMPLAINT_SALT,
                )
    else:
        form = KioskComplaintForm()
    return cast(HttpResponse, _page(request, "citizen/kiosk/complaint.html", {"form": form}))


@login_not_required
@never_cache
@require_GET
@kiosk_required
def kiosk_complaint_done(request: HttpRequest, token: str) -> HttpResponse:
    from shoulian.feedback.models import Complaint

    value = _visit_value(request, token, COMPLAINT_SALT)
    complaint = get_object_or_404(Complaint, pk=value.get("c"))
    return cast(
        HttpResponse,
        _page(
            request,
            "citizen/kiosk/complaint_done.html",
            {"number": complaint.number, "query_code": complaint.query_code_display},
        ),
    )


# --- enrolment ----------------------------------------------------------------------------------
@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_enrol(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link opened on the kiosk itself. GET only shows the button (link previews and
    prefetches must not use up the link); POST enrols this browser."""
    if request.method == "POST":
        kiosk = services.kiosk_enrol(token=token)
        if kiosk is None:
            return render(request, "citizen/kiosk/enrol_invalid.html", status=404)
        response = redirect("citizen:kiosk_home")
        _set_cookie(
            response,
            DEVICE_COOKIE,
            signing.dumps({"k": kiosk.pk, "e": kiosk.epoch}, salt=DEVICE_SALT),
            DEVICE_MAX_AGE,
        )
        return response
    import hashlib

    digest = hashlib.sha256(token.encode()).hexdigest()
    kiosk = (
        Kiosk.objects.select_related("unit")
        .filter(enrolment_token_hash=digest, enrolment_expires_at__gt=timezone.now(), enabled=True)
        .first()
    )
    if kiosk is None:
        return render(request, "citizen/kiosk/enrol_invalid.html", status=404)
    return render(request, "citizen/kiosk/enrol.html", {"kiosk": kiosk})


# --- staff: the kiosks of the bureau ------------------------------------------------------------
def _manageable_units(user: Any) -> Any:
    ids = visible_unit_ids(user, ScopeDomain.ORG)
    if ids is None:
        return Unit.objects.none()
    return Unit.objects.filter(id__in=ids, kind__in=KIOSK_UNIT_KINDS, is_active=True).order_by(
        "path"
    )


@role_required(*services.KIOSK_MANAGERS)
@require_http_methods(["GET", "POST"])
def kiosk_manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _manageable_units(user)
    link = None
    if request.method == "POST":
        form = KioskCreateForm(request.POST, units=units)
        if form.is_valid():
            try:
                kiosk, token = services.kiosk_create(
                    actor=user, unit=form.cleaned_data["unit"], name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(key if key in form.fields else None, message)
            else:
                link = (
                    kiosk,
                    request.build_absolute_uri(reverse("citizen:kiosk_enrol", args=[token])),
                )
                form = KioskCreateForm(units=units)
    else:
        form = KioskCreateForm(units=units)
    return render(
        request,
        "citizen/manage.html",
        {"kiosks": selectors.kiosks_for(user), "form": form, "link": link},
    )


def _managed_kiosk(request: HttpRequest, pk: int) -> Kiosk:
    return get_object_or_404(Kiosk.objects.visible_to(request.user).select_related("unit"), pk=pk)


@role_required(*services.KIOSK_MANAGERS)
@require_POST
def kiosk_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    kiosk = _managed_kiosk(request, pk)
    enabled = request.POST.get("enabled") == "1"
    services.kiosk_set_enabled(actor=request.user, kiosk=kiosk, enabled=enabled)
    messages.success(request, f"已{'启用' if enabled else '停用'}自助终端“{kiosk.name}”。")
    return redirect("citizen:kiosk_manage")


@role_required(*services.KIOSK_MANAGERS)
@require_POST
def kiosk_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    kiosk = _managed_kiosk(request, pk)
    token = services.kiosk_new_enrolment(actor=request.user, kiosk=kiosk)
    link = (kiosk, request.build_absolute_uri(reverse("citizen:kiosk_enrol", args=[token])))
    return render(
        request,
        "citizen/manage.html",
        {
            "kiosks": selectors.kiosks_for(request.user),
            "form": KioskCreateForm(units=_manageable_units(request.user)),
            "link": link,
        },
    )
