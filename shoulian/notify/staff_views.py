"""Staff work mobiles: the administrator enters the number on the user page (a slot of
``accounts/manage/user_detail.html``); each staff member turns the SMS notices on or off on
their own page (短信提醒)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.core.access import role_required
from shoulian.notify.staff import staff_mobile_set, staff_sms_opt_in, work_mobile_of


class WorkMobileForm(forms.Form):
    mobile = forms.CharField(
        label="工作手机号",
        max_length=20,
        required=False,
        help_text="用于向本人发送巡查发现提醒短信；本人开启后才会发送。留空则删除。",
    )


class OptInForm(forms.Form):
    sms_opt_in = forms.BooleanField(
        label="巡查发现推送给我时，向我的工作手机发送提醒短信", required=False
    )


@role_required(Role.ADMIN)
@require_POST
def staff_mobile(request: HttpRequest, pk: int) -> HttpResponse:
    target = User.objects.visible_to(request.user).filter(pk=pk).first()
    if target is None:
        raise Http404
    form = WorkMobileForm(request.POST)
    if form.is_valid():
        try:
            staff_mobile_set(actor=request.user, user=target, mobile=form.cleaned_data["mobile"])
        except ValidationError as exc:
            messages.error(request, "工作手机号未保存：" + "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "工作手机号已保存。")
    return redirect("users:detail", pk=target.pk)


# Every staff role that findings are pushed to (the administrator handles no case work).
SMS_READERS = tuple(r for r in Role.values if r != Role.ADMIN)


@role_required(*SMS_READERS)
@require_http_methods(["GET", "POST"])
def my_sms(request: HttpRequest) -> HttpResponse:
    row = work_mobile_of(request.user)
    form = OptInForm(request.POST or None, initial={"sms_opt_in": bool(row and row.sms_opt_in)})
    if request.method == "POST" and form.is_valid():
        try:
            staff_sms_opt_in(actor=request.user, on=form.cleaned_data["sms_opt_in"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("notify:my_sms")
    return render(request, "notify/my_sms.html", {"form": form, "row": row})
