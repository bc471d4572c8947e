"""Forms of the staff pages: the desk registers a complaint, the center head answers it, the
center records a follow-up call."""

from __future__ import annotations

from typing import Any

from django import forms

from shoulian.feedback.choices import ComplaintKind, Satisfaction


class DeskComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型", choices=ComplaintKind.choices, widget=forms.RadioSelect, initial="complaint"
    )
    alert_number = forms.CharField(
        label="相关警情编号",
        max_length=40,
        required=False,
        help_text="针对某一警情的投诉请填写警情编号；与具体警情无关的可不填。",
    )
    name = forms.CharField(label="投诉人姓名", max_length=50, required=False)
    mobile = forms.CharField(
        label="手机号码", max_length=20, help_text="答复以短信通知，群众凭查询码和手机号查看答复。"
    )
    content = forms.CharField(
        label="内容", widget=forms.Textarea(attrs={"rows": 6}), max_length=2000
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="答复内容",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        help_text="答复将原文显示给投诉人，请勿写入他人的个人信息。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


REACHED_CHOICES = (("yes", "已联系上"), ("no", "未联系上"))


class FollowUpForm(forms.Form):
    reached = forms.ChoiceField(
        label="联系结果", choices=REACHED_CHOICES, widget=forms.RadioSelect, initial="yes"
    )
    satisfaction = forms.ChoiceField(
        label="群众满意程度",
        choices=[("", "—")] + list(Satisfaction.choices),
        required=False,
        help_text="联系上时必选；“不满意”将形成巡查发现，转办案单位整改并告知中心负责人。",
    )
    note = forms.CharField(
        label="情况说明",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=1000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reached") == "yes" and not data.get("satisfaction"):
            self.add_error("satisfaction", "联系上群众时请选择满意程度。")
        return data
