"""The PDF active-content filter (F1) on a real parser.

A PDF is refused when a reader could run something from it: scripts, launched programs, embedded
files, rich media, XFA forms, or an action that fires on its own (``/OpenAction``, ``/AA``) and is
anything but a jump inside the document. The bypasses of issue 13 all lived where a hand-written
parser and a reader's repair disagree, so the file is read three ways and refused if any of them
finds something or if they could disagree:

1. **qpdf** (through pikepdf) opens it with the repair readers apply and walks every object it
   knows, objects inside object streams included: every name, key and action is checked on the
   parsed objects, so ``/J#61vaScript`` is ``/JavaScript`` here as it is for a reader.
2. **Every stream is decoded.** A stream whose declared ``/Length`` does not land on
   ``endstream`` makes the PDF invalid (qpdf and poppler "recover" the length and read bytes the
   declared length hid); a Flate stream must inflate to its end (a truncated zlib stream is an
   error, not "nothing"); decoding is budgeted, so a compression bomb is refused instead of
   filling memory. Decoded streams that readers parse as objects or text (object streams,
   metadata, any stream of unknown use) are searched for the active names too, which also finds
   objects a crafted cross-reference table leaves out of qpdf's view. Image data, font programs,
   cross-reference streams and page content (drawing operators, which cannot start an action)
   are decoded and checked for completeness but not searched: their bytes are arbitrary.
3. **The raw bytes outside stream data** are searched for the active names: a damaged file is
   repaired differently by different readers (an older revision, an object defined twice), and
   a name no reader should find is not allowed anywhere a reader might look.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError

# Names that run code or carry hidden files; found as keys or values of any object.
ACTIVE_NAMES = {
    "/JavaScript": "含有脚本（JavaScript）",
    "/JS": "含有脚本（JS）",
    "/Launch": "含有启动外部程序的动作（Launch）",
    "/EmbeddedFile": "内嵌其他文件",
    "/EmbeddedFiles": "内嵌其他文件",
    "/RichMedia": "含有富媒体（RichMedia）内容",
    "/XFA": "含有动态表单（XFA）",
    "/Encrypt": "已加密，无法检查其内容",
}
# The raw-byte form of the same names (PDF 1.2 "#xx" escapes undone first).
_ACTIVE_BYTES = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|Encrypt)(?![A-Za-z0-9])"
)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# A direct length ("/Length 1234"), not an indirect one ("/Length 12 0 R").
_DIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)(?=\s*[/>])")
_ENDSTREAM = re.compile(rb"(?:\r\n|\n|\r)?endstream")

# Decoded streams may not add up to more than this: beyond it the file cannot be checked in
# reasonable time and memory.
INFLATE_BUDGET = 256 * 1024 * 1024
# Filters whose output is pixels: the stream is an image, never parsed as objects.
_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}
# Worst-case growth of filters whose output we do not bound ourselves (LZW, run length).
_UNBOUNDED_RATIO = 4200

INVALID = "PDF 文件结构损坏，无法完成安全检查。"


def _invalid(detail: str = "") -> ValidationError:
    return ValidationError(INVALID, code="pdf_invalid", params={"detail": detail})


def _too_complex() -> ValidationError:
    return ValidationError(
        "PDF 文件解压后过大，无法完成安全检查，请重新导出或打印为 PDF 后上传。",
        code="pdf_too_complex",
    )


def _refuse(reason: str) -> ValidationError:
    return ValidationError(
        "PDF 文件%(reason)s，出于安全考虑不予接收。请打印为普通 PDF 或拍照后上传。",
        code="pdf_active_content",
        params={"reason": reason},
    )


def _unescape(data: bytes) -> bytes:
    # "/J#61vaScript" is "/JavaScript" to a PDF reader.
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)


def _active_in_bytes(data: bytes) -> str | None:
    found = _ACTIVE_BYTES.search(_unescape(data))
    return ACTIVE_NAMES["/" + found[1].decode()] if found else None


# --- 3. raw bytes ---------------------------------------------------------------------------------
def _outside_streams(data: bytes) -> Iterator[bytes]:
    """The file's bytes outside stream data. A direct /Length must land on ``endstream``; an
    indirect one (resolved by qpdf in step 2) ends the stream at the first ``endstream``."""
    position = 0
    for match in _STREAM.finditer(data):
        if match.start() < position:
            continue  # the word "stream" inside stream data already skipped
        header = data[position : match.start()]
        dictionary = _unescape(header[header.rfind(b"obj") :])
        length = _DIRECT_LENGTH.search(dictionary)
        if length is not None:
            end = match.end() + int(length[1])
            if not _ENDSTREAM.match(data, end):
                raise _invalid("declared stream length does not end at endstream")
        else:
            end = data.find(b"endstream", match.end())
            if end < 0:
                raise _invalid("stream without endstream")
        yield header
        position = end
    yield data[position:]


# --- 2. streams ---------------------------------------------------------------------------------
def _filters(stream: Any) -> list[str]:
    import pikepdf

    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(item) for item in value]
    return [str(value)]


def _inflate_all(raw: bytes, budget: int) -> bytes:
    """Inflate ``raw`` completely: a stream that ends before zlib's end marker is truncated.
    An empty stream is empty (qpdf writes a blank page's contents so)."""
    if not raw.strip():
        return b""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, budget + 1)
    except zlib.error:
        raise _invalid("flate data corrupt") from None
    if len(out) > budget or inflater.unconsumed_tail:
        raise _too_complex()
    if not inflater.eof:
        raise _invalid("flate data truncated")
    if inflater.unused_data.strip():
        raise _invalid("data after the end of the flate stream")
    return out


def _ascii85(raw: bytes) -> bytes:
    text = re.sub(rb"\s", b"", raw)
    if text.endswith(b"~>"):
        text = text[:-2]
    try:
        return base64.a85decode(text)
    except ValueError:
        raise _invalid("ascii85 data corrupt") from None


def _ascii_hex(raw: bytes) -> bytes:
    text = re.sub(rb"\s", b"", raw).split(b">", 1)[0]
    if len(text) % 2:
        text += b"0"
    try:
        return bytes.fromhex(text.decode("ascii"))
    except ValueError:
        raise _invalid("hex data corrupt") from None


def _decoded_size_checked(stream: Any, filters: list[str], budget: int) -> int:
    """Run the filters we bound ourselves (ASCII85, ASCIIHex, Flate) and check that every Flate
    stage reaches its end; returns an upper bound of the decoded size."""
    data = bytes(stream.read_raw_bytes())
    for position, name in enumerate(filters):
        if name in ("/FlateDecode", "/Fl"):
            data = _inflate_all(data, budget)
        elif name in ("/ASCII85Decode", "/A85"):
            data = _ascii85(data)
        elif name in ("/ASCIIHexDecode", "/AHx"):
            data = _ascii_hex(data)
        elif name in _IMAGE_FILTERS or name == "/Crypt":
            return len(data)
        else:
            # LZW, run length: decoded by qpdf; bound its output by the worst-case ratio.
            rest = len(data) * _UNBOUNDED_RATIO ** (len(filters) - position)
            if rest > budget:
                raise _too_complex()
            return rest
    return len(data)


def _content_streams(pdf: Any) -> set[tuple[int, int]]:
    """Page content streams: drawing operators, which cannot start an action."""
    import pikepdf

    found: set[tuple[int, int]] = set()
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        items = contents if isinstance(contents, pikepdf.Array) else [contents]
        for item in items:
            if isinstance(item, pikepdf.Stream) and item.is_indirect:
                found.add(item.objgen)
    return found


def _font_programs(pdf: Any) -> set[tuple[int, int]]:
    import pikepdf

    found: set[tuple[int, int]] = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.FontDescriptor:
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                program = obj.get(key)
                if isinstance(program, pikepdf.Stream) and program.is_indirect:
                    found.add(program.objgen)
    return found


def _searched(stream: Any, objgen: tuple[int, int], opaque: set[tuple[int, int]]) -> bool:
    import pikepdf

    if objgen in opaque:
        return False
    subtype = stream.get("/Subtype")
    kind = stream.get("/Type")
    if subtype in (pikepdf.Name.Image, pikepdf.Name.Form):
        return False  # pixels; a form XObject is drawing operators like page content
    if kind == pikepdf.Name.XRef:
        return False  # binary offsets
    return not ("/Length1" in stream or "/Length2" in stream)  # a font program


# --- 1. objects ---------------------------------------------------------------------------------
def _walk(obj: Any, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """``obj`` and every direct object inside it (indirect ones are walked from pdf.objects)."""
    import pikepdf

    stack = [obj]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
            children = list(item.values())
        elif isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            continue
        for child in children:
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
                if child.is_indirect:
                    continue
                stack.append(child)
            else:
                stack.append(child)


def _active_name(obj: Any) -> str | None:
    import pikepdf

    if isinstance(obj, pikepdf.Name):
        return ACTIVE_NAMES.get(str(obj))
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key in obj.keys():
            if key in ACTIVE_NAMES:
                return ACTIVE_NAMES[key]
    return None


def _auto_actions(obj: Any) -> Iterator[Any]:
    """Actions that fire without a click: the catalog's /OpenAction and every /AA entry (a page,
    an annotation, a form field, the document), with their /Next chains."""
    import pikepdf

    if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return
    pending: list[Any] = []
    if "/OpenAction" in obj:
        pending.append(obj.get("/OpenAction"))
    additional = obj.get("/AA")
    if isinstance(additional, pikepdf.Dictionary):
        pending.extend(additional.values())
    elif additional is not None:
        pending.append(additional)
    seen: set[int] = set()
    while pending:
        action = pending.pop()
        if id(action) in seen or len(seen) > 1000:
            continue
        seen.add(id(action))
        if isinstance(action, pikepdf.Array):
            if action and isinstance(action[0], pikepdf.Dictionary) and "/S" in action[0]:
                pending.extend(action)  # an array of actions (a /Next list)
            # else: an explicit destination inside this file, [page /XYZ ...]
            continue
        if not isinstance(action, pikepdf.Dictionary):
            continue
        yield action
        chained = action.get("/Next")
        if chained is not None:
            pending.append(chained)


def _action_refusal(action: Any) -> str | None:
    import pikepdf

    kind = action.get("/S")
    if kind == pikepdf.Name.GoTo:
        return None
    shown = str(kind)[1:] if isinstance(kind, pikepdf.Name) else "未知"
    return f"含有自动执行的动作（{shown}）"


def check_pdf(data: bytes) -> None:
    """Refuse ``data`` (a whole PDF) if it is damaged where readers disagree, or active."""
    import pikepdf

    if not data.startswith(b"%PDF-"):
        raise ValidationError("文件不是有效的 PDF 文档。", code="pdf_invalid")
    for part in _outside_streams(data):
        reason = _active_in_bytes(part)
        if reason is not None:
            raise _refuse(reason)
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise _refuse(ACTIVE_NAMES["/Encrypt"]) from None
    except (pikepdf.PdfError, ValueError, RuntimeError):
        raise _invalid("qpdf could not open it") from None
    with pdf:
        if pdf.is_encrypted:
            raise _refuse(ACTIVE_NAMES["/Encrypt"])
        try:
            _check_objects(pdf)
        except (pikepdf.PdfError, RuntimeError, ValueError):
            raise _invalid("qpdf could not read an object") from None


def _check_objects(pdf: Any) -> None:
    import pikepdf

    trailer = pdf.trailer
    for item in _walk(trailer, set()):
        reason = _active_name(item)
        if reason is not None:
            raise _refuse(reason)
    objects = list(pdf.objects)
    opaque = _content_streams(pdf) | _font_programs(pdf)
    budget = INFLATE_BUDGET
    for obj in objects:
        for item in _walk(obj, set()):
            reason = _active_name(item)
            if reason is not None:
                raise _refuse(reason)
            for action in _auto_actions(item):
                refusal = _action_refusal(action)
                if refusal is not None:
                    raise _refuse(refusal)
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters = _filters(obj)
        before = len(pdf.get_warnings())
        size = _decoded_size_checked(obj, filters, budget)
        budget -= size
        if any(name in _IMAGE_FILTERS for name in filters):
            decoded = b""
        else:
            decoded = bytes(obj.read_bytes())
        # qpdf warns where it repaired: a length that missed endstream, data it had to guess.
        if len(pdf.get_warnings()) != before:
            raise _invalid("; ".join(pdf.get_warnings()[before:]))
        if _searched(obj, obj.objgen, opaque):
            reason = _active_in_bytes(decoded)
            if reason is not None:
                raise _refuse(reason)
