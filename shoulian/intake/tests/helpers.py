"""Test data for the intake desk, always created through the services."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shoulian.intake import services, uploads
from shoulian.intake.choices import Channel, FilePurpose, PartyRole, ReportForm
from shoulian.intake.models import Category

# A valid 居民身份证 number (GB 11643 check digit "X") and a mobile, invented for the tests.
ID_NUMBER = "11010519491231002X"
OTHER_ID_NUMBER = "350427198703150012"
MOBILE = "13800138000"


def sample_pdf(text: str = "询问笔录 第1页") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.drawString(72, 720, text.encode("ascii", "replace").decode())
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def sample_png(size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def file_input(
    name: str, content: bytes, purpose: str = FilePurpose.EVIDENCE
) -> services.FileInput:
    handle = upload(name, content)
    return services.FileInput(
        upload=handle,
        inspection=uploads.inspect_upload(handle),
        original_name=name,
        purpose=purpose,
    )


def category(code: str = "0101") -> Category:
    found = Category.objects.filter(code=code).first()
    if found is None:
        # The standard's rows come from a data migration; put back what a test removed.
        services.category_seed_standard()
        found = Category.objects.get(code=code)
    return found


def reporter(**overrides: Any) -> services.PartyInput:
    values = {
        "role": PartyRole.REPORTER,
        "name": "王小明",
        "gender": "male",
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "phone": MOBILE,
        "address": "福建省三明市沙县区凤岗街道府西社区12号",
    }
    values.update(overrides)
    return services.PartyInput(**values)


def alert_input(**overrides: Any) -> services.AlertInput:
    now = timezone.now()
    values: dict[str, Any] = {
        "channel": Channel.WALK_IN,
        "report_form": ReportForm.WRITTEN,
        "received_at": now - timedelta(minutes=5),
        "incident_at": now - timedelta(hours=10),
        "incident_place": "甲城关街道北大路18号楼下",
        "narrative": "报案人称其停放在楼下的电动车被盗，车身蓝色，价值约三千元。",
        "category": category(overrides.pop("category_code", "0103")),
        "parties": (reporter(),),
        "items": (services.ItemInput(name="购车发票", quantity=1, features="复印件", pages=1),),
    }
    values.update(overrides)
    return services.AlertInput(**values)


def register(clerk: Any, key: str | None = None, **overrides: Any) -> services.Registration:
    return services.alert_register(
        actor=clerk, data=alert_input(**overrides), idempotency_key=key or uuid.uuid4().hex
    )


def import_110(
    actor: Any = None,
    *,
    client: Any = None,
    station_code: str,
    external_ref: str | None = None,
    key: str | None = None,
    **overrides: Any,
) -> services.Registration:
    now = timezone.now()
    values: dict[str, Any] = {
        "channel": Channel.DISPATCH_110,
        "received_at": now - timedelta(hours=3),
        "handled_at": now - timedelta(hours=2),
        "incident_at": now - timedelta(hours=3),
        "incident_place": "甲城南街道农贸市场门口",
        "narrative": "报警人称在农贸市场门口与摊主发生口角，对方动手推搡。",
        "category": category(overrides.pop("category_code", "0201")),
        "external_ref": external_ref or f"110-{uuid.uuid4().hex[:10]}",
        "parties": (reporter(id_number="", id_type="", phone="13900139000", name="李大姐"),),
    }
    values.update(overrides)
    data = services.AlertInput(**values)
    return services.alert_import(
        actor=actor,
        client=client,
        data=data,
        handling_unit_code=station_code,
        idempotency_key=key or f"k-{data.external_ref}",
    )
