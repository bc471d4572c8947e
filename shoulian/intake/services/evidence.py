"""Evidence files after intake: audited downloads (F4), the hash verifier (F5) and the orphan
sweep (F6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import deny, record, record_read
from shoulian.intake import uploads
from shoulian.intake.models import Alert, EvidenceFile
from shoulian.intake.services.alerts import _store_files, _write_files
from shoulian.intake.services.common import FileInput


def evidence_attach(
    *,
    actor: Any,
    alert: Alert,
    files: Sequence[FileInput],
    now: datetime | None = None,
) -> list[EvidenceFile]:
    """Add checked files to an alert's file after registration (a rectification's proof, say),
    through the same pipeline as the desk's: each file already identified by content
    (``uploads.inspect_upload``), written under a generated name before its row, its hash in the
    journal (F5). Runs in the caller's transaction; if anything fails the files written here are
    removed again, and a process killed in between leaves an orphan the sweep deletes (F6)."""
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        deny(actor, action="attach_evidence", obj=alert)
    if len(files) > uploads.max_files_per_alert():
        raise ValidationError(f"一次最多上传 {uploads.max_files_per_alert()} 个文件。")
    moment = now or timezone.now()
    written: list[str] = []
    try:
        stored = _store_files(files, written)
        return _write_files(alert, files, stored, actor, moment)
    except BaseException:
        uploads.discard(written)
        raise


def evidence_open(*, actor: Any, evidence: EvidenceFile) -> Any:
    """An open file handle for an authorised download, journalled (F4)."""
    if not EvidenceFile.objects.visible_to(actor).filter(pk=evidence.pk).exists():
        deny(actor, action="download_evidence", obj=evidence)
    handle = uploads.absolute(evidence.stored_name).open("rb")
    record_read(
        EventType.EVIDENCE_DOWNLOADED,
        obj=evidence,
        actor=actor,
        alert=evidence.alert_id,
        sha256=evidence.sha256,
    )
    return handle


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    mismatched: list[int]
    missing: list[int]


def evidence_verify(*, queryset: Any = None) -> VerifyResult:
    """Recompute the SHA-256 of stored files and compare with the hash taken at intake (F5).
    Every mismatch or missing file is journalled."""
    rows = queryset if queryset is not None else EvidenceFile.objects.all()
    mismatched: list[int] = []
    missing: list[int] = []
    checked = 0
    for evidence in rows.only("pk", "stored_name", "sha256", "alert_id").iterator():
        checked += 1
        actual = uploads.file_sha256(evidence.stored_name)
        if actual == evidence.sha256:
            continue
        (missing if actual is None else mismatched).append(evidence.pk)
        with transaction.atomic():
            record(
                EventType.EVIDENCE_FILE_MISMATCH,
                obj=evidence,
                outcome=Outcome.FAILURE,
                data={"expected": evidence.sha256, "actual": actual, "missing": actual is None},
            )
    return VerifyResult(checked=checked, mismatched=mismatched, missing=missing)


def sweep_orphans(*, older_than: timedelta = timedelta(hours=1)) -> list[str]:
    """Delete evidence files that no row names (F6): what a process killed between writing a
    file and committing its row leaves behind. Only files older than ``older_than`` are
    considered, so a submission still in flight keeps its files."""
    removed = []
    candidates = dict(uploads.stored_files(older_than))
    names = list(candidates)
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        known = set(
            EvidenceFile.objects.filter(stored_name__in=batch).values_list("stored_name", flat=True)
        )
        for name in batch:
            if name in known:
                continue
            uploads.absolute(name).unlink(missing_ok=True)
            removed.append(name)
    if removed:
        with transaction.atomic():
            record(
                EventType.EVIDENCE_ORPHAN_REMOVED,
                data={"count": len(removed), "files": removed[:100]},
            )
    return removed
