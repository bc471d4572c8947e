"""The 接报案回执: content, embedded Chinese font, issue and audited reprints."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.documents import fonts
from shoulian.intake import receipt, services
from shoulian.intake.tests.helpers import file_input, register, sample_png

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 - fixed poppler command, our own file
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@needs_poppler
def test_receipt_pdf_carries_number_query_code_unit_clerk_evidence_and_event_hash(
    clerk: Any, bureau_a: Any, tmp_path: Path
) -> None:
    alert = register(clerk, files=(file_input("现场照片.png", sample_png()),)).alert
    text = pdf_text(services.receipt_print(actor=clerk, alert=alert), tmp_path)
    compact = "".join(text.split())
    assert "接报案回执" in compact
    assert alert.number in compact
    assert alert.query_code_display in compact
    assert bureau_a.center.name in compact and clerk.full_name in compact
    assert "购车发票" in compact and "现场照片.png" in compact
    assert alert.intake_event_sha256 in compact
    assert "12389" in compact and "复议" in compact
    assert receipt.public_query_url() in compact
    assert "138****8000" in compact and "13800138000" not in compact


@needs_poppler
def test_receipt_embeds_its_chinese_font_and_rasterises_with_ink(
    clerk: Any, tmp_path: Path
) -> None:
    from PIL import Image

    alert = register(clerk).alert
    path = tmp_path / "receipt.pdf"
    path.write_bytes(services.receipt_print(actor=clerk, alert=alert))
    fonts = subprocess.run(  # noqa: S603 - fixed poppler command, our own file
        ["pdffonts", str(path)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = [line for line in fonts.splitlines() if "NotoSansSC" in line]
    assert lines and all(" yes " in line for line in lines), fonts  # embedded subsets
    subprocess.run(  # noqa: S603 - fixed poppler command, our own file
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "pg")],  # noqa: S607
        check=True,
    )
    page = Image.open(next(tmp_path.glob("pg*.png"))).convert("L")
    width, height = page.size
    # The title line "接报案回执" sits in the top tenth of the page: it must carry ink.
    title = page.crop((int(width * 0.3), int(height * 0.03), int(width * 0.7), int(height * 0.1)))
    dark = sum(title.histogram()[:128])
    assert dark > 150


def test_first_print_issues_the_receipt_and_later_prints_are_journalled(clerk: Any) -> None:
    alert = register(clerk).alert
    client = login_as(Client(), clerk)
    url = reverse("intake:receipt_pdf", args=[alert.pk])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF-") and first["Cache-Control"] == "no-store"
    client.get(url)
    client.get(url)
    alert.refresh_from_db()
    assert alert.receipt_print_count == 3 and alert.receipt_issued_at is not None
    assert AuditEvent.objects.filter(event_type=EventType.RECEIPT_ISSUED).count() == 1
    reprints = AuditEvent.objects.filter(event_type=EventType.DOCUMENT_PRINTED)
    assert sorted(e.data["copy"] for e in reprints) == [2, 3]


def test_receipt_print_view_shows_the_query_code_and_offers_the_pdf(clerk: Any) -> None:
    alert = register(clerk).alert
    page = login_as(Client(), clerk).get(reverse("intake:receipt", args=[alert.pk]))
    body = page.content.decode()
    assert alert.query_code_display in body
    assert reverse("intake:receipt_pdf", args=[alert.pk]) in body
    assert "<script>" not in body and "style=" not in body


def test_officer_of_another_station_cannot_print_the_receipt(
    clerk: Any, officer2: Any, bureau_a: Any
) -> None:
    from shoulian.intake.tests.helpers import import_110

    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    response = login_as(Client(), officer2).get(reverse("intake:receipt_pdf", args=[alert.pk]))
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.receipt_print_count == 0


def test_legal_brigade_cannot_print_receipts(clerk: Any, legal: Any) -> None:
    alert = register(clerk).alert
    response = login_as(Client(), legal).get(reverse("intake:receipt_pdf", args=[alert.pk]))
    assert response.status_code == 403


def test_query_url_comes_from_the_public_base_setting(settings: Any) -> None:
    settings.SHOULIAN_PUBLIC_BASE_URL = "https://ga.example.gov.cn/shaxian/"
    assert receipt.public_query_url() == "https://ga.example.gov.cn/shaxian/q/"


def test_missing_font_is_a_clear_configuration_error(
    settings: Any, tmp_path: Path, clerk: Any
) -> None:
    fonts.register_fonts.cache_clear()
    settings.SHOULIAN_PDF_FONT = str(tmp_path / "missing.ttf")
    try:
        with pytest.raises(ImproperlyConfigured) as caught:
            fonts.register_fonts()
        assert "npm ci" in str(caught.value)
    finally:
        fonts.register_fonts.cache_clear()
