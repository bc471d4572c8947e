"""Forms of the citizen channels. Their errors are about the *shape* of what was typed (a query
code has 10 characters, a mobile 11 digits): they say nothing about whether a record exists (Z7)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from shoulian.intake.models import Category
from shoulian.intake.numbering import (
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
    normalize_query_code,
)
from shoulian.org.models import Unit
from shoulian.privacy.validators import normalize_mobile, normalize_resident_id

# The kiosk's short lists: what a citizen can recognise without the classification standard.
# The center reclassifies at routing if needed.
REPORT_CATEGORIES = ("0101", "0103", "0105", "0104", "0201", "0202", "0210", "0501", "0299")
HELP_CATEGORIES = ("0401", "0402", "0403", "0306", "0303", "0499")
KINDS = {"report": ("我要报案", REPORT_CATEGORIES), "help": ("我要求助", HELP_CATEGORIES)}

_BIG = {"class": "big-input", "autocomplete": "off"}


def _query_code(value: str) -> str:
    code = normalize_query_code(value)
    if len(code) != QUERY_CODE_LENGTH or any(ch not in QUERY_CODE_ALPHABET for ch in code):
        raise ValidationError("查询码为回执上的 10 位字母和数字，请核对后重新输入。")
    return code


def _mobile(value: str) -> str:
    try:
        return normalize_mobile(value)
    except ValidationError:
        raise ValidationError("请输入 11 位手机号码。") from None


class QueryStartForm(forms.Form):
    query_code = forms.CharField(
        label="查询码",
        max_length=20,
        widget=forms.TextInput(
            attrs={**_BIG, "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text="回执上的查询码，如 ABCDE-23456；字母大小写都可以，短横线可以不输",
    )
    mobile = forms.CharField(
        label="登记的手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={**_BIG, "inputmode": "numeric", "type": "tel"}),
    )

    def clean_query_code(self) -> str:
        return _query_code(self.cleaned_data["query_code"])

    def clean_mobile(self) -> str:
        return _mobile(self.cleaned_data["mobile"])


class QueryCodeForm(forms.Form):
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                **_BIG,
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
            }
        ),
        error_messages={"min_length": "验证码为 6 位数字。", "max_length": "验证码为 6 位数字。"},
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError("验证码为 6 位数字。")
        return code


class ComplaintForm(forms.Form):
    """A complaint or suggestion (the query page: the mobile is the verified one)."""

    kind = forms.ChoiceField(
        label="类型",
        choices=[("complaint", "投诉"), ("suggestion", "建议")],
        widget=forms.RadioSelect,
        initial="complaint",
    )
    content = forms.CharField(
        label="内容",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "big-input"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class KioskComplaintForm(ComplaintForm):
    name = forms.CharField(label="姓名（可不填）", max_length=50, required=False)
    mobile = forms.CharField(
        label="手机号码（用于接收答复短信）",
        max_length=20,
        widget=forms.TextInput(attrs={**_BIG, "inputmode": "numeric", "type": "tel"}),
    )

    field_order = ["kind", "content", "name", "mobile"]

    def clean_mobile(self) -> str:
        return _mobile(self.cleaned_data["mobile"])


class KioskReportForm(forms.Form):
    """A report or help request typed by the citizen at the kiosk."""

    category = forms.ChoiceField(label="事项类别", widget=forms.RadioSelect)
    incident_at = forms.DateTimeField(
        label="发生时间",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "big-input"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    incident_place = forms.CharField(
        label="发生地点", max_length=200, widget=forms.TextInput(attrs=_BIG)
    )
    narrative = forms.CharField(
        label="事情经过",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "big-input"}),
        help_text="请写明发生了什么、损失情况、对方特征等。",
    )
    name = forms.CharField(label="您的姓名", max_length=50, widget=forms.TextInput(attrs=_BIG))
    id_number = forms.CharField(
        label="居民身份证号码", max_length=20, widget=forms.TextInput(attrs=_BIG)
    )
    mobile = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={**_BIG, "inputmode": "numeric", "type": "tel"}),
        help_text="用于接收受理和办理进度短信。",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, kind: str = "report", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = KINDS.get(kind, KINDS["report"])[1]
        by_code = {c.code: c for c in Category.objects.selectable().filter(code__in=codes)}
        self.categories = by_code
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (code, by_code[code].name) for code in codes if code in by_code
        ]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault(
                "incident_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]

    def clean_incident_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["incident_at"]
        if value > timezone.now():
            raise ValidationError("发生时间不能晚于现在。")
        return value

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写您的姓名。")
        return name

    def clean_id_number(self) -> str:
        try:
            return normalize_resident_id(self.cleaned_data["id_number"])
        except ValidationError as exc:
            # The validator's own words say what is wrong (length, region, date, check digit).
            raise ValidationError(exc.messages[0]) from None

    def clean_mobile(self) -> str:
        return _mobile(self.cleaned_data["mobile"])


class KioskCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label="所在中心", queryset=Unit.objects.none())
    name = forms.CharField(label="终端名称", max_length=60, help_text="如“中心大厅 1 号机”")

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
