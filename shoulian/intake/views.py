"""Pages of the intake desk. Thin: validate with forms, call one service, render."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record_read
from shoulian.core import links
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors
from shoulian.core.paging import count_label, keyset_page
from shoulian.core.storage import storage_full
from shoulian.intake import hooks, pages, selectors, services
from shoulian.intake.choices import (
    OFFENCE_FILTER,
    AlertStatus,
    CategoryGroup,
    Channel,
    PartyRole,
)
from shoulian.intake.forms import (
    AlertForm,
    CategoryCreateForm,
    CategoryEditForm,
    CategoryFlagsForm,
    CompletionForm,
    FilesForm,
    ImportForm,
    ItemFormSet,
    PartyFormSet,
    PhoneSearchForm,
    alert_input,
    draft_payload,
    draft_summary,
    now_local,
)
from shoulian.intake.importer import import_csv
from shoulian.intake.models import Category
from shoulian.intake.pages import COMPLETING_ROLES, RECEIPT_ROLES
from shoulian.intake.uploads import ALLOWED_TYPES
from shoulian.org.selectors import area_for_place, bureau_of
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for
from shoulian.privacy.services import RevealDenied, reveal_field

# Everybody who works with case content; the administrator reads none of it (三员分立).
CONTENT_ROLES = tuple(r for r in Role.values if r != Role.ADMIN)
DESK_ROLES = (Role.CLERK,)
PAGE_SIZE = 50


def _forms(request: HttpRequest, initial: dict[str, Any] | None = None) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    initial = initial or {}
    return {
        "form": AlertForm(data, initial=initial.get("alert")),
        "parties": PartyFormSet(data, prefix="party", initial=initial.get("parties")),
        "items": ItemFormSet(data, prefix="item", initial=initial.get("items")),
        "files": FilesForm(data, files),
    }


def _initial_from_draft(payload: dict[str, Any]) -> dict[str, Any]:
    def rows(prefix: str) -> list[dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for key, value in payload.items():
            parts = key.split("-")
            if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit():
                found.setdefault(int(parts[1]), {})[parts[2]] = value
        return [found[i] for i in sorted(found) if any(v for v in found[i].values())]

    alert = {k: v for k, v in payload.items() if "-" not in k}
    return {"alert": alert, "parties": rows("party"), "items": rows("item")}


def _duplicates_for(request: HttpRequest, parties: Any, exclude: int | None = None) -> list[Any]:
    pairs, phones = [], []
    for form in parties.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("id_number"):
            pairs.append((data.get("id_type", ""), data["id_number"]))
        if data.get("phone"):
            phones.append(data["phone"])
    return selectors.recent_duplicates(
        request.user, id_numbers=pairs, phones=phones, exclude_pk=exclude
    )


log = logging.getLogger(__name__)

STORAGE_FULL_MESSAGE = (
    "警情未登记：服务器存储空间已满，本次登记（含上传的文件）没有保存，也没有生成警情编号和回执。"
    "请先用纸质登记表为报警人登记，并立即联系系统管理员；空间恢复后在本页重新提交。"
)


def _render_form(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "intake/register.html", context, status=status)


@role_required(*DESK_ROLES)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """The registration form (三个当场): alert, parties, evidence list and files in one page."""
    user: Any = request.user
    draft = None
    draft_id = request.POST.get("draft") or request.GET.get("draft")
    if draft_id and str(draft_id).isdigit():
        draft = selectors.draft_for(user, int(draft_id))
    if request.method == "GET":
        initial: dict[str, Any] = {
            "alert": {
                "channel": Channel.WALK_IN,
                "received_at": now_local(),
                "idempotency_key": uuid.uuid4().hex,
            }
        }
        if draft is not None:
            restored = _initial_from_draft(draft.payload_data())
            restored["alert"].update(idempotency_key=uuid.uuid4().hex, draft=draft.pk)
            initial = restored
        return _render_form(request, {**_forms(request, initial), "draft": draft})

    context = {**_forms(request), "draft": draft}
    if request.POST.get("action") == "draft":
        payload = draft_payload(request.POST)
        saved = services.draft_save(
            actor=user, payload=payload, summary=draft_summary(payload), draft=draft
        )
        messages.success(request, "草稿已保存（上传的文件不随草稿保存，登记时请重新选择）。")
        return redirect(f"{reverse('intake:register')}?draft={saved.pk}")

    form, parties, items, files = (context[k] for k in ("form", "parties", "items", "files"))
    valid = all([form.is_valid(), parties.is_valid(), items.is_valid(), files.is_valid()])
    if not valid:
        # The 30-day warning shows again with the errors; after a registration the receipt
        # page shows it.
        context["duplicates"] = _duplicates_for(request, parties)
        return _render_form(request, context, status=200)
    try:
        registration = services.alert_register(
            actor=user,
            data=alert_input(form, parties, items, files),
            idempotency_key=form.cleaned_data["idempotency_key"],
            draft=draft,
        )
    except services.IdempotencyConflict as exc:
        return render(request, "intake/conflict.html", {"message": str(exc)}, status=422)
    except ValidationError as exc:
        add_service_errors(form, exc)
        context["duplicates"] = _duplicates_for(request, parties)
        return _render_form(request, context)
    except (OSError, DatabaseError) as exc:
        if not storage_full(exc):
            raise
        # The registration's transaction rolled back whole (R7): say so, not 系统错误.
        log.error("alert registration failed: storage full (%s)", type(exc).__name__)
        form.add_error(None, STORAGE_FULL_MESSAGE)
        return _render_form(request, context, status=503)
    if registration.replayed:
        messages.info(request, f"该登记已于此前提交（{registration.alert.number}），未重复登记。")
    else:
        messages.success(request, f"已登记警情 {registration.alert.number}，请打印回执交报案人。")
    return redirect("intake:receipt", pk=registration.alert.pk)


@role_required(*COMPLETING_ROLES)
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete the registration of an alert taken over from 110 or an organ (≤ 24 h)."""
    alert = selectors.alert_detail(request.user, pk)
    if alert.registration_completed_at is not None:
        messages.info(request, "该警情已完成登记。")
        return redirect("intake:alert_detail", pk=alert.pk)
    data = request.POST if request.method == "POST" else None
    initial = {
        "urgency": alert.urgency,
        "incident_at": timezone.localtime(alert.incident_at).strftime("%Y-%m-%dT%H:%M"),
        "incident_place": alert.incident_place,
        "category": alert.category_id,
        "narrative": alert.narrative,
        "source_organ": alert.source_organ,
        "version": alert.version,
    }
    form = CompletionForm(data, initial=initial)
    parties = PartyFormSet(data, prefix="party")
    items = ItemFormSet(data, prefix="item")
    files = FilesForm(data, request.FILES if data is not None else None)
    context = {
        "alert": alert,
        "form": form,
        "parties": parties,
        "items": items,
        "files": files,
        "completing": True,
        "registration_due": hooks.registration_due_of(alert),
    }
    if data is None:
        return render(request, "intake/register.html", context)
    valid = all([form.is_valid(), parties.is_valid(), items.is_valid(), files.is_valid()])
    context["duplicates"] = _duplicates_for(request, parties, exclude=alert.pk)
    if valid:
        try:
            services.alert_complete_registration(
                actor=request.user,
                alert=alert,
                version=form.cleaned_data["version"],
                data=alert_input(
                    form,
                    parties,
                    items,
                    files,
                    channel=alert.channel,
                    received_at=alert.received_at,
                ),
            )
        except services.ConcurrentUpdate as exc:
            return render(
                request, "intake/conflict.html", {"message": str(exc), "alert": alert}, status=409
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"警情 {alert.number} 已完成登记。")
            return redirect("intake:alert_detail", pk=alert.pk)
    return render(request, "intake/register.html", context)


@role_required(*COMPLETING_ROLES)
@require_POST
def jurisdiction_hint(request: HttpRequest) -> HttpResponse:
    """htmx: the 辖区 and 派出所 the typed place suggests."""
    place = request.POST.get("incident_place", "").strip()[:200]
    unit = request.user.unit  # type: ignore[union-attr]
    area = area_for_place(bureau=bureau_of(unit), place_name=place) if place and unit else None
    return render(request, "intake/_jurisdiction.html", {"area": area, "place": place})


@role_required(*COMPLETING_ROLES)
@require_POST
def duplicates(request: HttpRequest) -> HttpResponse:
    """htmx: alerts of the last 30 days with the same ID number or phone (POST: the numbers
    never appear in a URL or an access log)."""
    parties = PartyFormSet(request.POST, prefix="party")
    parties.is_valid()
    exclude = request.POST.get("exclude", "")
    hits = _duplicates_for(request, parties, exclude=int(exclude) if exclude.isdigit() else None)
    return render(request, "intake/_duplicates.html", {"duplicates": hits})


def _filters(request: HttpRequest) -> selectors.AlertFilters:
    from datetime import date

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return selectors.AlertFilters(
        q=request.GET.get("q", "")[:40],
        channel=request.GET.get("channel", "") if request.GET.get("channel") in Channel else "",
        status=request.GET.get("status", "") if request.GET.get("status") in AlertStatus else "",
        group=request.GET.get("group", "")
        if request.GET.get("group") in {*CategoryGroup.values, OFFENCE_FILTER}
        else "",
        date_from=day("from"),
        date_to=day("to"),
        pending_registration=request.GET.get("pending") == "1",
        unit=request.GET.get("unit", "")
        if request.GET.get("unit") in selectors.UNIT_FILTERS
        else "",
        desk=selectors.DESK_STATION if request.GET.get("desk") == selectors.DESK_STATION else "",
        handler=int(handler) if (handler := request.GET.get("handler", "")).isdigit() else None,
        in_unit=int(in_unit) if (in_unit := request.GET.get("in_unit", "")).isdigit() else None,
    )


def _phone_search(request: HttpRequest) -> tuple[PhoneSearchForm, str]:
    """The reporter-phone search (POST: a number never appears in a URL or an access log). It is
    a use of personal data, journalled without the number; the search goes through the keyed
    hash index, so no stored phone is decrypted (P2)."""
    form = PhoneSearchForm(request.POST)
    if not form.is_valid():
        return form, ""
    user: Any = request.user
    record_read(EventType.ALERTS_SEARCHED_BY_PHONE, obj=user.unit, fields=["reporter_phone"])
    return form, index_for(form.cleaned_data["phone"], Kind.PHONE)


@role_required(*CONTENT_ROLES)
@require_http_methods(["GET", "POST"])
def alert_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    phone_form = PhoneSearchForm()
    if request.method == "POST":
        phone_form, index = _phone_search(request)
        # An invalid number shows its error over an empty list, never every alert.
        filters = replace(filters, phone_index=index or "-")
    alerts = selectors.alert_list(request.user, filters)
    page = keyset_page(alerts, request.GET, time_field="received_at", size=PAGE_SIZE)
    # The 待补录 badge names the registration's due time: the deadline engine's, one query for
    # the page (none when nothing on it waits for its registration).
    dues = hooks.registration_due([a.pk for a in page.rows if a.registration_completed_at is None])
    for row in page.rows:
        row.registration_due = dues.get(row.pk)  # type: ignore[attr-defined]
    query = request.GET.copy()
    for key in ("older", "newer", "last"):
        query.pop(key, None)
    return render(
        request,
        "intake/alert_list.html",
        {
            "page": page,
            "total": count_label(selectors.alert_total(request.user, filters)),
            "filters": filters,
            "query": query.urlencode(),
            "channels": Channel.choices,
            "statuses": AlertStatus.choices,
            "groups": [*CategoryGroup.choices, (OFFENCE_FILTER, "违法犯罪类（刑事、治安）")],
            "unit_filters": selectors.UNIT_FILTERS,
            "phone_form": phone_form,
            "phone_searched": request.method == "POST",
            "can_register": request.user.has_role(Role.CLERK),  # type: ignore[union-attr]
        },
    )


@role_required(*CONTENT_ROLES)
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The old address of an alert: its file (警情档案, registered by workflow) opens instead.
    The alert is fetched first, so another unit's alert answers 404 here too (Z3)."""
    alert = selectors.alert_detail(request.user, pk)
    page = links.url_for("alert", alert.pk)
    if page:
        return redirect(page)
    context = pages.registration_context(request.user, alert)
    return render(request, "intake/alert_detail.html", context)


@role_required(*CONTENT_ROLES)
@require_POST
def party_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the clear value of one field of a party, for who may see it; every try journalled."""
    party = selectors.party_for(request.user, pk)
    field = request.POST.get("field", "")
    if field not in {"name", "id_number", "phone", "address"}:
        return HttpResponse("无效的字段。", status=400)
    try:
        value = reveal_field(
            user=request.user, obj=party, field=field, reason=request.POST.get("reason", "")
        )
    except RevealDenied as exc:
        return render(
            request,
            "intake/_reveal.html",
            {"party": party, "field": field, "refused": str(exc), "ground": exc.ground},
            status=200,
        )
    return render(request, "intake/_reveal.html", {"party": party, "field": field, "value": value})


@role_required(*RECEIPT_ROLES)
@require_GET
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The print view: what the receipt says, with the button that prints the PDF."""
    alert = selectors.alert_detail(request.user, pk)
    parties = list(alert.parties.all())
    reporter = next((p for p in parties if p.role == PartyRole.REPORTER), None)
    hits = selectors.recent_duplicates(
        request.user,
        id_numbers=[(p.id_type, p.id_number.plaintext()) for p in parties if p.id_number],
        phones=[p.phone.plaintext() for p in parties if p.phone],
        exclude_pk=alert.pk,
    )
    from shoulian.intake.receipt import public_query_url

    return render(
        request,
        "intake/receipt.html",
        {
            "alert": alert,
            "reporter": reporter,
            "duplicates": hits,
            "query_url": public_query_url(),
        },
    )


@role_required(*RECEIPT_ROLES)
@require_GET
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_detail(request.user, pk)
    pdf = services.receipt_print(actor=request.user, alert=alert)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{alert.number}.pdf"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_name(original: str, content_type: str) -> str:
    """The uploader's name with the extension of the type the content was found to be: a PNG
    uploaded as ``照片.exe`` downloads as ``照片.png``, so the receiving PC opens it as what it is."""
    detected = ALLOWED_TYPES.get(content_type)
    if detected is None:
        return original
    stem = PurePosixPath(original.replace("\\", "/")).name
    if "." in stem.lstrip("."):
        stem = stem.rsplit(".", 1)[0]
    return f"{stem.strip() or '证据材料'}.{detected[1]}"


@role_required(*CONTENT_ROLES)
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_file_for(request.user, pk)
    handle = services.evidence_open(actor=request.user, evidence=evidence)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(evidence.original_name, evidence.content_type),
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return cast(HttpResponse, response)


# --- drafts -----------------------------------------------------------------------------------
@role_required(*DESK_ROLES)
@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/draft_list.html", {"drafts": selectors.drafts_of(request.user)})


@role_required(*DESK_ROLES)
@require_POST
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_for(request.user, pk)
    services.draft_discard(actor=request.user, draft=draft)
    messages.success(request, "草稿已删除。")
    return redirect("intake:draft_list")


# --- 110 and organ imports --------------------------------------------------------------------
@role_required(*DESK_ROLES)
@require_http_methods(["GET", "POST"])
def import_alerts(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_csv(
            actor=request.user,
            upload=form.cleaned_data["file"],
            channel=form.cleaned_data["channel"],
        )
        if result.ok:
            messages.success(request, f"已导入 {len(result.created)} 起警情。")
    return render(request, "intake/import.html", {"form": form, "result": result})


# --- classification standard ------------------------------------------------------------------
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "intake/category_list.html",
        {
            "categories": selectors.category_tree(),
            "can_edit": user.has_role(Role.ADMIN),
            "can_classify": user.has_role(Role.LEGAL_BRIGADE) and not user.is_auxiliary,
        },
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    form = CategoryCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增类别 {category.code} {category.name}。")
            return redirect("intake:category_list")
    return render(request, "intake/category_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    initial = {k: getattr(category, k) for k in ("name", "is_sensitive", "is_active")}
    form = CategoryEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.category_update(actor=request.user, category=category, **form.cleaned_data)
        messages.success(request, "已保存。")
        return redirect("intake:category_list")
    return render(request, "intake/category_form.html", {"form": form, "category": category})


@role_required(Role.LEGAL_BRIGADE)
@require_http_methods(["GET", "POST"])
def category_flags(request: HttpRequest, pk: int) -> HttpResponse:
    """The legal brigade's page of one category's legal classification: the versions and a form
    for the next one (the tree itself stays with the administrator)."""
    category = get_object_or_404(Category.objects.select_related("parent"), pk=pk)
    if category.parent_id is None:
        raise Http404("大类没有法律属性")
    today = timezone.localdate()
    form = CategoryFlagsForm(
        request.POST or None,
        initial={**services.flags_in_force(category, today), "effective_from": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.category_flags_revise(
                actor=request.user, category=category, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"已保存 {category.name} 的第 {version.version} 版分类，"
                f"{version.effective_from:%Y-%m-%d} 起施行。",
            )
            return redirect("intake:category_flags", pk=category.pk)
    return render(
        request,
        "intake/category_flags.html",
        {
            "category": category,
            "form": form,
            "versions": services.flag_versions(category)[::-1],
            "today": today,
        },
    )
