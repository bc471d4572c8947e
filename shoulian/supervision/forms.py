from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from shoulian.deadlines.versions import legal_date
from shoulian.intake import uploads
from shoulian.intake.choices import FilePurpose
from shoulian.intake.forms import MultipleFileField
from shoulian.intake.services import FileInput
from shoulian.supervision.choices import Level, Recipient, ReviewRole
from shoulian.supervision.registry import RuleDef


class RectificationForm(forms.Form):
    text = forms.CharField(
        label="整改情况",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="写明查找的原因、已纠正的内容（如补开回执、补录登记、送达文书）和防止再次发生的措施。",
    )
    attachments = MultipleFileField(
        label="整改材料",
        help_text="可选：补开的回执、送达回证、更正后的文书等（照片、PDF、录音、视频），归入警情卷宗。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def file_inputs(self) -> list[FileInput]:
        """The checked files as intake's pipeline takes them, marked 整改材料."""
        return [
            FileInput(
                upload=upload,
                inspection=inspection,
                original_name=upload.name or "未命名文件",
                purpose=FilePurpose.RECTIFICATION,
            )
            for upload, inspection in self.cleaned_data.get("attachments") or []
        ]

    def clean_attachments(self) -> Any:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > uploads.max_files_per_alert():
            raise forms.ValidationError(f"一次最多上传 {uploads.max_files_per_alert()} 个文件。")
        return files


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结论",
        choices=[("approve", "通过"), ("return", "退回整改")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="审核意见",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="退回时必填。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PatrolRuleForm(forms.Form):
    """The settings of a new version; the parameter fields come from the rule's declaration."""

    name = forms.CharField(label="名称", max_length=80)
    level = forms.ChoiceField(label="等级", choices=Level.choices)
    recipients = forms.MultipleChoiceField(
        label="推送对象",
        choices=Recipient.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    review_chain = forms.MultipleChoiceField(
        label="整改审核层级",
        choices=ReviewRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="按所队法制员 → 所队领导 → 受立案管理中心 → 法制大队的顺序逐级审核，最后一级销号。",
    )
    rectify_days = forms.IntegerField(label="整改期限（日）", min_value=0, max_value=90)
    is_active = forms.BooleanField(label="启用", required=False)
    effective_from = forms.DateField(
        label="生效日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    change_reason = forms.CharField(label="修订理由", max_length=300)

    def __init__(self, *args: Any, definition: RuleDef, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for p in definition.params:
            self.fields[f"param_{p.name}"] = forms.IntegerField(
                label=p.label, min_value=p.minimum, max_value=p.maximum, help_text=p.help
            )
        if not self.is_bound:
            self.fields["effective_from"].initial = legal_date(timezone.now())

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "level": data["level"],
            "recipients": list(data["recipients"]),
            # The order of the chain is the order of the levels, whatever the ticking order.
            "review_chain": [r for r in ReviewRole.values if r in data["review_chain"]],
            "rectify_days": data["rectify_days"],
            "is_active": data["is_active"],
            "effective_from": data["effective_from"],
            "params": {p.name: data[f"param_{p.name}"] for p in self.definition.params},
        }


def initial_for(rule: Any, definition: RuleDef) -> dict[str, Any]:
    params = {p.name: p.default for p in definition.params} | (rule.params or {})
    return {
        "name": rule.name,
        "level": rule.level,
        "recipients": rule.recipients,
        "review_chain": rule.review_chain,
        "rectify_days": rule.rectify_days,
        "is_active": rule.is_active,
        "effective_from": legal_date(timezone.now()),
        **{f"param_{k}": v for k, v in params.items()},
    }
