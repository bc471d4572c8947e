"""The 纪检's page for the administrator's proposals (two-person rule, accounts.approvals)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shoulian.accounts import approvals, selectors
from shoulian.accounts.choices import APPROVER_ROLES
from shoulian.accounts.forms import DecisionForm
from shoulian.accounts.models import User
from shoulian.core.access import role_required


@role_required(*APPROVER_ROLES)
def approval_list(request: HttpRequest) -> HttpResponse:
    changes = selectors.account_changes(request.user)
    return render(
        request,
        "accounts/approvals.html",
        {
            "pending": changes.filter(status="pending"),
            "decided": changes.exclude(status="pending")[:50],
            "form": DecisionForm(),
        },
    )


@role_required(*APPROVER_ROLES)
@never_cache
@require_POST
def approval_approve(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(selectors.account_changes(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        code = approvals.account_change_approve(
            actor=cast(User, request.user), change=change, note=note
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("accounts:approvals")
    change.refresh_from_db()
    # Rendered, not redirected: the code exists only in this one answer (never_cache: no-store),
    # never in a page anyone can open again.
    return render(request, "accounts/approval_done.html", {"change": change, "code": code})


@role_required(*APPROVER_ROLES)
@require_POST
def approval_reject(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(selectors.account_changes(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        approvals.account_change_reject(actor=cast(User, request.user), change=change, note=note)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已不批准该申请。"))
    return redirect("accounts:approvals")
