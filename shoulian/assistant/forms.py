from __future__ import annotations

from typing import Any

from django import forms

from shoulian.assistant.choices import Context, Nature
from shoulian.assistant.models import Checklist
from shoulian.assistant.services import CHECKLIST_FIELDS

TEXT_LIMIT = 8000


class ChecklistForm(forms.ModelForm):
    change_note = forms.CharField(
        label="修订说明",
        max_length=300,
        help_text="依据的新文件、核对结果等；写入审计日志。",
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta:
        model = Checklist
        fields = CHECKLIST_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in CHECKLIST_FIELDS
            if name.endswith(("_text", "_question", "_note")) or name in ("evidence", "procedure")
        } | {"threshold_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "object_cues": "用“、”分隔；#开头的是系统提取的事实，见下方说明。",
        }

    def changed_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CHECKLIST_FIELDS}


class SuggestForm(forms.Form):
    """What the desk panel posts as the officer types."""

    context = forms.ChoiceField(choices=Context.choices)
    narrative = forms.CharField(required=False, max_length=TEXT_LIMIT)
    facts = forms.CharField(required=False, max_length=TEXT_LIMIT)
    alert = forms.IntegerField(required=False, min_value=1)
    idempotency_key = forms.CharField(required=False, max_length=80)


class ChoiceForm(SuggestForm):
    chosen = forms.ChoiceField(choices=Nature.choices)
