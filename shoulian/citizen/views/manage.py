"""Enrolling a kiosk (the one-time link opened on the device) and the staff page that lists,
creates, disables and re-enrols the kiosks of the bureau."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shoulian.citizen import selectors, services
from shoulian.citizen.forms import KioskCreateForm
from shoulian.citizen.models import Kiosk
from shoulian.citizen.views.common import DEVICE_COOKIE, DEVICE_MAX_AGE, DEVICE_SALT, set_cookie
from shoulian.core.access import role_required
from shoulian.core.scoping import ScopeDomain, visible_unit_ids
from shoulian.intake.services.kiosk import KIOSK_UNIT_KINDS
from shoulian.org.models import Unit


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
        set_cookie(
            response,
            DEVICE_COOKIE,
            signing.dumps({"k": kiosk.pk, "e": kiosk.epoch}, salt=DEVICE_SALT),
            DEVICE_MAX_AGE,
        )
        return response
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
