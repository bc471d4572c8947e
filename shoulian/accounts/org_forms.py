from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit


def _indented(unit: Unit) -> str:
    return ("　" * max(unit.depth - 1, 0)) + unit.name


class UnitCreateForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("上级单位"), queryset=Unit.objects.none())
    code = forms.CharField(label=_("单位代码"), max_length=12)
    name = forms.CharField(label=_("单位名称"), max_length=60)
    short_name = forms.CharField(label=_("简称"), max_length=20, required=False)
    kind = forms.ChoiceField(
        label=_("单位类型"), choices=[c for c in UnitKind.choices if c[0] != UnitKind.CITY_BUREAU]
    )
    phone = forms.RegexField(
        label=_("对外联系电话"),
        regex=r"^[0-9-]{0,20}$",
        required=False,
        error_messages={"invalid": _("电话只能包含数字和连字符。")},
    )
    address = forms.CharField(label=_("地址"), max_length=120, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]
        self.fields["parent"].label_from_instance = _indented  # type: ignore[attr-defined]


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=60)
    short_name = forms.CharField(label=_("简称"), max_length=20, required=False)
    phone = forms.RegexField(
        label=_("对外联系电话"),
        regex=r"^[0-9-]{0,20}$",
        required=False,
        error_messages={"invalid": _("电话只能包含数字和连字符。")},
    )
    address = forms.CharField(label=_("地址"), max_length=120, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class AreaForm(forms.Form):
    station = forms.ModelChoiceField(label=_("所属派出所"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("辖区名称"), max_length=60)
    description = forms.CharField(
        label=_("辖区范围说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    places = forms.CharField(
        label=_("包含地名"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "每行一个地名（街道、社区、村、路、小区）。报警地点包含这些地名时，系统据此建议管辖派出所。"
        ),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, stations: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        if editing:
            self.fields["station"].disabled = True

    def place_list(self) -> list[str]:
        return [line for line in self.cleaned_data.get("places", "").splitlines() if line.strip()]
