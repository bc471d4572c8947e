from __future__ import annotations

from typing import Any, cast

from django import forms

from shoulian.intake.choices import Channel
from shoulian.intake.forms import MultipleFileField
from shoulian.intake.models import Category
from shoulian.intake.services import FileInput
from shoulian.org.models import Unit
from shoulian.review.choices import (
    AvIssue,
    AvResult,
    CampaignKind,
    ReviewChannel,
    ReviewLevel,
    ReviewMode,
    ReviewResult,
)
from shoulian.supervision.choices import Level
from shoulian.supervision.services import manual_rule_choices

LEVEL_CHOICES = [("", "（请选择）"), *Level.choices]


class ReviewForm(forms.Form):
    level = forms.ChoiceField(label="评查层级")
    mode = forms.ChoiceField(label="方式", choices=ReviewMode.choices, initial=ReviewMode.DAILY)
    channel = forms.ChoiceField(
        label="网上/网下",
        choices=ReviewChannel.choices,
        initial=ReviewChannel.ONLINE,
        widget=forms.RadioSelect,
    )
    result = forms.ChoiceField(
        label="评查结果",
        choices=ReviewResult.choices,
        initial=ReviewResult.NO_PROBLEM,
        widget=forms.RadioSelect,
    )
    rule_code = forms.ChoiceField(
        label="依据的巡查规则", required=False, help_text="结果为“发现问题（依巡查规则）”时必选。"
    )
    finding_level = forms.ChoiceField(
        label="问题等级",
        required=False,
        choices=LEVEL_CHOICES,
        help_text="其他问题必选；依规则的问题不选则按规则的等级。",
    )
    finding_summary = forms.CharField(
        label="发现的问题",
        required=False,
        max_length=250,
        help_text="发现问题时必填，将推送责任单位整改。",
    )
    comment = forms.CharField(
        label="评查意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, levels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["level"]).choices = [
            (v, ReviewLevel(v).label) for v in levels
        ]
        if levels:
            self.fields["level"].initial = levels[0]
        cast(forms.ChoiceField, self.fields["rule_code"]).choices = [
            ("", "（请选择）"),
            *manual_rule_choices(),
        ]


class AvLinkForm(forms.Form):
    store = forms.CharField(label="存储系统", max_length=60, initial="执法记录仪管理平台")
    external_id = forms.CharField(label="存储编号", max_length=80)
    sha256 = forms.CharField(label="文件 SHA-256", max_length=64, min_length=64)
    duration_seconds = forms.IntegerField(label="时长（秒）", min_value=1, max_value=86400)
    recorded_at = forms.DateTimeField(
        label="拍摄时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    device_no = forms.CharField(label="记录仪编号", max_length=40, required=False)
    title = forms.CharField(label="说明", max_length=120, required=False)


class AvUploadForm(forms.Form):
    recording = MultipleFileField(
        label="视音频文件", help_text="一个音频或视频文件，按内容识别类型。"
    )
    duration_seconds = forms.IntegerField(
        label="时长（秒）", min_value=1, max_value=86400, required=False
    )
    recorded_at = forms.DateTimeField(
        label="拍摄时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    device_no = forms.CharField(label="记录仪编号", max_length=40, required=False)
    title = forms.CharField(label="说明", max_length=120, required=False)

    def clean_recording(self) -> Any:
        files = self.cleaned_data.get("recording") or []
        if len(files) != 1:
            raise forms.ValidationError("请选择一个视音频文件。")
        return files

    def file_input(self) -> FileInput:
        upload, inspection = self.cleaned_data["recording"][0]
        return FileInput(
            upload=upload, inspection=inspection, original_name=upload.name or "未命名文件"
        )


class AvReviewForm(forms.Form):
    level = forms.ChoiceField(label="审查层级")
    result = forms.ChoiceField(
        label="审查结果",
        choices=AvResult.choices,
        initial=AvResult.COMPLIANT,
        widget=forms.RadioSelect,
    )
    issues = forms.MultipleChoiceField(
        label="存在的问题",
        required=False,
        choices=AvIssue.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    finding_level = forms.ChoiceField(
        label="提出巡查发现",
        required=False,
        choices=[("", "不提出"), *Level.choices],
        help_text="存在问题需要单位整改时，选择问题等级。",
    )
    comment = forms.CharField(
        label="审查意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, levels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["level"]).choices = [
            (v, ReviewLevel(v).label) for v in levels
        ]
        if levels:
            self.fields["level"].initial = levels[0]


class CampaignForm(forms.Form):
    title = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=CampaignKind.choices)
    review_channel = forms.ChoiceField(
        label="网上/网下", choices=ReviewChannel.choices, widget=forms.RadioSelect,
        initial=ReviewChannel.ONLINE,
    )  # fmt: skip
    period_start = forms.DateField(
        label="警情登记起", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(label="警情登记止", widget=forms.DateInput(attrs={"type": "date"}))
    units = forms.ModelMultipleChoiceField(
        label="单位",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则为全局各单位。",
    )
    categories = forms.ModelMultipleChoiceField(
        label="警情类别",
        queryset=Category.objects.none(),
        required=False,
        help_text="不选则为全部类别；可多选。",
    )
    channel = forms.ChoiceField(
        label="报警方式", required=False, choices=[("", "全部"), *Channel.choices]
    )
    sample_size = forms.IntegerField(
        label="抽样数量",
        required=False,
        min_value=1,
        max_value=1000,
        help_text="不填则评查范围内全部警情。",
    )

    def __init__(self, *args: Any, bureau: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["units"]).queryset = (
            Unit.objects.filter(path__startswith=bureau.path, is_active=True)
            .exclude(pk=bureau.pk)
            .order_by("path")
        )
        cast(
            forms.ModelMultipleChoiceField, self.fields["categories"]
        ).queryset = Category.objects.filter(is_active=True, parent__isnull=False).order_by("code")


class AssignForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label="评查人员",
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="未评分的样本按抽样顺序轮流分配。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["reviewers"])
        field.queryset = people
        field.label_from_instance = lambda u: f"{u.full_name}（{u.unit.name}）"  # type: ignore[method-assign,assignment]


class CloseForm(forms.Form):
    conclusion = forms.CharField(
        label="评查结论", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ScoreForm(forms.Form):
    """One checkbox per checklist item (不符合) with a note; the level of the finding."""

    finding_level = forms.ChoiceField(
        label="问题等级",
        required=False,
        choices=LEVEL_CHOICES,
        help_text="有不符合项时必选：问题将作为巡查发现推送责任单位整改。",
    )
    comment = forms.CharField(
        label="评查意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        fields: dict[str, forms.Field] = {}
        for item in items:
            fields[f"fail_{item.code}"] = forms.BooleanField(
                label=f"{item.position}. {item.text}（{item.points} 分）",
                required=False,
                help_text=f"依据：{item.legal_basis}。勾选表示不符合，扣 {item.points} 分。",
            )
            fields[f"note_{item.code}"] = forms.CharField(
                label="扣分说明", required=False, max_length=300
            )
        self.fields = {**fields, **self.fields}

    def failed(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data.get(f"note_{item.code}", "")
            for item in self.items
            if self.cleaned_data.get(f"fail_{item.code}")
        }


class GuidanceRequestForm(forms.Form):
    question = forms.CharField(
        label="请示事项",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="写明案情要点、定性上的疑问（如罪与非罪、此罪与彼罪、刑事与治安）和已收集的证据。",
    )


class GuidanceAnswerForm(forms.Form):
    nature = forms.CharField(label="定性意见", max_length=200)
    legal_basis = forms.CharField(
        label="法律依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_to_collect = forms.CharField(
        label="需补充收集的证据", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    case_title = forms.CharField(
        label="案例标题",
        max_length=120,
        required=False,
        help_text="收入案例库时的标题，不写人名（如“员工侵占公司货款的定性”）。",
    )


class ChecklistForm(forms.Form):
    """A new version of the bureau's 评查标准: its items as lines ``代码|评查项目|分值|依据``."""

    name = forms.CharField(label="名称", max_length=80)
    effective_from = forms.DateField(
        label="生效日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="自该日起制定的专项评查按本版打分；已制定的评查仍按其制定时的版本。",
    )
    items = forms.CharField(
        label="评查项目",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="每行一项：代码|评查项目|分值|依据。代码用于考核办法的专项评查扣分项，修订时请保持不变。",
    )
    change_reason = forms.CharField(label="修订理由", max_length=300)

    def clean_items(self) -> list[dict[str, Any]]:
        items = []
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 4:
                raise forms.ValidationError(
                    f"第{n}行应为“代码|评查项目|分值|依据”四段，以竖线分隔。"
                )
            code, text, points, basis = parts
            if not points.isdigit():
                raise forms.ValidationError(f"第{n}行的分值应为整数。")
            items.append({"code": code, "text": text, "points": int(points), "legal_basis": basis})
        if not items:
            raise forms.ValidationError("请至少填写一个评查项目。")
        return items


def checklist_initial(checklist: Any) -> dict[str, Any]:
    return {
        "name": checklist.name,
        "items": "\n".join(
            f"{i.code}|{i.text}|{i.points}|{i.legal_basis}" for i in checklist.items.all()
        ),
    }
