"""The large-type switch (适老化) of the public pages: a display preference kept in a cookie, so
every page draws large type from its first paint, with or without JavaScript. On a phone it is
remembered on the device for a year; on the kiosk for the visit only (the idle reset forgets it,
``kiosk.js``), so the next citizen starts from the usual size."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

LARGE_COOKIE = "shoulian_large"
PHONE_MAX_AGE = 365 * 24 * 3600


def large_type_on(request: HttpRequest) -> bool:
    return request.COOKIES.get(LARGE_COOKIE) == "1"


@login_not_required
@require_POST
def large_type(request: HttpRequest) -> HttpResponse:
    """Switch large type on (``large=1``) or off and go back to the page the citizen was on. The
    script on the page does the same in place (no reload, nothing typed is lost); this is the
    answer without JavaScript."""
    on = request.POST.get("large") == "1"
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith(("/q/", "/kiosk/")):
        target = "/q/"
    response = redirect(target)
    if on:
        # Not HttpOnly: the page's own script switches it in place and the kiosk's idle reset
        # clears it; it is a display preference and carries nothing about the citizen.
        response.set_cookie(
            LARGE_COOKIE,
            "1",
            max_age=None if target.startswith("/kiosk/") else PHONE_MAX_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(LARGE_COOKIE, samesite="Lax")
    return response
