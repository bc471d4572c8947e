"""Issue 13 item 6 at the intake desk: the download name follows the detected type, and a full
disk tells the clerk plainly that the alert was not registered."""

from __future__ import annotations

import errno
from typing import Any
from urllib.parse import quote

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from shoulian.conftest import login_as
from shoulian.intake import uploads
from shoulian.intake.models import Alert
from shoulian.intake.services import alerts
from shoulian.intake.tests.helpers import file_input, register, sample_pdf, sample_png, upload
from shoulian.intake.tests.test_registration import form_data
from shoulian.intake.views import download_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("现场照片.exe", "image/png", "现场照片.png"),
        ("报案材料.PDF", "application/pdf", "报案材料.pdf"),
        ("录音", "audio/mpeg", "录音.mp3"),
        ("C:\\Users\\民警\\照片.html", "image/jpeg", "照片.jpg"),
        (".png", "image/png", ".png.png"),
    ],
)
def test_the_download_name_carries_the_detected_types_extension(
    original: str, content_type: str, expected: str
) -> None:
    assert download_name(original, content_type) == expected


def test_a_png_uploaded_as_a_pdf_downloads_as_a_png(clerk: Any) -> None:
    alert = register(clerk, files=(file_input("笔录.pdf", sample_png()),)).alert
    evidence = alert.evidence_files.get()
    assert evidence.original_name == "笔录.pdf"  # kept as the uploader named it (F2)
    response = login_as(Client(), clerk).get(
        reverse("intake:evidence_download", args=[evidence.pk])
    )
    assert quote("笔录.png") in response["Content-Disposition"]
    assert ".pdf" not in response["Content-Disposition"]


def _post(clerk: Any, **extra: Any) -> Any:
    return login_as(Client(), clerk).post(reverse("intake:register"), form_data(**extra))


def test_a_full_disk_for_the_files_tells_the_clerk_nothing_was_registered(
    clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads, "store", full)
    response = _post(clerk, evidence_files=[upload("a.pdf", sample_pdf())])
    assert response.status_code == 503
    page = response.content.decode()
    assert "警情未登记" in page and "存储空间已满" in page and "系统错误" not in page
    assert not Alert.objects.exists()


def test_a_full_database_tells_the_clerk_nothing_was_registered(
    clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(alerts, "record", full)
    response = _post(clerk)
    assert response.status_code == 503
    assert "警情未登记" in response.content.decode()
    assert not Alert.objects.exists()


def test_other_database_errors_are_not_dressed_up_as_a_full_disk(
    clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("something else")

    monkeypatch.setattr(alerts, "record", broken)
    with pytest.raises(OperationalError):
        _post(clerk)
