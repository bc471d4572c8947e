"""The official-document layout (GB/T 9704-2012, DOMAIN §8): the PDF read back with poppler
(page size, the type area's edges, embedded fonts, red head, page numbers at the outer edge), the
DOCX read back with python-docx (page, margins, the customary fonts named, the PAGE fields)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Pt

from shoulian.conftest import ARTIFACTS
from shoulian.documents import official
from shoulian.documents.fonts import CANNOT_START_LINE_ZH, kai_font_path
from shoulian.documents.tests import samples

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm) not installed",
)

MM = 72 / 25.4
LEFT, RIGHT = 28 * MM, (210 - 26) * MM
TOP, BOTTOM = 37 * MM, (297 - 35) * MM


def _run(*command: str) -> str:
    # Fixed poppler commands on our own files.
    return subprocess.run(  # noqa: S603
        list(command), check=True, capture_output=True, text=True, timeout=60
    ).stdout


@pytest.fixture(scope="module")
def bulletin_pdf(tmp_path_factory: Any) -> Path:
    if not kai_font_path().is_file():
        # A fresh developer machine has no Debian fonts; CI installs the package (.ci/run).
        pytest.skip(
            f"楷体 stand-in not found at {kai_font_path()}: apt-get install fonts-arphic-ukai"
        )
    path = tmp_path_factory.mktemp("official") / "bulletin.pdf"
    path.write_bytes(official.render_pdf(samples.bulletin()))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "documents-official-bulletin.pdf").write_bytes(path.read_bytes())
    return path


def _lines(path: Path) -> list[dict[str, Any]]:
    """Every text line of the PDF with its page and box (points, origin top left)."""
    xml = _run("pdftotext", "-bbox-layout", str(path), "-")
    xml = re.sub(r'\sxmlns="[^"]+"', "", xml, count=1)
    root = ElementTree.fromstring(xml)  # noqa: S314 - poppler's output for our own file
    out = []
    for number, page in enumerate(root.iter("page"), start=1):
        for line in page.iter("line"):
            text = "".join(w.text or "" for w in line.iter("word"))
            box = {k: float(line.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")}
            out.append({"page": number, "text": text, **box})
    return out


@needs_poppler
def test_pdf_is_a4_on_the_type_area_of_gb_t_9704(bulletin_pdf: Path) -> None:
    info = _run("pdfinfo", str(bulletin_pdf))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2  # type: ignore[union-attr]
    lines = _lines(bulletin_pdf)
    body = [line for line in lines if not line["text"].startswith("—")]
    assert body
    # Nothing but the page number leaves the 156 × 225 mm type area, except a closing mark
    # hanging at the end of a full line (标点悬挂: it may not start the next line).
    assert all(line["xMin"] >= LEFT - 1 for line in body)
    over = [line for line in body if line["xMax"] > RIGHT + 1]
    assert all(
        line["text"][-1] in CANNOT_START_LINE_ZH and line["xMax"] <= RIGHT + 16 for line in over
    ), over
    assert all(line["yMin"] >= TOP - 1 and line["yMax"] <= BOTTOM + 1 for line in body)
    # A flush line (the 主送机关) starts on the left margin; an indented paragraph two
    # characters (2 × 3号 = 32 pt) to the right of it.
    recipients = next(line for line in body if line["text"].startswith("各派出所"))
    assert abs(recipients["xMin"] - LEFT) < 1.5
    intro = next(line for line in body if line["text"].startswith("为落实"))
    assert abs(intro["xMin"] - LEFT - 32) < 1.5
    # The title is centred on the type area.
    title = next(line for line in body if line["text"].startswith("关于2026年11月"))
    assert abs((title["xMin"] + title["xMax"]) / 2 - (LEFT + RIGHT) / 2) < 3


@needs_poppler
def test_pdf_head_number_headings_and_foot_read_in_order(bulletin_pdf: Path) -> None:
    text = "".join(_run("pdftotext", str(bulletin_pdf), "-").split())
    expected = [
        "受立案巡查监督通报",
        "第12期",
        "沙县公安分局受立案管理中心",
        "2026年12月7日",
        "沙公受〔2026〕12号",
        "关于2026年11月受立案巡查监督情况的通报",
        "各派出所，刑侦大队，治安大队，经侦大队：",
        "一、总体情况",
        "表1各单位巡查发现及整改情况",
        "二、存在的问题",
        "（一）受案登记不及时",
        "（二）立案审查超期",
        "1.刑事案件立案审查超过七日未作决定。",
        "2.不予立案通知书未在三日内送达报案人。",
        "三、工作要求",
        "抄送：局领导，法制大队，纪检监察室。",
        "2026年12月7日印发",
    ]
    positions = [text.find(part) for part in expected]
    assert all(p >= 0 for p in positions), dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)


@needs_poppler
def test_pdf_embeds_the_open_stand_ins_for_the_customary_fonts(bulletin_pdf: Path) -> None:
    fonts = _run("pdffonts", str(bulletin_pdf)).splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in fonts}
    # 仿宋/宋体 → Noto Serif SC, 小标宋 → its bold, 黑体 → Noto Sans SC bold, 楷体 → AR PL UKai.
    assert names == {"NotoSerifSC-Regular", "NotoSerifSC-Bold", "NotoSansSC-Bold", "UKaiCN-0"}
    assert all(" yes yes " in line for line in fonts), fonts  # embedded subsets, none missing


@needs_poppler
def test_page_numbers_sit_at_the_outer_bottom_edge(bulletin_pdf: Path) -> None:
    numbers = [line for line in _lines(bulletin_pdf) if line["text"].startswith("—")]
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(bulletin_pdf))).group(1))  # type: ignore[union-attr]
    assert [line["page"] for line in numbers] == list(range(1, pages + 1))
    for line in numbers:
        assert line["text"] == f"—{line['page']}—"
        assert line["yMin"] > BOTTOM + 5 * MM  # under the type area, about 7 mm below it
        if line["page"] % 2:  # odd: right, one 4号 character in from the edge
            assert abs(line["xMax"] - (RIGHT - 14)) < 3
        else:
            assert abs(line["xMin"] - (LEFT + 14)) < 3


@needs_poppler
def test_rasterised_head_is_red_and_the_body_black(bulletin_pdf: Path, tmp_path: Path) -> None:
    from PIL import Image

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / "documents-official-bulletin"
    _run("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(bulletin_pdf), str(prefix))
    page = Image.open(next(ARTIFACTS.glob("documents-official-bulletin-*1.png"))).convert("RGB")
    width, height = page.size

    def pixels(box: tuple[int, int, int, int]) -> list[tuple[int, ...]]:
        data = page.crop(box).tobytes()
        return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]

    def red(box: tuple[int, int, int, int]) -> int:
        return sum(1 for r, g, b in pixels(box) if r > 180 and g < 90 and b < 90)

    def dark(box: tuple[int, int, int, int]) -> int:
        return sum(1 for r, g, b in pixels(box) if r < 100 and g < 100 and b < 100)

    head = (0, 0, width, int(height * 0.25))
    body = (0, int(height * 0.4), width, int(height * 0.85))
    assert red(head) > 500 and dark(body) > 500
    assert red(body) == 0


def test_headings_are_numbered_by_depth() -> None:
    assert [official.heading_label(1, n) for n in (1, 2, 10, 11, 20, 23)] == [
        "一、",
        "二、",
        "十、",
        "十一、",
        "二十、",
        "二十三、",
    ]
    assert official.heading_label(2, 3) == "（三）"
    assert official.heading_label(3, 12) == "12."
    assert official.heading_label(4, 2) == "（2）"


def test_dates_and_page_labels_follow_the_standard() -> None:
    import datetime as dt

    assert official.document_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert official.page_label(3) == "— 3 —"


def _docx(document: official.OfficialDocument) -> Any:
    return open_docx(io.BytesIO(official.render_docx(document)))


def _east_asian(run: Any) -> str | None:
    fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_docx_page_is_a4_with_the_standard_margins() -> None:
    section = _docx(samples.bulletin()).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


def test_docx_names_the_customary_fonts_where_the_standard_puts_them() -> None:
    doc = _docx(samples.bulletin())
    runs = {p.text: p.runs[0] for p in doc.paragraphs if p.runs}
    head = runs["受立案巡查监督通报"]
    assert _east_asian(head) == "方正小标宋简体" and str(head.font.color.rgb) == "FF0000"
    title = runs["关于2026年11月受立案巡查监督情况的通报"]
    assert _east_asian(title) == "方正小标宋简体" and title.font.size == Pt(22)
    assert _east_asian(runs["一、总体情况"]) == "黑体"
    assert _east_asian(runs["（一）受案登记不及时"]) == "楷体_GB2312"
    assert _east_asian(runs["1.刑事案件立案审查超过七日未作决定。"]) == "仿宋_GB2312"
    body = next(r for t, r in runs.items() if t.startswith("为落实"))
    assert _east_asian(body) == "仿宋_GB2312" and body.font.size == Pt(16)
    assert "沙公受〔2026〕12号" in runs and "第12期" in runs
    assert "抄送：局领导，法制大队，纪检监察室。" in runs
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert cells[:4] == ["单位", "接报警情", "巡查发现", "已整改"]
    assert len(doc.inline_shapes) == 1  # the chart


def test_docx_numbers_pages_on_odd_and_even_footers() -> None:
    doc = _docx(samples.bulletin())
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer.paragraphs[0]._p.xml
        assert 'w:instr="PAGE"' in xml and "— " in xml and " —" in xml
        assert f'w:val="{alignment}"' in xml or (alignment == "left" and "w:jc" not in xml)
        assert 'w:eastAsia="宋体"' in xml


def test_letter_under_the_organs_mark_carries_its_number_and_signature() -> None:
    doc = _docx(samples.letter())
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("沙县公安分局受立案管理中心") < texts.index("沙公受〔2026〕3号")
    assert texts.index("沙公受〔2026〕3号") < texts.index("关于报送受立案整改情况的函")
    assert "城关派出所：" in texts and "2026年1月5日" in texts
    assert texts.count("沙县公安分局受立案管理中心") == 2  # the mark and the signature


def test_docx_rules_keep_the_schemas_order_of_paragraph_properties() -> None:
    doc = _docx(samples.bulletin())
    ruled = [
        p
        for p in doc.paragraphs
        if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert len(ruled) >= 3  # under the head, around the 版记
    later = {qn(tag) for tag in official._AFTER_PBDR}
    for paragraph in ruled:
        tags = [child.tag for child in paragraph._p.pPr]
        position = tags.index(qn("w:pBdr"))
        assert not later & set(tags[:position]), tags
