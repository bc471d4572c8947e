"""Evidence files: content checks (F1), storage under generated names (F2), limits (F3) and the
orphan sweep (F6).

A file is accepted by what its bytes are, never by its name or the browser's content type. It is
written under ``MEDIA_ROOT/evidence/YYYY/MM/<random>.<ext>`` before the database row that names it,
inside the same service call; if anything after the write fails the file is removed again, and a
process killed in between leaves at worst an unreferenced file that ``sweep_orphans`` deletes. So
no row ever names a missing file.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from shoulian.intake import pdfscan
from shoulian.intake.choices import FileKind

EVIDENCE_DIR = "evidence"
CHUNK = 256 * 1024


def max_file_bytes() -> int:
    return int(getattr(settings, "SHOULIAN_INTAKE_MAX_FILE_MB", 200)) * 1024 * 1024


def max_document_bytes() -> int:
    """PDFs are scanned in full for scripts; their limit is lower than for audio and video."""
    return int(getattr(settings, "SHOULIAN_INTAKE_MAX_DOCUMENT_MB", 30)) * 1024 * 1024


def max_files_per_alert() -> int:
    return int(getattr(settings, "SHOULIAN_INTAKE_MAX_FILES", 20))


# What the desk accepts: photos, PDF documents, recordings and videos as phones and body cameras
# produce them. Everything else (SVG, HTML, Office files with macros, archives, executables) is
# refused because it can carry active content or hide other files.
ALLOWED_TYPES: dict[str, tuple[FileKind, str]] = {
    "image/jpeg": (FileKind.PHOTO, "jpg"),
    "image/png": (FileKind.PHOTO, "png"),
    "image/webp": (FileKind.PHOTO, "webp"),
    "image/heic": (FileKind.PHOTO, "heic"),
    "application/pdf": (FileKind.DOCUMENT, "pdf"),
    "audio/mpeg": (FileKind.AUDIO, "mp3"),
    "audio/mp4": (FileKind.AUDIO, "m4a"),
    "audio/aac": (FileKind.AUDIO, "aac"),
    "audio/x-wav": (FileKind.AUDIO, "wav"),
    "audio/amr": (FileKind.AUDIO, "amr"),
    "video/mp4": (FileKind.VIDEO, "mp4"),
    "video/quicktime": (FileKind.VIDEO, "mov"),
    "video/3gpp": (FileKind.VIDEO, "3gp"),
    "video/x-msvideo": (FileKind.VIDEO, "avi"),
}

# Images Pillow can decode: checked to be whole images, not just a matching first few bytes.
_PILLOW_CHECKED = frozenset({"image/jpeg", "image/png", "image/webp"})

ACCEPT_ATTRIBUTE = ",".join(
    [".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf", ".mp3", ".m4a", ".aac", ".wav", ".amr"]
    + [".mp4", ".mov", ".3gp", ".avi"]
)


class Readable(Protocol):
    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...

    def seek(self, offset: int, whence: int = 0) -> Any: ...

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class Inspection:
    """What a checked upload is, by content."""

    mime: str
    kind: FileKind
    extension: str
    size: int
    sha256: str


# --- PDF active content (F1) ------------------------------------------------------------------
# On qpdf (pikepdf), with hand checks only where readers' repairs could disagree: pdfscan.py.
check_pdf = pdfscan.check_pdf


def _check_image(stream: IO[bytes]) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(stream) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("图片文件已损坏或格式不正确。", code="image_invalid") from None


def inspect_upload(upload: Readable) -> Inspection:
    """Identify ``upload`` by its bytes and refuse anything outside the allow-list (F1, F3)."""
    size = upload.size or 0
    if size <= 0:
        raise ValidationError("文件为空。", code="empty")
    if size > max_file_bytes():
        raise ValidationError(
            "单个文件不能超过 %(limit)s MB。",
            code="too_large",
            params={"limit": max_file_bytes() // (1024 * 1024)},
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed is not None else ""
    if mime not in ALLOWED_TYPES:
        raise ValidationError(
            "不支持的文件类型。可上传照片（JPG/PNG/WEBP/HEIC）、PDF 文档、录音（MP3/M4A/AAC/WAV/AMR）"
            "或视频（MP4/MOV/3GP/AVI）。",
            code="type",
        )
    kind, extension = ALLOWED_TYPES[mime]
    digest = hashlib.sha256()
    if kind == FileKind.DOCUMENT:
        if size > max_document_bytes():
            raise ValidationError(
                "PDF 文档不能超过 %(limit)s MB。",
                code="too_large",
                params={"limit": max_document_bytes() // (1024 * 1024)},
            )
        data = b"".join(upload.chunks())
        digest.update(data)
        check_pdf(data)
    else:
        for chunk in upload.chunks():
            digest.update(chunk)
        if mime in _PILLOW_CHECKED:
            upload.seek(0)
            _check_image(io.BytesIO(upload.read()))
    upload.seek(0)
    return Inspection(
        mime=mime, kind=kind, extension=extension, size=size, sha256=digest.hexdigest()
    )


# --- Storage (F2, F6) -------------------------------------------------------------------------
def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def absolute(stored_name: str) -> Path:
    root = media_root().resolve()
    path = (root / stored_name).resolve()
    if root not in path.parents:
        raise ValueError("stored name escapes MEDIA_ROOT")
    return path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str


def store(upload: Readable, *, extension: str, now: datetime | None = None) -> StoredFile:
    """Write ``upload`` durably under a new random name; the hash is taken from the bytes written.

    The name carries no part of the original: 128 random bits, the checked extension."""
    moment = timezone.localtime(now or timezone.now())
    relative = f"{EVIDENCE_DIR}/{moment:%Y}/{moment:%m}/{secrets.token_hex(16)}.{extension}"
    path = absolute(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        upload.seek(0)
        for chunk in upload.chunks(CHUNK):
            os.write(fd, chunk)
            digest.update(chunk)
            size += len(chunk)
        # The row that names this file is committed next; the bytes must be on disk first (R1).
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    _fsync_dir(path.parent)
    return StoredFile(stored_name=relative, size=size, sha256=digest.hexdigest())


def discard(stored_names: Iterable[str]) -> None:
    """Remove files written for a submission that did not commit."""
    for name in stored_names:
        absolute(name).unlink(missing_ok=True)


def file_sha256(stored_name: str) -> str | None:
    """The SHA-256 of the file as it is on disk now; None when it is missing."""
    path = absolute(stored_name)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stored_files(older_than: timedelta) -> Iterator[tuple[str, float]]:
    """Relative names of the evidence files last modified more than ``older_than`` ago."""
    root = media_root() / EVIDENCE_DIR
    if not root.is_dir():
        return
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    for path in root.rglob("*"):
        if path.is_file():
            mtime = path.stat().st_mtime
            if mtime <= cutoff:
                yield path.relative_to(media_root()).as_posix(), mtime
