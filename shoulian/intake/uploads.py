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
import re
import secrets
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

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
# Name objects that run code or carry hidden files. /OpenAction and /AA only trigger actions;
# the actions that matter (/JavaScript, /JS, /Launch) are caught by name wherever a PDF reader
# would read them as names: in the object dictionaries, and in compressed object streams (PDF
# 1.5), never inside page content or image data, whose bytes are arbitrary.
_PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA|Encrypt)(?![A-Za-z0-9])"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
# A direct length ("/Length 1234"), not an indirect one ("/Length 12 0 R").
_PDF_LENGTH = re.compile(rb"/Length\s+(\d+)(?=\s*[/>])")
_PDF_REASONS = {
    b"JavaScript": "含有脚本（JavaScript）",
    b"JS": "含有脚本（JS）",
    b"Launch": "含有启动外部程序的动作（Launch）",
    b"EmbeddedFile": "内嵌其他文件",
    b"RichMedia": "含有富媒体（RichMedia）内容",
    b"XFA": "含有动态表单（XFA）",
    b"Encrypt": "已加密，无法检查其内容",
}
# A PDF whose object streams inflate beyond this cannot be checked in reasonable time.
PDF_INFLATE_BUDGET = 256 * 1024 * 1024


def _unescape_names(data: bytes) -> bytes:
    # "/J#61vaScript" is "/JavaScript" to a PDF reader (PDF 1.2 name escapes).
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)


def _active_in(data: bytes) -> bytes | None:
    found = _PDF_ACTIVE.search(_unescape_names(data))
    return found[1] if found else None


def _split_streams(data: bytes) -> tuple[list[bytes], list[bytes]]:
    """(the file outside stream data, the raw data of every object stream).

    A stream ends at its direct /Length when that lands before the first "endstream" (bytes a
    reader would parse as objects stay in the scanned part), else at the first "endstream"."""
    outside: list[bytes] = []
    object_streams: list[bytes] = []
    position = 0
    for match in _PDF_STREAM.finditer(data):
        if match.start() < position:
            continue  # the word "stream" inside data already skipped
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        header = data[position : match.start()]
        dictionary = _unescape_names(header[header.rfind(b"obj") :])
        length = _PDF_LENGTH.search(dictionary)
        if length and match.end() + int(length[1]) < end:
            end = match.end() + int(length[1])
        outside.append(header)
        if b"/ObjStm" in dictionary:
            object_streams.append(data[match.end() : end])
        position = end
    outside.append(data[position:])
    return outside, object_streams


def _inflate(raw: bytes, budget: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, budget + 1)
    except zlib.error:
        raise ValidationError("PDF 文件结构损坏，无法完成安全检查。", code="pdf_invalid") from None
    if len(out) > budget:
        raise ValidationError(
            "PDF 文件解压后过大，无法完成安全检查，请重新导出或打印为 PDF 后上传。",
            code="pdf_too_complex",
        )
    return out


def check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        raise ValidationError("文件不是有效的 PDF 文档。", code="pdf_invalid")
    outside, object_streams = _split_streams(data)
    hit = next((h for h in map(_active_in, outside) if h is not None), None)
    budget = PDF_INFLATE_BUDGET
    for raw in object_streams:
        if hit is not None:
            break
        inflated = _inflate(raw, budget)
        budget -= len(inflated)
        hit = _active_in(inflated)
    if hit is not None:
        raise ValidationError(
            "PDF 文件%(reason)s，出于安全考虑不予接收。请打印为普通 PDF 或拍照后上传。",
            code="pdf_active_content",
            params={"reason": _PDF_REASONS[hit]},
        )


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
