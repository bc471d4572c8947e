"""系统管理员 pages for staff accounts. Every object is fetched through the admin's org scope, so
another bureau's account answers 404 exactly like a missing one (Z3)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts import approvals, selectors, services
from shoulian.accounts.choices import Role
from shoulian.accounts.forms import NewUserForm, ReasonForm, ResetPasswordForm, UserForm
from shoulian.accounts.models import User
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors
from shoulian.org.selectors import units_visible_to


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _target(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(User.objects.visible_to(request.user).select_related("unit"), pk=pk)


@role_required(Role.ADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    state = request.GET.get("state", "")
    unit_id = request.GET.get("unit")
    qs = selectors.users_for_admin(
        request.user,
        query=query,
        state=state,
        unit_id=int(unit_id) if unit_id and unit_id.isdigit() else None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/manage/user_list.html",
        {
            "page": page,
            "q": query,
            "state": state,
            "units": units_visible_to(request.user),
            "unit_id": unit_id,
        },
    )


@role_required(Role.ADMIN)
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None, units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=_actor(request),
                username=data["username"],
                full_name=data["full_name"],
                unit=data["unit"],
                police_kind=data["police_kind"],
                badge_number=data["badge_number"],
                roles=data["roles"],
                password=data["password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="roles")
        else:
            messages.success(
                request,
                _(
                    "已提出为 %(full_name)s 开户的申请：经纪检批准后账户才启用，纪检将一次性绑定码"
                    "当面交给本人；首次登录须修改密码并凭绑定码绑定动态口令。"
                )
                % {"full_name": user.full_name},
            )
            return redirect("users:detail", pk=user.pk)
    return render(request, "accounts/manage/user_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    initial = {
        "username": target.username,
        "full_name": target.full_name,
        "unit": target.unit,
        "police_kind": target.police_kind,
        "badge_number": target.badge_number,
        "roles": sorted(target.role_set),
    }
    form = UserForm(
        request.POST or None, initial=initial, units=units_visible_to(request.user), editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.user_update(
                actor=_actor(request),
                user=target,
                full_name=data["full_name"],
                unit=data["unit"],
                police_kind=data["police_kind"],
                badge_number=data["badge_number"],
                roles=data["roles"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="roles")
        else:
            proposed = getattr(updated, "proposed_roles", [])
            if proposed:
                messages.success(
                    request,
                    _("已保存；新增角色（%(roles)s）已提交纪检审批，批准后生效。")
                    % {"roles": "、".join(str(Role(r).label) for r in proposed)},
                )
            else:
                messages.success(request, _("已保存。"))
            return redirect("users:detail", pk=target.pk)
    return render(
        request,
        "accounts/manage/user_detail.html",
        {
            "form": form,
            "target": target,
            "reason_form": ReasonForm(),
            "password_form": ResetPasswordForm(),
            "has_totp": TOTPDevice.objects.filter(user=target, confirmed=True).exists(),
            "changes": selectors.account_changes(request.user).filter(user=target)[:20],
            "enrolment_code": approvals.enrolment_code_pending(target),
        },
    )


@role_required(Role.ADMIN)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    services.user_unlock(actor=_actor(request), user=target)
    messages.success(request, _("已解锁 %(full_name)s。") % {"full_name": target.full_name})
    return redirect("users:detail", pk=pk)


@role_required(Role.ADMIN)
@require_POST
def user_disable(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用原因。"))
        return redirect("users:detail", pk=pk)
    try:
        ended = services.user_disable(
            actor=_actor(request), user=target, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已停用 %(full_name)s，结束会话 %(ended)s 个。")
            % {"full_name": target.full_name, "ended": ended},
        )
    return redirect("users:detail", pk=pk)


@role_required(Role.ADMIN)
@require_POST
def user_enable(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    services.user_enable(actor=_actor(request), user=target)
    messages.success(request, _("已启用 %(full_name)s。") % {"full_name": target.full_name})
    return redirect("users:detail", pk=pk)


@role_required(Role.ADMIN)
@sensitive_post_parameters("new_password")
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.user_reset_password(
                actor=_actor(request), user=target, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request, _("已提出重置密码的申请：经纪检批准后新密码生效，用户登录后须修改密码。")
            )
    else:
        messages.error(request, _("请输入新的临时密码。"))
    return redirect("users:detail", pk=pk)


@role_required(Role.ADMIN)
@require_POST
def user_reset_otp(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    try:
        services.user_reset_otp(actor=_actor(request), user=target)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已提出重置动态口令的申请：经纪检批准后原口令作废，纪检将绑定码当面交给本人。"),
        )
    return redirect("users:detail", pk=pk)


@role_required(Role.ADMIN)
@require_POST
def change_withdraw(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    target = _target(request, pk)
    proposal = get_object_or_404(
        selectors.account_changes(request.user).filter(user=target), pk=change
    )
    try:
        approvals.account_change_withdraw(actor=_actor(request), change=proposal)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已撤回申请。"))
    return redirect("users:detail", pk=pk)
