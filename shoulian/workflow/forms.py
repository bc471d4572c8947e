"""Forms of the workflow pages. Each carries the alert's ``version`` as read when the page was
opened; the service refuses the change if somebody acted in between (R6). Only declared fields are
read: anything else a request carries (``status``, ``unit`` of the actor …) is ignored (Z4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from shoulian.accounts.choices import Role
from shoulian.intake.models import Category
from shoulian.org.models import Area, Unit
from shoulian.workflow.choices import (
    APPROVER_ROLES,
    Action,
    ChainCondition,
    DecisionKind,
    NotificationChannel,
)

REASON_WIDGET = forms.Textarea(attrs={"rows": 3, "maxlength": 500})


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ConfirmForm(VersionForm):
    pass


class ReasonForm(VersionForm):
    reason = forms.CharField(label="理由", max_length=500, widget=REASON_WIDGET)


class OptionalNoteForm(VersionForm):
    reason = forms.CharField(label="意见", max_length=500, required=False, widget=REASON_WIDGET)


if TYPE_CHECKING:
    _UnitChoiceBase = forms.ModelChoiceField[Unit]
else:  # Django's form fields are not subscriptable at run time
    _UnitChoiceBase = forms.ModelChoiceField


class UnitChoiceField(_UnitChoiceBase):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


def _unit_field(units: Any, label: str, *, required: bool = True) -> UnitChoiceField:
    return UnitChoiceField(queryset=units, label=label, required=required, empty_label="请选择")


class RouteForm(VersionForm):
    reason = forms.CharField(
        label="改派理由",
        max_length=500,
        required=False,
        widget=REASON_WIDGET,
        help_text="不按建议单位分派时必须填写。",
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"unit": _unit_field(units, "分派至"), **self.fields}


class DesignateForm(VersionForm):
    reason = forms.CharField(label="指定理由", max_length=500, widget=REASON_WIDGET)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"unit": _unit_field(units, "指定管辖单位"), **self.fields}


class TransferForm(VersionForm):
    reason = forms.CharField(label="移交理由", max_length=500, widget=REASON_WIDGET)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"unit": _unit_field(units, "拟移交单位"), **self.fields}


class DisputeForm(VersionForm):
    reason = forms.CharField(label="争议理由", max_length=500, widget=REASON_WIDGET)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "claimed_unit": _unit_field(units, "认为有管辖权的单位", required=False),
            **self.fields,
        }


class ProposalForm(VersionForm):
    kind = forms.ChoiceField(label="处理意见", choices=DecisionKind.choices)
    facts = forms.CharField(
        label="事实与理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    legal_basis = forms.CharField(
        label="法律依据",
        max_length=300,
        help_text="如：《中华人民共和国刑事诉讼法》第一百一十二条",
    )
    authority = forms.CharField(
        label="接收（主管）机关",
        max_length=100,
        required=False,
        help_text="移送、不属于公安职责或侦查终结时填写：案件移送至哪个机关（侦查终结：移送审查起诉的人民检察院），或告知报案人向哪个机关反映。",
    )
    penalty = forms.CharField(
        label="处罚内容",
        max_length=200,
        required=False,
        help_text="处罚决定时填写，如：罚款五百元；行政拘留五日。",
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            # Only the kinds the alert's stage admits (办理中: the six; after 受案/立案: its
            # conclusion).
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101
            field.choices = [(k, DecisionKind(k).label) for k in kinds]


class ApprovalForm(VersionForm):
    decision = forms.ChoiceField(
        label="审批意见",
        choices=[("approve", "同意"), ("reject", "不同意")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="意见说明",
        max_length=500,
        required=False,
        widget=REASON_WIDGET,
        help_text="不同意时必须写明理由。",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "不同意时请写明理由。")
        return data


class ServeForm(VersionForm):
    method = forms.ChoiceField(
        label="送达方式", choices=NotificationChannel.choices, initial=NotificationChannel.IN_PERSON
    )
    served_at = forms.DateTimeField(
        label="送达时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="不填即为现在。",
        required=False,
    )


class ApplicationForm(VersionForm):
    applied_at = forms.DateTimeField(
        label="申请时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        required=False,
        help_text="控告人递交申请的时间；不填即为现在。",
    )
    grounds = forms.CharField(
        label="申请理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, applicants: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "applicant": forms.TypedChoiceField(label="申请人", choices=applicants, coerce=int),
            **self.fields,
        }


class OutcomeForm(VersionForm):
    outcome = forms.ChoiceField(
        label="决定",
        choices=[
            ("uphold", "维持原不予立案决定"),
            ("revoke", "撤销原决定，由办案单位重新审查立案"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="决定理由", max_length=500, widget=REASON_WIDGET)


class FollowUpForm(VersionForm):
    satisfied = forms.TypedChoiceField(
        label="报案人评价",
        choices=[("1", "满意"), ("0", "不满意")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="回访情况", max_length=500, widget=REASON_WIDGET)


class StageForm(VersionForm):
    """破案, 撤销案件, 处罚决定, 不予处罚, 调解结案: what happened, in the officer's words."""

    reason = forms.CharField(label="情况与依据", max_length=500, widget=REASON_WIDGET)


class ProsecutionForm(VersionForm):
    authority = forms.CharField(label="移送审查起诉的人民检察院", max_length=100)
    reason = forms.CharField(label="侦查终结意见", max_length=500, widget=REASON_WIDGET)


class ServeDecisionForm(VersionForm):
    served_at = forms.DateTimeField(
        label="送达时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="申请人收到复议决定书的时间；不填即为现在。复核申请期限自此起算。",
        required=False,
    )


FORMS: dict[str, type[VersionForm]] = {
    Action.ROUTE: RouteForm,
    Action.REROUTE: RouteForm,
    Action.DESIGNATE: DesignateForm,
    Action.SIGN_FOR: ConfirmForm,
    Action.START_HANDLING: ConfirmForm,
    Action.RETURN: ReasonForm,
    Action.RAISE_DISPUTE: DisputeForm,
    Action.REQUEST_TRANSFER: TransferForm,
    Action.APPROVE_TRANSFER: OptionalNoteForm,
    Action.REJECT_TRANSFER: ReasonForm,
    Action.PROPOSE: ProposalForm,
    Action.WITHDRAW: ConfirmForm,
    Action.SERVE_NOTICE: ServeForm,
    Action.APPLY_RECONSIDERATION: ApplicationForm,
    Action.APPLY_REVIEW: ApplicationForm,
    Action.UPHOLD_RECONSIDERATION: OutcomeForm,
    Action.UPHOLD_REVIEW: OutcomeForm,
    Action.FOLLOW_UP: FollowUpForm,
    Action.SERVE_RECONSIDERATION_DECISION: ServeDecisionForm,
    Action.SOLVE: StageForm,
    Action.CONCLUDE_INVESTIGATION: ProsecutionForm,
    Action.REVOKE_CASE: StageForm,
    Action.PUNISH: StageForm,
    Action.NOT_PUNISH: StageForm,
    Action.MEDIATE: StageForm,
    Action.CONCLUDE_CASE: OptionalNoteForm,
}

# The outcome radio of 复议/复核 picks the table action.
OUTCOME_ACTIONS: dict[str, dict[str, str]] = {
    Action.UPHOLD_RECONSIDERATION: {
        "uphold": Action.UPHOLD_RECONSIDERATION,
        "revoke": Action.REVOKE_RECONSIDERATION,
    },
    Action.UPHOLD_REVIEW: {"uphold": Action.UPHOLD_REVIEW, "revoke": Action.REVOKE_REVIEW},
}


class RoutingRuleForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True).order_by("code"),
        label="警情类别",
        required=False,
        empty_label="任意类别",
        help_text="可选大类（对其下所有类别生效）或具体类别。",
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label="辖区", required=False, empty_label="任意辖区"
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label="分派至", empty_label="请选择"
    )
    priority = forms.IntegerField(label="优先级", min_value=0, max_value=99, initial=0)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, units: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]


class PrefixForm(forms.Form):
    document_prefix = forms.CharField(
        label="文书字号前缀",
        max_length=12,
        help_text="如“沙公”，文号形如 沙公（刑）立字〔2026〕00012号。",
    )


# --- approval chains (the legal brigade's) ---------------------------------------------------
class ChainStepForm(forms.Form):
    role = forms.ChoiceField(
        label="审批角色",
        required=False,
        choices=[("", "—")] + [(r, label) for r, label in Role.choices if r in APPROVER_ROLES],
    )
    condition = forms.ChoiceField(
        label="适用条件", choices=ChainCondition.choices, initial=ChainCondition.ALWAYS
    )
    label = forms.CharField(label="环节名称", max_length=40, required=False)


ChainStepFormSet = forms.formset_factory(ChainStepForm, extra=0, max_num=6, absolute_max=6)


class ChainVersionForm(forms.Form):
    effective_from = forms.DateField(
        label="生效日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="今天或以后；已提出的处理意见按提出时的流程审批",
    )
    change_reason = forms.CharField(label="修订理由", max_length=300, widget=REASON_WIDGET)
