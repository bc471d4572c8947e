from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.text import Text
from shoulian.deadlines.choices import APPROVER_ROLES, NODE_EVENTS, DurationUnit
from shoulian.deadlines.models import DeadlineRule
from shoulian.deadlines.services import RULE_FIELDS

EVENT_CHOICES = [
    (code, format_lazy("{}（{}）", label, code)) for code, label in NODE_EVENTS.items()
]
APPROVER_CHOICES: list[tuple[str, Text]] = [
    ("", _("不得延长")),
    *((r, Role(r).label) for r in Role.values if r in APPROVER_ROLES),
]


class DateInput(forms.DateInput):
    input_type = "date"


class RuleForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=80)
    description = forms.CharField(
        label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    length_value = forms.IntegerField(
        label=_("期限长度"), min_value=0, help_text=_("0 表示当场、立即办理。")
    )
    length_unit = forms.ChoiceField(label=_("单位"), choices=DurationUnit.choices)
    start_event = forms.ChoiceField(label=_("起算事件"), choices=EVENT_CHOICES)
    stop_event = forms.ChoiceField(label=_("终止事件"), choices=EVENT_CHOICES)
    pause_event = forms.ChoiceField(
        label=_("中止计算事件"),
        choices=[("", _("不允许中止")), *EVENT_CHOICES],
        required=False,
        help_text=_("仅限法律规定不计入期限的情形（如鉴定期间）。"),
    )
    resume_event = forms.ChoiceField(
        label=_("恢复计算事件"), choices=[("", "—"), *EVENT_CHOICES], required=False
    )
    extension_length = forms.IntegerField(label=_("每次延长"), min_value=0, initial=0)
    extension_cap = forms.IntegerField(
        label=_("累计延长上限"),
        min_value=0,
        initial=0,
        help_text=_("与期限同一单位；0 表示不得延长。"),
    )
    extension_unit = forms.ChoiceField(
        label=_("延长单位"),
        choices=[("", _("与期限相同（在期限上累加）")), *DurationUnit.choices],
        required=False,
        help_text=_(
            "选择其他单位时为“延长至”：自起算时起按该单位重新计算（如受案审查延长至3日）。"
        ),
    )
    extension_approver_role = forms.ChoiceField(
        label=_("延长审批角色"), choices=APPROVER_CHOICES, required=False
    )
    moves_on_holiday = forms.BooleanField(
        label=_("最后一日为节假日时顺延至节假日后第一个工作日"),
        required=False,
        help_text=_(
            "以日计算的期间一般顺延；羁押、限制人身自由的期间不得顺延；以小时计算的期间不顺延。"
        ),
    )
    source_law = forms.CharField(label=_("法律依据"), max_length=160)
    source_article = forms.CharField(label=_("条款"), max_length=80, required=False)
    effective_from = forms.DateField(
        label=_("生效日期"),
        widget=DateInput,
        help_text=_(
            "起算日在该日及以后的期限适用本版本；日期在过去的，正在计时的相关期限将立即重新计算。"
        ),
    )
    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)
    change_reason = forms.CharField(
        label=_("修订理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def initial_from(cls, rule: DeadlineRule) -> dict[str, Any]:
        return {name: getattr(rule, name) for name in RULE_FIELDS}

    def rule_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in RULE_FIELDS}


class ExtensionRequestForm(forms.Form):
    length = forms.IntegerField(label=_("申请延长"), min_value=1)
    reason = forms.CharField(
        label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("approve", _("批准")), ("reject", _("驳回"))]
    )
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    notice = forms.CharField(
        label=_("依据文件"),
        max_length=200,
        required=False,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"),
    )


class CalendarDaysForm(forms.Form):
    first = forms.DateField(label=_("开始日期"), widget=DateInput)
    last = forms.DateField(label=_("结束日期"), widget=DateInput)
    kind = forms.ChoiceField(
        label=_("安排"),
        choices=[("rest", _("放假（休息日）")), ("work", _("调休上班（工作日）"))],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("名称"), max_length=40, help_text=_("如：春节、国庆节、春节调休上班")
    )

    @property
    def is_rest_day(self) -> bool:
        return self.cleaned_data["kind"] == "rest"
