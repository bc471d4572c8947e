"""The SMS outbox page (短信发件箱) and the template editor, for the center head.

The center head answers for what the center tells citizens: the outbox shows the bureau's
messages (masked mobile, text, status) and retries the dead ones; the template wording carries
legal content (the 复议 window, the authority to turn to), so it is edited by the center head as
well. The administrator reads no case content (三员分立) and configures the gateway through the
environment, not here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors
from shoulian.notify import selectors, services
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.forms import TemplateForm
from shoulian.notify.retention import retention_days

PAGE_SIZE = 50


@role_required(Role.CENTER_HEAD)
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in SmsStatus.values:
        status = ""
    after = request.GET.get("after", "")
    page = selectors.outbox_page(request.user, status, after, PAGE_SIZE)
    counts = selectors.status_counts(request.user)
    return render(
        request,
        "notify/outbox.html",
        {
            "page": page.rows,
            "next_cursor": page.next_cursor,
            "after": after,
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in SmsStatus.choices],
            "total": selectors.capped_count(selectors.outbox(request.user)),
            "cap": selectors.COUNT_CAP,
            "alarms": selectors.alarms(request.user),
            "gateway": selectors.gateway_info(),
            "retryable": {SmsStatus.DEAD, SmsStatus.EXPIRED},
            "retention_days": retention_days(),
        },
    )


@role_required(Role.CENTER_HEAD)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(selectors.outbox(request.user), pk=pk)
    try:
        services.sms_retry(actor=request.user, message=message)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已重新放入发件箱，稍后发送。")
    return redirect("notify:outbox")


@role_required(Role.CENTER_HEAD)
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    return render(
        request, "notify/templates.html", {"templates": selectors.templates(request.user)}
    )


@role_required(Role.CENTER_HEAD)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, key: str) -> HttpResponse:
    if key not in TemplateKey.values:
        raise Http404
    row = next(t for t in selectors.templates(request.user) if t.key == key)
    form = TemplateForm(request.POST or None, initial={"text": row.text, "version": row.version})
    if request.method == "POST" and form.is_valid():
        user: Any = request.user
        try:
            services.sms_template_update(
                actor=user,
                key=key,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, "text")
        else:
            messages.success(request, f"已保存短信模板“{row.label}”。")
            return redirect("notify:templates")
    return render(
        request,
        "notify/template_edit.html",
        {"form": form, "row": row, "history": selectors.template_history(request.user, key)},
        status=400 if form.errors else 200,
    )
