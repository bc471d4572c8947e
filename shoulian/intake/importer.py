"""Alerts from other systems: the 110 command center's dispatch export (CSV) and the JSON
interface. Both end in ``services.alert_import``; this module only turns rows into inputs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.intake import services
from shoulian.intake.choices import Channel, PartyRole, Urgency
from shoulian.intake.forms import PartyForm, parse_datetime_text
from shoulian.intake.models import Alert, Category

# Column names as 110 systems export them, and the neutral English names the API also uses.
COLUMNS: dict[str, str] = {
    "接警单号": "external_ref",
    "移送函文号": "external_ref",
    "接警时间": "received_at",
    "处警时间": "handled_at",
    "发案时间": "incident_at",
    "发案时间止": "incident_until",
    "发案地点": "incident_place",
    "报警人": "reporter_name",
    "报警人电话": "reporter_phone",
    "报警电话": "reporter_phone",
    "报警人证件号码": "reporter_id_number",
    "简要警情": "narrative",
    "简要案情": "narrative",
    "警情类别代码": "category_code",
    "处警单位代码": "handling_unit_code",
    "紧急程度": "urgency",
    "移送机关": "source_organ",
}
REQUIRED = (
    "external_ref",
    "received_at",
    "incident_place",
    "narrative",
    "category_code",
    "handling_unit_code",
)
URGENCY_WORDS = {label: value for value, label in Urgency.choices}
MAX_ROWS = 2000


@dataclass
class ImportResult:
    created: list[Alert] = field(default_factory=list)
    replayed: list[Alert] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(raw: bytes) -> str:
    # Exports from Windows-based 110 systems are GB18030 (GBK); newer ones UTF-8 with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV。")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def row_input(row: dict[str, str], *, channel: str) -> tuple[services.AlertInput, str]:
    """One exported row → (input, handling unit code). Raises ValidationError in Chinese."""
    missing = [name for name in REQUIRED if not (row.get(name) or "").strip()]
    if missing:
        labels = {v: k for k, v in COLUMNS.items()}
        raise ValidationError("缺少：" + "、".join(labels.get(m, m) for m in missing))
    received = parse_datetime_text(row["received_at"])
    if received is None:
        raise ValidationError("缺少：接警时间")
    handled = parse_datetime_text(row.get("handled_at", "") or "")
    incident = parse_datetime_text(row.get("incident_at", "") or "") or received
    until = parse_datetime_text(row.get("incident_until", "") or "")
    category = Category.objects.selectable().filter(code=row["category_code"].strip()).first()
    if category is None:
        raise ValidationError(f"警情类别代码 {row['category_code']} 不在分类标准中或已停用。")
    urgency_text = (row.get("urgency") or "").strip()
    urgency = URGENCY_WORDS.get(urgency_text, urgency_text or Urgency.NORMAL)
    if urgency not in Urgency.values:
        raise ValidationError(f"紧急程度“{urgency_text}”应为 一般、紧急 或 特急。")
    parties: list[services.PartyInput] = []
    name = (row.get("reporter_name") or "").strip()
    phone = (row.get("reporter_phone") or "").strip()
    id_number = (row.get("reporter_id_number") or "").strip()
    if name or phone or id_number:
        form = PartyForm(
            data={
                "role": PartyRole.REPORTER,
                "name": name or "不详",
                "gender": "unknown",
                "id_type": "resident_id" if id_number else "",
                "id_number": id_number,
                "phone": phone,
            }
        )
        if not form.is_valid():
            raise ValidationError(
                "；".join(f"报警人{form.fields[k].label}：{v[0]}" for k, v in form.errors.items())
            )
        parties.append(form.to_input())
    data = services.AlertInput(
        channel=channel,
        received_at=received,
        handled_at=handled,
        incident_at=incident,
        incident_until=until,
        incident_place=row["incident_place"],
        narrative=row["narrative"],
        category=category,
        urgency=urgency,
        external_ref=row["external_ref"],
        source_organ=(row.get("source_organ") or "").strip(),
        parties=tuple(parties),
    )
    return data, row["handling_unit_code"].strip()


class _Rollback(Exception):
    pass


def import_csv(*, actor: Any, upload: Any, channel: str) -> ImportResult:
    """Import every row or none (R7): a file with one bad row changes nothing and lists the
    errors by line. Rows imported before (same sheet number, same content) are skipped."""
    result = ImportResult()
    try:
        text = _decode(upload.read())
    except ValidationError as exc:
        result.errors.append((0, _messages(exc)))
        return result
    reader = csv.DictReader(io.StringIO(text))
    header = [COLUMNS.get((h or "").strip(), (h or "").strip()) for h in reader.fieldnames or []]
    if "external_ref" not in header:
        result.errors.append((1, "第一行应为列名，且包含“接警单号”（或“移送函文号”）。"))
        return result
    reader.fieldnames = header
    rows = list(reader)
    if len(rows) > MAX_ROWS:
        result.errors.append((0, f"一次最多导入 {MAX_ROWS} 行，请分批导入。"))
        return result
    if channel not in (Channel.DISPATCH_110, Channel.ADMIN_TRANSFER):
        result.errors.append((0, "只能导入 110 警情或行政执法机关移送的警情。"))
        return result
    try:
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                try:
                    data, unit_code = row_input(row, channel=channel)
                    registration = services.alert_import(
                        actor=actor,
                        data=data,
                        handling_unit_code=unit_code,
                        idempotency_key=f"csv:{channel}:{data.external_ref.strip()}",
                    )
                except services.IdempotencyConflict:
                    result.errors.append(
                        (line, f"接警单号 {row.get('external_ref')} 已导入过，且内容不同。")
                    )
                except ValidationError as exc:
                    result.errors.append((line, _messages(exc)))
                else:
                    bucket = result.replayed if registration.replayed else result.created
                    bucket.append(registration.alert)
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created, result.replayed = [], []
    except PermissionDenied:
        raise
    if result.errors:
        with transaction.atomic():
            record(
                EventType.ALERT_IMPORT_REJECTED,
                outcome=Outcome.FAILURE,
                actor=actor,
                data={
                    "channel": channel,
                    "rows": len(rows),
                    "errors": [f"{line}: {message}" for line, message in result.errors[:50]],
                },
            )
    return result
