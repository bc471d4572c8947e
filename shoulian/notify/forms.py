from __future__ import annotations

from django import forms

from shoulian.notify import texts


class TemplateForm(forms.Form):
    text = forms.CharField(
        label="短信内容",
        max_length=texts.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="只能使用下列占位符；不得写入手机号、证件号等个人信息。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
