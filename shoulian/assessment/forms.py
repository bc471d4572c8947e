from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from shoulian.accounts.models import User
from shoulian.assessment.choices import ItemKind, Subject
from shoulian.assessment.models import Scheme
from shoulian.deadlines.versions import legal_date
from shoulian.org.models import Unit

POINT_FIELD: dict[str, Any] = {
    "min_value": Decimal("0"),
    "max_value": Decimal("100"),
    "decimal_places": 1,
}


class ChallengeForm(forms.Form):
    reason = forms.CharField(
        label="申诉理由",
        min_length=5,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明扣分不当的事实和依据（如已批准延长期限、责任单位认定错误）。",
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="答复结论",
        choices=[("upheld", "异议成立，撤销扣分"), ("rejected", "异议不成立，维持扣分")],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label="答复意见", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SchemeForm(forms.Form):
    """A new version of the 考核办法: its document, caps, and a pair of point fields (officer,
    unit) per item the catalogue knows (patrol rules, nodes, unrectified, campaigns), plus bonus
    items as lines ``代码|名称|民警分|单位分``."""

    title = forms.CharField(label="名称", max_length=120)
    document_number = forms.CharField(
        label="文号", max_length=60, help_text="印发考核办法的文件字号，如 沙公法〔2026〕3号。"
    )
    effective_from = forms.DateField(
        label="生效日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="发布后自该日起发生的扣分事项按本版计分；早于今日的，发布时对已记分事项作差额调整。",
    )
    period_cap = forms.DecimalField(label="每月扣分上限", required=False, **POINT_FIELD)
    alert_cap = forms.DecimalField(label="单起警情扣分上限", required=False, **POINT_FIELD)
    bonus_cap = forms.DecimalField(label="每月加分上限", **POINT_FIELD)
    bonus_items = forms.CharField(
        label="加分项目",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项：代码|名称|民警加分|单位加分，如 commendation|执法办案受上级表彰|2|2。",
    )
    change_reason = forms.CharField(label="修订理由", max_length=300)

    def __init__(self, *args: Any, catalogue: list[tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        for kind, code, label in catalogue:
            for subject, who in ((Subject.OFFICER, "民警"), (Subject.UNIT, "单位")):
                self.fields[f"{kind}__{code}__{subject}"] = forms.DecimalField(
                    label=f"{ItemKind(kind).label}：{label}（{who}）",
                    required=False,
                    **POINT_FIELD,
                )
        if not self.is_bound:
            self.fields["effective_from"].initial = legal_date(timezone.now())

    def rows(self) -> list[tuple[str, str, Any, Any]]:
        """(kind label, item label, officer field, unit field) for the template's table."""
        return [
            (
                ItemKind(kind).label,
                label,
                self[f"{kind}__{code}__{Subject.OFFICER}"],
                self[f"{kind}__{code}__{Subject.UNIT}"],
            )
            for kind, code, label in self.catalogue
        ]

    def clean_bonus_items(self) -> list[dict[str, Any]]:
        items = []
        for n, line in enumerate(self.cleaned_data["bonus_items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 4:
                raise forms.ValidationError(f"第{n}行应为 代码|名称|民警加分|单位加分。")
            try:
                officer, unit = Decimal(parts[2]), Decimal(parts[3])
            except ArithmeticError as exc:
                raise forms.ValidationError(f"第{n}行的分值不是数字。") from exc
            items.append(
                {
                    "kind": ItemKind.BONUS,
                    "code": parts[0],
                    "label": parts[1],
                    "officer": str(officer),
                    "unit": str(unit),
                }  # fmt: skip
            )
        return items

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        items = []
        for kind, code, label in self.catalogue:
            officer = data.get(f"{kind}__{code}__{Subject.OFFICER}") or Decimal("0")
            unit = data.get(f"{kind}__{code}__{Subject.UNIT}") or Decimal("0")
            items.append(
                {
                    "kind": kind,
                    "code": code,
                    "label": label,
                    "officer": str(officer),
                    "unit": str(unit),
                }  # fmt: skip
            )
        return {
            "title": data["title"],
            "document_number": data["document_number"],
            "effective_from": data["effective_from"],
            "period_cap": data["period_cap"],
            "alert_cap": data["alert_cap"],
            "bonus_cap": data["bonus_cap"],
            "items": items + data["bonus_items"],
        }


def scheme_initial(scheme: Scheme) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": scheme.title,
        "document_number": "",
        "effective_from": legal_date(timezone.now()),
        "period_cap": scheme.period_cap,
        "alert_cap": scheme.alert_cap,
        "bonus_cap": scheme.bonus_cap,
        "bonus_items": "\n".join(
            f"{i['code']}|{i['label']}|{i['officer']}|{i['unit']}" for i in scheme.bonus_items()
        ),
    }
    for item in scheme.items:
        if item["kind"] == ItemKind.BONUS:
            continue
        for subject in (Subject.OFFICER, Subject.UNIT):
            initial[f"{item['kind']}__{item['code']}__{subject}"] = Decimal(str(item[subject]))
    return initial


class BonusForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none())
    officer = forms.ModelChoiceField(
        label="民警（可不选）", queryset=User.objects.none(), required=False
    )
    code = forms.ChoiceField(label="加分项目")
    occurred_at = forms.DateTimeField(
        label="事项时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label="加分事由", max_length=300)

    def __init__(self, *args: Any, units: Any, officers: Any, items: list[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["code"].choices = [(i["code"], i["label"]) for i in items]  # type: ignore[attr-defined]


class InterviewForm(forms.Form):
    interviewee = forms.ModelChoiceField(label="被约谈人", queryset=User.objects.none())
    held_at = forms.DateTimeField(
        label="约谈时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label="地点", max_length=100)
    findings = forms.TypedMultipleChoiceField(
        label="涉及的巡查发现", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label="约谈事由", widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label="约谈情况及整改要求", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, people: Any, findings: list[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["interviewee"].queryset = people  # type: ignore[attr-defined]
        self.fields["findings"].choices = [  # type: ignore[attr-defined]
            (f.pk, f"{f.unit.name}：{f.summary}（{f.get_status_display()}）") for f in findings
        ]


class ReferralForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none())
    officer = forms.ModelChoiceField(
        label="责任民警（可不选）", queryset=User.objects.none(), required=False
    )
    findings = forms.TypedMultipleChoiceField(
        label="涉及的巡查发现", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label="移送理由",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明未落实整改造成的后果和追责的依据。",
    )

    def __init__(
        self, *args: Any, units: Any, officers: Any, findings: list[Any], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["findings"].choices = [  # type: ignore[attr-defined]
            (f.pk, f"{f.unit.name}：{f.summary}（{f.get_status_display()}，升级{f.escalation}次）")
            for f in findings
        ]


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput)
