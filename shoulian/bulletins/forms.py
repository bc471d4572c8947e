"""Forms of bulletins: the statistics period, the month of a draft, the edit of a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from shoulian.bulletins.models import Bulletin
from shoulian.org.models import Unit

MAX_DAYS = 366 * 3


class PeriodForm(forms.Form):
    start = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期（含）", widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), required=False, empty_label="全局"
    )

    def __init__(self, *args: Any, bureau: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["unit"]
        field.queryset = (
            Unit.objects.filter(path__startswith=bureau.path, is_active=True)
            .exclude(pk=bureau.pk)
            .order_by("path")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("截止日期不能早于起始日期。")
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError("统计期间最长三年。")
        return data


class DraftForm(forms.Form):
    month = forms.DateField(
        label="通报月份",
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )

    def clean_month(self) -> dt.date:
        value: dt.date = self.cleaned_data["month"]
        return value.replace(day=1)


class BulletinEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="标题", max_length=120)
    intro = forms.CharField(label="导语", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    cases = forms.CharField(
        label="典型案例",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="每个案例之间空一行；首行为标题，其余为案情和整改情况。只写单位和问题，不写群众姓名、证件号码、电话。",
    )
    demands = forms.CharField(
        label="工作要求",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="每行一条",
    )

    def __init__(self, *args: Any, bulletin: Bulletin, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": bulletin.version,
                "title": bulletin.title,
                "intro": bulletin.intro,
                "demands": bulletin.demands,
                "cases": "\n\n".join(f"{c['title']}\n{c['text']}" for c in bulletin.cases),
            },
        )
        super().__init__(*args, **kwargs)

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        cases = []
        for block in data["cases"].replace("\r\n", "\n").split("\n\n"):
            lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
            if lines:
                cases.append({"title": lines[0], "text": "".join(lines[1:]) or lines[0]})
        return {
            "title": data["title"],
            "intro": data["intro"],
            "demands": data["demands"],
            "cases": cases,
        }
