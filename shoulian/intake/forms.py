"""Forms of the intake desk. Field order is tab order: the clerk types a report top to bottom
without touching the mouse (Ctrl+Enter submits, see static/intake/intake.js)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone

from shoulian.intake import uploads
from shoulian.intake.choices import (
    DESK_CHANNELS,
    Channel,
    FilePurpose,
    Gender,
    PartyRole,
    ReportForm,
    Urgency,
)
from shoulian.intake.models import Category
from shoulian.intake.selectors import categories_grouped
from shoulian.intake.services import AlertInput, FileInput, ItemInput, PartyInput
from shoulian.privacy.choices import IdType
from shoulian.privacy.validators import (
    normalize_id_number,
    normalize_phone,
    validate_not_in_future,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUT_FORMATS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": "请输入有效的日期和时间。"})
        super().__init__(*args, **kwargs)
        self.validators.append(validate_not_in_future)


def now_local() -> str:
    return timezone.localtime().strftime(DATETIME_FORMAT)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


def _grouped_choices() -> list[Any]:
    choices: list[Any] = [("", "— 请选择类别（可输入名称检索） —")]
    for group, leaves in categories_grouped():
        choices.append((group.name, [(leaf.pk, f"{leaf.name}") for leaf in leaves]))
    return choices


class AlertForm(forms.Form):
    """The alert itself. Parties, evidence items and files come in their own formsets/fields."""

    channel = forms.ChoiceField(
        label="报警方式", choices=[(c.value, c.label) for c in DESK_CHANNELS]
    )
    report_form = forms.ChoiceField(
        label="报案形式", choices=ReportForm.choices, initial=ReportForm.ORAL
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    received_at = LocalDateTimeField(label="接报时间")
    incident_at = LocalDateTimeField(label="发案时间", help_text="不确定时填写最早可能的时间")
    incident_until = LocalDateTimeField(
        label="发案时间（止）", required=False, help_text="发案时间为一个时段时填写"
    )
    incident_place = forms.CharField(
        label="发案地点",
        max_length=200,
        help_text="写明乡镇（街道）、村（社区）、路名门牌或标志物；系统据此提示辖区派出所",
    )
    category = CategoryChoiceField(
        label="警情类别", queryset=Category.objects.selectable(), empty_label=None
    )
    narrative = forms.CharField(
        label="简要案情",
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=5000,
        help_text="何时、何地、何人、何事、何因、损失或伤情、报警人诉求",
    )
    external_ref = forms.CharField(
        label="来源编号", max_length=64, required=False, help_text="移送函文号、交办单号等"
    )
    source_organ = forms.CharField(
        label="移送机关", max_length=100, required=False, help_text="行政执法机关移送时填写"
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    draft = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Evaluated only when the form is rendered: a valid post needs no category list.
        self.fields["category"].choices = _grouped_choices  # type: ignore[attr-defined]
        attrs = {
            "channel": {"autofocus": True},
            "incident_place": {"autocomplete": "off"},
            "narrative": {"spellcheck": "false"},
        }
        for name, extra in attrs.items():
            self.fields[name].widget.attrs.update(extra)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        received, incident = data.get("received_at"), data.get("incident_at")
        until = data.get("incident_until")
        if received and incident and incident > received:
            self.add_error("incident_at", "发案时间不能晚于接报时间。")
        if incident and until and until < incident:
            self.add_error("incident_until", "发案时间（止）不能早于发案时间（起）。")
        if data.get("channel") == Channel.ADMIN_TRANSFER:
            if not data.get("source_organ"):
                self.add_error("source_organ", "行政执法机关移送的警情须填写移送机关。")
            if not data.get("external_ref"):
                self.add_error("external_ref", "请填写移送函文号。")
        return data


class CompletionForm(AlertForm):
    """Completing an alert taken over from 110 or an organ: the channel, times and source are
    fixed by the sender."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("channel", "report_form", "received_at", "external_ref", "idempotency_key"):
            del self.fields[name]
        self.fields["category"].widget.attrs["autofocus"] = True
        self.fields["source_organ"].widget.attrs["readonly"] = True

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self) or {}
        incident, until = data.get("incident_at"), data.get("incident_until")
        if incident and until and until < incident:
            self.add_error("incident_until", "发案时间（止）不能早于发案时间（起）。")
        return data


class PartyForm(forms.Form):
    role = forms.ChoiceField(label="身份", choices=PartyRole.choices, initial=PartyRole.REPORTER)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices, initial=Gender.UNKNOWN)
    id_type = forms.ChoiceField(
        label="证件类型",
        choices=[("", "—")] + list(IdType.choices),
        required=False,
        initial=IdType.RESIDENT_ID,
    )
    id_number = forms.CharField(label="证件号码", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "text", "class": "dup-check"}
        )
        self.fields["phone"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "tel", "class": "dup-check"}
        )
        self.fields["id_type"].widget.attrs["class"] = "id-type"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) for k in ("name", "id_number", "phone", "address", "note"))

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "").strip()
        id_type = self.data.get(self.add_prefix("id_type"), "")
        if not value:
            return ""
        if not id_type:
            raise ValidationError("填写证件号码时请选择证件类型。")
        return normalize_id_number(id_type, value)

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        return normalize_phone(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_content = any(data.get(k) for k in ("id_number", "phone", "address", "note"))
        if has_content and not data.get("name", "").strip():
            self.add_error("name", "请填写姓名（不知姓名的写“不详”）。")
        return data

    def to_input(self) -> PartyInput:
        d = self.cleaned_data
        return PartyInput(
            role=d["role"],
            name=d["name"].strip(),
            gender=d["gender"],
            id_type=d.get("id_type", "") if d.get("id_number") else "",
            id_number=d.get("id_number", ""),
            phone=d.get("phone", ""),
            address=d.get("address", "").strip(),
            note=d.get("note", "").strip(),
        )


class ItemForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, required=False)
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=100000, initial=1)
    features = forms.CharField(label="特征", max_length=200, required=False)
    pages = forms.IntegerField(label="页数", min_value=1, max_value=100000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A table row has no labels of its own: each input is named by its column header and the
        # row's number (``_item_row.html``), so a screen reader says "名称 第 2 项".
        for name, field in self.fields.items():
            field.widget.attrs["aria-labelledby"] = f"item-col-{name} {self.prefix}-no"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("name") and not data.get("features")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("features") or data.get("pages")) and not data.get("name"):
            self.add_error("name", "请填写证据材料名称。")
        return data

    def to_input(self) -> ItemInput:
        d = self.cleaned_data
        return ItemInput(
            name=d["name"], quantity=d["quantity"], features=d["features"], pages=d["pages"]
        )


PartyFormSet = formset_factory(PartyForm, extra=2, max_num=30, validate_max=True)
ItemFormSet = formset_factory(ItemForm, extra=3, max_num=100, validate_max=True)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content (F1) and size (F3)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[Any, uploads.Inspection]]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        checked, errors = [], []
        for upload in files:
            try:
                checked.append((upload, uploads.inspect_upload(upload)))
            except ValidationError as exc:
                errors.append(f"“{upload.name}”：{exc.messages[0]}")
        if errors:
            raise ValidationError(errors)
        return checked


class FilesForm(forms.Form):
    transcript_files = MultipleFileField(
        label="询问笔录", help_text="口头报案须上传签名后的询问笔录（扫描件 PDF 或照片）"
    )
    evidence_files = MultipleFileField(
        label="证据文件", help_text="照片、PDF 文档、录音、视频；每个文件按内容识别类型"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        count = len(data.get("transcript_files") or []) + len(data.get("evidence_files") or [])
        if count > uploads.max_files_per_alert():
            raise ValidationError(f"一次最多上传 {uploads.max_files_per_alert()} 个文件。")
        return data

    def to_inputs(self) -> list[FileInput]:
        inputs = []
        for field, purpose in (
            ("transcript_files", FilePurpose.TRANSCRIPT),
            ("evidence_files", FilePurpose.EVIDENCE),
        ):
            for upload, inspection in self.cleaned_data.get(field) or []:
                inputs.append(
                    FileInput(
                        upload=upload,
                        inspection=inspection,
                        original_name=upload.name or "未命名文件",
                        purpose=purpose,
                    )
                )
        return inputs


def filled(formset: Any) -> list[Any]:
    return [f for f in formset.forms if f.is_valid() and not f.is_blank()]


def alert_input(
    form: AlertForm, parties: Any, items: Any, files: FilesForm, **fixed: Any
) -> AlertInput:
    d = {**form.cleaned_data, **fixed}
    return AlertInput(
        channel=d["channel"],
        report_form=d.get("report_form", ReportForm.ORAL),
        urgency=d["urgency"],
        received_at=d["received_at"],
        incident_at=d["incident_at"],
        incident_until=d.get("incident_until"),
        incident_place=d["incident_place"],
        narrative=d["narrative"],
        category=d["category"],
        external_ref=d.get("external_ref", ""),
        source_organ=d.get("source_organ", ""),
        handled_at=d.get("handled_at"),
        parties=tuple(f.to_input() for f in filled(parties)),
        items=tuple(f.to_input() for f in filled(items)),
        files=tuple(files.to_inputs()),
    )


# --- drafts -----------------------------------------------------------------------------------
def draft_payload(data: Any) -> dict[str, Any]:
    """The submitted fields worth keeping in a draft (files cannot be kept)."""
    skip = {"csrfmiddlewaretoken", "idempotency_key", "draft", "action"}
    return {k: data.getlist(k)[-1] for k in data if k not in skip}


def draft_summary(data: dict[str, Any]) -> str:
    channel = dict(Channel.choices).get(data.get("channel", ""), "")
    category = ""
    if str(data.get("category", "")).isdigit():
        found = Category.objects.filter(pk=int(data["category"])).first()
        category = found.name if found else ""
    stamp = timezone.localtime().strftime("%m-%d %H:%M")
    return " · ".join(x for x in (channel, category, f"{stamp} 保存") if x)


# --- category configuration -------------------------------------------------------------------
class CategoryCreateForm(forms.Form):
    parent = forms.ModelChoiceField(
        label="所属大类", queryset=Category.objects.filter(parent__isnull=True)
    )
    code = forms.CharField(label="类别代码", max_length=12, help_text="大类代码后加两位数字")
    name = forms.CharField(label="类别名称", max_length=40)
    is_sensitive = forms.BooleanField(label="敏感类别（群众不能在线查询）", required=False)


class CategoryEditForm(forms.Form):
    """The administrator's part of a category (三员分立): the legal classification is the legal
    brigade's (CategoryFlagsForm)."""

    name = forms.CharField(label="类别名称", max_length=40)
    is_sensitive = forms.BooleanField(label="敏感类别（群众不能在线查询）", required=False)
    is_active = forms.BooleanField(label="启用", required=False)


class CategoryFlagsForm(forms.Form):
    """A new version of a category's legal classification, by the legal brigade."""

    is_case_type = forms.BooleanField(
        label="涉案类", required=False, help_text="刑事、治安类等须作出受案/立案决定的警情"
    )
    requires_legal_review = forms.BooleanField(
        label="决定前须法制审核",
        required=False,
        help_text="经济犯罪、易与纠纷混淆的警情（2015 意见）",
    )
    effective_from = forms.DateField(
        label="生效日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="今天或以后；已登记的警情按登记时的分类办理",
    )
    change_reason = forms.CharField(
        label="修订理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- 110 CSV import ---------------------------------------------------------------------------
class ImportForm(forms.Form):
    channel = forms.ChoiceField(
        label="来源",
        choices=[
            (Channel.DISPATCH_110.value, Channel.DISPATCH_110.label),
            (Channel.ADMIN_TRANSFER.value, Channel.ADMIN_TRANSFER.label),
        ],
    )
    file = forms.FileField(label="CSV 文件", help_text="UTF-8 或 GB18030 编码，第一行为列名")

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("CSV 文件不能超过 5 MB，请分批导入。")
        return upload


def parse_datetime_text(value: str) -> datetime | None:
    """Times in 110 exports: ``2026-07-15 10:20[:30]``, ``2026/07/15 10:20`` or ISO 8601. A time
    without offset is Beijing time (the command center's clock)."""
    text = value.strip().replace("/", "-")
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"无法识别的时间“{value}”，请使用 2026-07-15 10:20 格式。") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class PhoneSearchForm(forms.Form):
    """A reporter's telephone number to look the alerts up by (the whole number: the search
    compares keyed hashes, so no part of a number matches)."""

    phone = forms.CharField(label="报案人电话", max_length=40)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])
