"""What the citizen views share: the signed cookies, the kiosk device check and the two modes of
the query flow (on a phone, on the kiosk)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.citizen import selectors, services
from shoulian.citizen.models import Kiosk
from shoulian.core import context
from shoulian.core.netaddr import client_ip

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
def set_cookie(response: HttpResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def clear_query_cookies(response: HttpResponse) -> None:
    response.delete_cookie(CHALLENGE_COOKIE, samesite="Lax")
    response.delete_cookie(VIEW_COOKIE, samesite="Lax")
    response.delete_cookie(VISIT_COOKIE, samesite="Lax")


def visit_redirect(url_name: str, payload: dict[str, Any], salt: str) -> HttpResponse:
    """Redirect to a page of this visit only (receipt, complaint number): its link carries a
    fresh visit nonce that must match the visit cookie set here."""
    visit = secrets.token_urlsafe(16)
    response = redirect(url_name, token=signing.dumps({**payload, "v": visit}, salt=salt))
    set_cookie(response, VISIT_COOKIE, visit, RECEIPT_MAX_AGE)
    return cast(HttpResponse, response)


def visit_value(request: HttpRequest, token: str, salt: str) -> dict[str, Any]:
    try:
        value = signing.loads(token, salt=salt, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404("页面已过期。") from None
    visit = request.COOKIES.get(VISIT_COOKIE, "")
    if not visit or not secrets.compare_digest(str(value.get("v", "")), visit):
        raise Http404("页面已过期。")
    if value.get("k") != kiosk_of(request).pk:
        raise Http404("不属于本终端。")
    return cast(dict[str, Any], value)


def challenge_token(request: HttpRequest) -> str | None:
    raw = request.COOKIES.get(CHALLENGE_COOKIE, "")
    try:
        value = signing.loads(raw, salt=CHALLENGE_SALT, max_age=services.CODE_LIFETIME)
    except signing.BadSignature:
        return None
    return str(value)


def verified(request: HttpRequest) -> services.Verified | None:
    raw = request.COOKIES.get(VIEW_COOKIE, "")
    try:
        value = signing.loads(raw, salt=VIEW_SALT, max_age=services.VERIFIED_LIFETIME)
        return services.Verified(token=value["c"], subject_type=value["t"], subject_id=value["i"])
    except (signing.BadSignature, KeyError, TypeError):
        return None


def address(request: HttpRequest) -> str | None:
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


def kiosk_of(request: HttpRequest) -> Kiosk:
    return cast(Kiosk, request.kiosk)  # type: ignore[attr-defined]


def page(request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200) -> Any:
    ctx.setdefault("idle_seconds", KIOSK_IDLE_SECONDS)
    ctx.setdefault("kiosk", getattr(request, "kiosk", None))
    response = render(request, template, ctx, status=status)
    return response
