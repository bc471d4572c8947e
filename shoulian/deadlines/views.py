"""Pages of the deadline engine: the running deadlines a user may see, extension requests and
decisions, the rules (legal brigade edits, staff read) and the holiday calendar (administrator)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors
from shoulian.deadlines import selectors, services
from shoulian.deadlines.choices import APPROVER_ROLES, REQUESTER_ROLES
from shoulian.deadlines.forms import (
    CalendarDaysForm,
    CalendarYearForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    RuleForm,
)

# Every staff role reads deadlines and rules except the administrator, who reads no case data and
# may not touch legal rules (三员分立).
READERS = tuple(r for r in Role.values if r != Role.ADMIN)


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- Running deadlines -----------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def my_deadlines(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "deadlines/my_deadlines.html",
        {
            "items": selectors.work_queue(request.user),
            "approvals": selectors.pending_approvals(request.user),
            "limit": selectors.QUEUE_LIMIT,
        },
    )


@role_required(*READERS)
@require_GET
def deadline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = selectors.deadline_for_detail(request.user, pk)
    extensions = list(deadline.extensions.all())
    decidable = {e.pk for e in extensions if selectors.can_decide(request.user, e)}
    can_request = selectors.can_request_extension(request.user, deadline)
    return render(
        request,
        "deadlines/deadline_detail.html",
        {
            "deadline": deadline,
            "item": selectors.queue_item(deadline, timezone.now()),
            "pauses": list(deadline.pauses.all()),
            "extensions": extensions,
            "decidable": decidable,
            "request_form": ExtensionRequestForm(initial={"length": deadline.rule.extension_length})
            if can_request
            else None,
            "decision_form": ExtensionDecisionForm() if decidable else None,
        },
    )


@role_required(*REQUESTER_ROLES)
@require_POST
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = selectors.deadline_for_detail(request.user, pk)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写延长幅度和理由。"))
    else:
        try:
            services.deadline_extension_request(
                actor=request.user,
                deadline=deadline,
                length=form.cleaned_data["length"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已提交延长申请，等待审批。"))
    return redirect("deadlines:detail", pk=deadline.pk)


@role_required(*APPROVER_ROLES)
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    extension = selectors.extension_for_decision(request.user, pk)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
    else:
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "approve":
                services.deadline_extend(actor=request.user, extension=extension, note=note)
                messages.success(request, _("已批准延长，到期时间已重新计算。"))
            else:
                services.deadline_extension_reject(
                    actor=request.user, extension=extension, note=note
                )
                messages.success(request, _("已驳回延长申请。"))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return redirect("deadlines:detail", pk=extension.deadline_id)


# --- Rules -----------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "deadlines/rule_list.html",
        {"rows": selectors.rules_for(user), "can_edit": user.has_role(Role.LEGAL_BRIGADE)},
    )


@role_required(*READERS)
@require_GET
def rule_detail(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    history = selectors.rule_history(user, code)
    return render(
        request,
        "deadlines/rule_detail.html",
        {
            "rule": selectors.rule_in_force_for(user, code),
            "history": list(reversed(history)),
            "can_edit": user.has_role(Role.LEGAL_BRIGADE),
        },
    )


@role_required(Role.LEGAL_BRIGADE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    current = selectors.rule_in_force_for(request.user, code)
    initial = RuleForm.initial_from(current)
    initial["effective_from"] = timezone.localdate()
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.rule_revise(
                actor=request.user,
                code=code,
                change_reason=form.cleaned_data["change_reason"],
                **form.rule_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已生成第%(version)s版，正在计时的相关期限已按新版本重新计算。")
                % {"version": rule.version},
            )
            return redirect("deadlines:rule_detail", code=code)
    return render(request, "deadlines/rule_form.html", {"form": form, "rule": current})


# --- Holiday calendar ------------------------------------------------------------------------


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def calendar_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CalendarYearForm(request.POST or None, initial={"year": today.year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.calendar_year_create(
                actor=request.user,
                year=form.cleaned_data["year"],
                notice=form.cleaned_data["notice"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("已新建%(year)s年，录入完毕后请发布。") % {"year": created.year}
            )
            return redirect("deadlines:calendar_year", year=created.year)
    return render(
        request,
        "deadlines/calendar_index.html",
        {
            "years": selectors.calendar_years(),
            "form": form,
            "warning": selectors.calendar_warning(today),
        },
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    calendar_year = selectors.calendar_year_or_404(year)
    form = CalendarDaysForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.calendar_days_set(
                actor=request.user,
                calendar_year=calendar_year,
                first=form.cleaned_data["first"],
                last=form.cleaned_data["last"],
                is_rest_day=form.is_rest_day,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="first")
        else:
            messages.success(request, _("已设置%(count)s天。") % {"count": count})
            return redirect("deadlines:calendar_year", year=year)
    return render(
        request,
        "deadlines/calendar_year.html",
        {
            "calendar_year": calendar_year,
            "days": list(calendar_year.days.all()),
            "months": selectors.year_months(calendar_year),
            "form": form,
        },
    )


@role_required(Role.ADMIN)
@require_POST
def calendar_day_remove(request: HttpRequest, year: int, day: str) -> HttpResponse:
    calendar_year = selectors.calendar_year_or_404(year)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404("日期格式错误") from exc
    try:
        services.calendar_day_remove(actor=request.user, calendar_year=calendar_year, day=date)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("%(date)s 已恢复为普通安排。") % {"date": date})
    return redirect("deadlines:calendar_year", year=year)


@role_required(Role.ADMIN)
@require_POST
def calendar_year_publish(request: HttpRequest, year: int) -> HttpResponse:
    calendar_year = selectors.calendar_year_or_404(year)
    try:
        recomputed = services.calendar_year_publish(actor=request.user, calendar_year=calendar_year)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("%(year)s年节假日安排已生效，重新计算了%(count)s条期限。")
            % {"year": year, "count": recomputed},
        )
    return redirect("deadlines:calendar_year", year=year)
