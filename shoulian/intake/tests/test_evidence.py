"""Evidence uploads and downloads: F1–F6, and R7 for the file half of intake."""

from __future__ import annotations

import os
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.intake import services, uploads
from shoulian.intake.models import Alert, AlertParty, EvidenceFile, IdempotencyKey
from shoulian.intake.tests.helpers import file_input, register, sample_pdf, sample_png, upload

pytestmark = pytest.mark.django_db


def evidence_files(root: Path) -> list[Path]:
    return [p for p in (root / "evidence").rglob("*") if p.is_file()] if root.exists() else []


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj\n" + body + b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# --- F1: type by content ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("map.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("photo.jpg", b"<html><body><script>alert(document.cookie)</script></body></html>"),
        ("notes.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("report.docm", b"PK\x03\x04" + b"\x00" * 60),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 60),
        ("run.exe", b"MZ" + b"\x00" * 200),
    ],
)
def test_upload_type_is_decided_by_content_not_name(name: str, content: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        uploads.inspect_upload(upload(name, content, "image/png"))
    assert "不支持的文件类型" in str(caught.value)


def test_png_named_as_pdf_is_accepted_as_a_photo() -> None:
    inspection = uploads.inspect_upload(upload("scan.pdf", sample_png()))
    assert inspection.mime == "image/png" and inspection.extension == "png"


def test_corrupt_image_with_a_valid_header_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        uploads.inspect_upload(upload("x.png", sample_png()[:40]))
    assert "图片文件已损坏" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", "JavaScript"),
        (b"<< /AA << /O << /S /J#61vaScript /J#53 (x) >> >> >>", "JavaScript"),
        (b"<< /OpenAction << /S /Launch /F (cmd.exe) >> >>", "Launch"),
        (b"<< /Names << /EmbeddedFiles << >> >> /Type /EmbeddedFile >>", "内嵌"),
    ],
)
def test_pdf_with_active_content_is_refused(body: bytes, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        uploads.inspect_upload(upload("doc.pdf", pdf_with(body)))
    assert reason in str(caught.value)


def test_pdf_hiding_javascript_in_a_compressed_object_stream_is_refused() -> None:
    hidden = zlib.compress(b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj")
    body = b"<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
    data = pdf_with(body + hidden + b"\nendstream")
    with pytest.raises(ValidationError) as caught:
        uploads.inspect_upload(upload("scan.pdf", data))
    # Refused as active or, having no cross-reference table, as damaged (test_pdf_filter.py
    # builds the same with a valid table).
    assert caught.value.code in {"pdf_active_content", "pdf_invalid"}


def test_objects_hidden_behind_a_short_stream_length_are_still_searched() -> None:
    data = (
        b"%PDF-1.7\n1 0 obj\n<< /Length 5 >>\nstream\nAAAAA\nendobj\n"
        b"2 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\nendstream\n%%EOF\n"
    )
    with pytest.raises(ValidationError):
        uploads.inspect_upload(upload("x.pdf", data))


def test_plain_pdf_passes_the_script_check() -> None:
    inspection = uploads.inspect_upload(upload("笔录.pdf", sample_pdf()))
    assert inspection.mime == "application/pdf" and inspection.kind == "document"


def test_form_refuses_script_upload_with_the_file_name_in_the_message(clerk: Any) -> None:
    from shoulian.intake.tests.test_registration import form_data

    response = login_as(Client(), clerk).post(
        reverse("intake:register"),
        form_data(evidence_files=[upload("现场.svg", b"<svg onload='alert(1)'></svg>")]),
    )
    assert response.status_code == 200
    assert "“现场.svg”：不支持的文件类型" in response.content.decode()
    assert not Alert.objects.exists()


# --- F2: generated names, original kept ---------------------------------------------------------
def test_file_is_stored_under_a_generated_name_and_the_chinese_name_round_trips(
    clerk: Any, media_root: Path
) -> None:
    name = "张三 报案材料（第1份）.pdf"
    alert = register(clerk, files=(file_input(name, sample_pdf()),)).alert
    evidence = alert.evidence_files.get()
    assert evidence.original_name == name
    assert "张三" not in evidence.stored_name
    assert Path(evidence.stored_name).name.endswith(".pdf")
    assert len(Path(evidence.stored_name).stem) == 32
    assert (media_root / evidence.stored_name).read_bytes() == sample_pdf()
    response = login_as(Client(), clerk).get(
        reverse("intake:evidence_download", args=[evidence.pk])
    )
    assert quote(name) in response["Content-Disposition"]
    assert response.getvalue() == sample_pdf()


# --- F3: limits, no temp files ------------------------------------------------------------------
def test_oversized_upload_is_refused_and_leaves_no_file(
    clerk: Any, settings: Any, media_root: Path, tmp_path: Path
) -> None:
    from shoulian.intake.tests.test_registration import form_data

    settings.SHOULIAN_INTAKE_MAX_FILE_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    big = sample_png(size=(1200, 1200))
    big = big + b"\x00" * (1024 * 1024 + 10 - len(big)) if len(big) < 1024 * 1024 else big
    response = login_as(Client(), clerk).post(
        reverse("intake:register"), form_data(evidence_files=[upload("big.png", big)])
    )
    assert "不能超过 1 MB" in response.content.decode()
    assert not Alert.objects.exists()
    assert evidence_files(media_root) == []
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_too_many_files_are_refused(clerk: Any, settings: Any, media_root: Path) -> None:
    settings.SHOULIAN_INTAKE_MAX_FILES = 2
    with pytest.raises(ValidationError) as caught:
        register(clerk, files=tuple(file_input(f"{i}.png", sample_png()) for i in range(3)))
    assert "最多上传 2 个文件" in str(caught.value)
    assert evidence_files(media_root) == []


# --- F4: downloads ------------------------------------------------------------------------------
def test_download_is_an_audited_attachment_never_sniffed_or_cached(clerk: Any) -> None:
    alert = register(clerk, files=(file_input("现场照片.png", sample_png()),)).alert
    evidence = alert.evidence_files.get()
    response = login_as(Client(), clerk).get(
        reverse("intake:evidence_download", args=[evidence.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/octet-stream"
    event = AuditEvent.objects.get(event_type=EventType.EVIDENCE_DOWNLOADED)
    assert event.object_id == str(evidence.pk) and event.actor_id == clerk.pk


def test_outsider_cannot_download_evidence(clerk: Any, outsider: Any, admin_user: Any) -> None:
    alert = register(clerk, files=(file_input("x.png", sample_png()),)).alert
    url = reverse("intake:evidence_download", args=[alert.evidence_files.get().pk])
    assert login_as(Client(), outsider).get(url).status_code == 404
    assert login_as(Client(), admin_user).get(url).status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.EVIDENCE_DOWNLOADED).exists()


# --- F5: hashes ---------------------------------------------------------------------------------
def test_sha256_of_each_file_is_in_the_journal(clerk: Any) -> None:
    import hashlib

    content = sample_pdf("evidence")
    alert = register(clerk, files=(file_input("a.pdf", content),)).alert
    evidence = alert.evidence_files.get()
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    event = AuditEvent.objects.get(
        event_type=EventType.EVIDENCE_FILE_RECEIVED, object_id=str(evidence.pk)
    )
    assert event.data["sha256"] == evidence.sha256
    registered = AuditEvent.objects.get(event_type=EventType.ALERT_REGISTERED)
    assert registered.data["evidence_files"] == [evidence.sha256]


def test_verifier_detects_a_changed_and_a_missing_file(clerk: Any, media_root: Path) -> None:
    alert = register(
        clerk, files=(file_input("a.png", sample_png()), file_input("b.pdf", sample_pdf()))
    ).alert
    first, second = alert.evidence_files.order_by("id")
    assert services.evidence_verify().mismatched == []
    with (media_root / first.stored_name).open("ab") as handle:
        handle.write(b"tampered")
    (media_root / second.stored_name).unlink()
    result = services.evidence_verify()
    assert result.mismatched == [first.pk] and result.missing == [second.pk]
    assert AuditEvent.objects.filter(event_type=EventType.EVIDENCE_FILE_MISMATCH).count() == 2


# --- F6 and R7: failures ------------------------------------------------------------------------
def test_failure_after_the_file_write_leaves_neither_row_nor_file(
    clerk: Any, media_root: Path, monkeypatch: Any
) -> None:
    import shoulian.intake.services.alerts as module

    real_record = module.record

    def failing(event_type: Any, **kwargs: Any) -> Any:
        if event_type == EventType.EVIDENCE_FILE_RECEIVED:
            raise RuntimeError("journal unavailable")
        return real_record(event_type, **kwargs)

    monkeypatch.setattr(module, "record", failing)
    with pytest.raises(RuntimeError):
        register(clerk, files=(file_input("a.png", sample_png()),))
    assert not Alert.objects.exists() and not AlertParty.objects.exists()
    assert not EvidenceFile.objects.exists() and not IdempotencyKey.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.ALERT_REGISTERED).exists()
    assert evidence_files(media_root) == []


def test_crash_between_file_write_and_commit_is_swept(
    clerk: Any, media_root: Path, monkeypatch: Any
) -> None:
    """A process killed after writing the file and before committing: simulated by a failing
    commit whose cleanup never runs (as after kill -9). The row does not exist; the file does,
    until the periodic sweep removes it."""
    import shoulian.intake.services.alerts as module

    monkeypatch.setattr(module.uploads, "discard", lambda names: None)

    def dying(**kwargs: Any) -> Any:
        raise SystemExit("killed before commit")  # the last statement before COMMIT

    monkeypatch.setattr(module.IdempotencyKey.objects, "create", dying)
    with pytest.raises(SystemExit):
        register(clerk, files=(file_input("a.png", sample_png()),))
    monkeypatch.undo()
    assert not EvidenceFile.objects.exists() and not Alert.objects.exists()
    orphans = evidence_files(media_root)
    assert len(orphans) == 1
    # A file younger than the grace period may belong to a submission still in flight.
    assert services.sweep_orphans(older_than=timedelta(hours=1)) == []
    old = orphans[0].stat().st_mtime - 7200
    os.utime(orphans[0], (old, old))
    kept = register(clerk, files=(file_input("b.png", sample_png(color="blue")),)).alert
    kept_file = media_root / kept.evidence_files.get().stored_name
    os.utime(kept_file, (old, old))
    removed = services.sweep_orphans(older_than=timedelta(hours=1))
    assert removed == [orphans[0].relative_to(media_root).as_posix()]
    assert not orphans[0].exists() and kept_file.exists()
    assert AuditEvent.objects.filter(event_type=EventType.EVIDENCE_ORPHAN_REMOVED).count() == 1


def test_sweep_task_runs_from_huey(clerk: Any, media_root: Path) -> None:
    from shoulian.intake.tasks import sweep_orphan_evidence

    stray = media_root / "evidence" / "2026" / "01" / ("0" * 32 + ".png")
    stray.parent.mkdir(parents=True)
    stray.write_bytes(sample_png())
    os.utime(stray, (1, 1))
    result = sweep_orphan_evidence.call_local()
    assert result == 1 and not stray.exists()


# --- files added after registration (a rectification's proof) ------------------------------------
def test_files_attached_later_go_through_the_same_pipeline(clerk: Any, media_root: Path) -> None:
    from shoulian.intake.choices import FilePurpose

    alert = register(clerk).alert
    [row] = services.evidence_attach(
        actor=clerk,
        alert=alert,
        files=[file_input("回执.png", sample_png(), purpose=FilePurpose.RECTIFICATION)],
    )
    assert row.purpose == FilePurpose.RECTIFICATION and row.alert_id == alert.pk
    assert (media_root / row.stored_name).is_file() and "回执" not in row.stored_name
    received = [
        e for e in AuditEvent.objects.all() if e.event_type == EventType.EVIDENCE_FILE_RECEIVED
    ]
    assert received[-1].data["sha256"] == row.sha256


def test_attaching_to_an_alert_out_of_scope_is_refused_and_stores_nothing(
    clerk: Any, outsider: Any, media_root: Path
) -> None:
    from django.core.exceptions import PermissionDenied

    alert = register(clerk).alert
    before = set(evidence_files(media_root))
    with pytest.raises(PermissionDenied):
        services.evidence_attach(
            actor=outsider, alert=alert, files=[file_input("x.png", sample_png())]
        )
    assert set(evidence_files(media_root)) == before
