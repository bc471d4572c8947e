"""The kiosk (自助终端) in the center's hall: the start screen, a written report with its receipt
printed on the spot, and a complaint or suggestion. Its progress query is ``query``'s flow in
kiosk mode."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from shoulian.citizen.forms import KINDS, KioskComplaintForm, KioskReportForm
from shoulian.citizen.views.common import (
    COMPLAINT_SALT,
    KIOSK,
    RECEIPT_SALT,
    clear_query_cookies,
    kiosk_of,
    kiosk_required,
    page,
    visit_redirect,
    visit_value,
)
from shoulian.intake.choices import PartyRole
from shoulian.intake.models import Alert
from shoulian.intake.services.common import IdempotencyConflict, PartyInput
from shoulian.intake.services.kiosk import (
    alert_register_at_kiosk,
    kiosk_alert_input,
    receipt_print_at_kiosk,
)
from shoulian.privacy.choices import IdType


@login_not_required
@never_cache
@require_GET
@kiosk_required
def kiosk_home(request: HttpRequest) -> HttpResponse:
    """The start screen; the idle timer comes back here and forgets any open query."""
    response = page(request, "citizen/kiosk/home.html", {"kiosk": kiosk_of(request)})
    clear_query_cookies(response)
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
    kiosk = kiosk_of(request)
    kind = request.GET.get("kind", "report")
    kind = kind if kind in KINDS else "report"
    if request.method == "POST":
        if _missing_key(request):
            return cast(
                HttpResponse,
                page(request, "citizen/bad_request.html", {"mode": KIOSK}, status=400),
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
                    page(request, "citizen/conflict.html", {"mode": KIOSK}, status=422),
                )
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    field = _PARTY_FIELDS.get(key)
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return visit_redirect(
                    "citizen:kiosk_receipt",
                    {"a": registration.alert.pk, "k": kiosk.pk},
                    RECEIPT_SALT,
                )
    else:
        form = KioskReportForm(kind=kind)
    return cast(
        HttpResponse,
        page(
            request,
            "citizen/kiosk/report.html",
            {"form": form, "kind": kind, "title": KINDS[kind][0]},
        ),
    )


def _receipt_alert(request: HttpRequest, token: str) -> Alert:
    value = visit_value(request, token, RECEIPT_SALT)
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
        page(
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
        pdf = receipt_print_at_kiosk(kiosk_id=kiosk_of(request).pk, alert=alert)
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
def kiosk_complaint(request: HttpRequest) -> HttpResponse:
    from shoulian.feedback.services import IdempotencyMismatch, complaint_submit

    kiosk = kiosk_of(request)
    if request.method == "POST":
        if _missing_key(request):
            return cast(
                HttpResponse,
                page(request, "citizen/bad_request.html", {"mode": KIOSK}, status=400),
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
                    page(request, "citizen/conflict.html", {"mode": KIOSK}, status=422),
                )
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(key if key in form.fields else None, message)
            else:
                return visit_redirect(
                    "citizen:kiosk_complaint_done",
                    {"c": complaint.pk, "k": kiosk.pk},
                    COMPLAINT_SALT,
                )
    else:
        form = KioskComplaintForm()
    return cast(HttpResponse, page(request, "citizen/kiosk/complaint.html", {"form": form}))


@login_not_required
@never_cache
@require_GET
@kiosk_required
def kiosk_complaint_done(request: HttpRequest, token: str) -> HttpResponse:
    from shoulian.feedback.models import Complaint

    value = visit_value(request, token, COMPLAINT_SALT)
    complaint = get_object_or_404(Complaint, pk=value.get("c"))
    return cast(
        HttpResponse,
        page(
            request,
            "citizen/kiosk/complaint_done.html",
            {"number": complaint.number, "query_code": complaint.query_code_display},
        ),
    )
