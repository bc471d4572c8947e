"""The inspector's journal search."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from shoulian.audit import canonical
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.selectors import JournalFilter


class JournalFilterForm(forms.Form):
    actor = forms.CharField(label="操作人（用户名）", required=False, max_length=150)
    obj = forms.CharField(
        label="对象", required=False, max_length=110, help_text="类型:编号，如 user:12、alert:42"
    )
    event_type = forms.TypedChoiceField(
        label="事件类型",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部")] + [(v, f"{v} {label}") for v, label in EventType.choices],
    )
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *Outcome.choices]
    )
    since = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    request_id = forms.CharField(label="请求编号", required=False, max_length=64)

    def clean_obj(self) -> tuple[str, str]:
        value = self.cleaned_data["obj"].strip()
        if not value:
            return "", ""
        object_type, _, object_id = value.partition(":")
        if not canonical.OBJECT_TYPE_RE.match(object_type) or (
            object_id and not canonical.OBJECT_ID_RE.match(object_id)
        ):
            raise forms.ValidationError("对象格式应为 类型:编号，如 user:12。")
        return object_type, object_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

    @staticmethod
    def _local_midnight(day: dt.date) -> dt.datetime:
        # Dates are read in the bureau's time zone (Asia/Shanghai); the journal stores UTC.
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def filters(self) -> JournalFilter:
        data = self.cleaned_data
        object_type, object_id = data.get("obj") or ("", "")
        since, until = data.get("since"), data.get("until")
        return JournalFilter(
            actor=data.get("actor", ""),
            object_type=object_type,
            object_id=object_id,
            event_type=data.get("event_type"),
            outcome=data.get("outcome", ""),
            since=self._local_midnight(since) if since else None,
            until=self._local_midnight(until + dt.timedelta(days=1)) if until else None,
            request_id=data.get("request_id", "").strip(),
        )
