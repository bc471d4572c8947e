"""Chinese line-break rules in generated PDFs: no line of a receipt or document starts with a
comma, a full stop or another mark that GB/T 15834 keeps at the end of the previous line."""

from __future__ import annotations

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from shoulian.documents.fonts import CANNOT_START_LINE_ZH, SANS, register_fonts

TEXT = "人称其于今日上午在某某小区门口被盗电动车一辆，价值约三千元。请求公安机关依法处理，谢谢！"


def _lines(paragraph: Paragraph) -> list[str]:
    out = []
    for line in paragraph.blPara.lines:
        if isinstance(line, tuple):  # plain text: (extra space, [text])
            out.append("".join(line[1]))
        else:  # text with markup: fragments
            out.append("".join(str(getattr(w, "text", w)) for w in line.words))
    return out


@pytest.mark.parametrize("markup", ["", "<b>报案</b>"])
def test_no_line_starts_with_chinese_punctuation_at_any_width(markup: str) -> None:
    register_fonts()
    style = ParagraphStyle("t", fontName=SANS, fontSize=10, leading=14, wordWrap="CJK")
    starts = []
    for width in range(60, 400, 2):
        paragraph = Paragraph(markup + TEXT, style)
        paragraph.wrap(width, 1000)
        lines = _lines(paragraph)
        assert "".join(lines).endswith(TEXT)  # nothing lost or duplicated by the rule
        starts += [(width, line) for line in lines[1:] if line and line[0] in CANNOT_START_LINE_ZH]
    assert starts == []
