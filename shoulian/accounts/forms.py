from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import PoliceKind, Role
from shoulian.accounts.passwords import ProfileValidator
from shoulian.org.models import Unit


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OTPForm(forms.Form):
    token = forms.RegexField(
        label=_("动态口令"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("请输入 6 位数字动态口令。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "maxlength": 6,
            }
        ),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("绑定码"),
        max_length=20,
        help_text=_(
            "开户或重置动态口令经纪检批准后，由纪检当面交给您的一次性绑定码（如 ABCDE-23456）。"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class _PasswordHelpMixin:
    """Help text follows the password profile in force when the form is built, not at import."""

    password_fields: tuple[str, ...] = ()

    def set_password_help(self) -> None:
        for name in self.password_fields:
            self.fields[name].help_text = ProfileValidator().get_help_text()  # type: ignore[attr-defined]


class PasswordChangeForm(_PasswordHelpMixin, forms.Form):
    password_fields = ("new_password",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_password_help()

    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            raise ValidationError({"new_password2": _("两次输入的新密码不一致。")})
        return data


class UserForm(forms.Form):
    """Only the fields an administrator may set: no is_staff, no status, no password here (Z4)."""

    username = forms.CharField(label=_("用户名"), max_length=32)
    full_name = forms.CharField(label=_("姓名"), max_length=30)
    unit = forms.ModelChoiceField(label=_("所属单位"), queryset=Unit.objects.none())
    police_kind = forms.ChoiceField(label=_("人员类别"), choices=PoliceKind.choices)
    badge_number = forms.RegexField(
        label=_("警号/辅警编号"),
        regex=r"^[0-9A-Z]{0,12}$",
        required=False,
        error_messages={"invalid": _("警号为不超过 12 位的数字或大写字母。")},
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, units: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = lambda u: ("　" * max(u.depth - 1, 0)) + u.name  # type: ignore[attr-defined]
        if editing:
            self.fields["username"].disabled = True


class NewUserForm(_PasswordHelpMixin, UserForm):
    password_fields = ("password",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_password_help()

    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=120)


class ResetPasswordForm(_PasswordHelpMixin, forms.Form):
    password_fields = ("new_password",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_password_help()

    new_password = forms.CharField(
        label=_("新的临时密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)
