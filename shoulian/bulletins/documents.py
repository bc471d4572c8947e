"""A bulletin as an official document (公文, ``shoulian.documents.official``): the 周汇总 under the
center's periodical head, the 月通报 as 受立案巡查监督通报 第 N 期 with its 文号 and 签发人.

Everything printed comes from the bulletin's row: its stored figures (``stats.Figures``), the text
the center and the legal brigade wrote, and the masked cases. The same row gives the same text
(``document_text``), whose SHA-256 the issue journals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from shoulian.bulletins import charts
from shoulian.bulletins.choices import BulletinKind
from shoulian.bulletins.models import Bulletin
from shoulian.bulletins.stats import Figures
from shoulian.deadlines.versions import legal_date
from shoulian.documents.numbering import periodical_issue
from shoulian.documents.official import (
    Block,
    ImageBlock,
    OfficialDocument,
    Periodical,
    Section,
    TableBlock,
    render_docx,
    render_pdf,
)
from shoulian.org.selectors import center_of

PERIODICAL = "受立案巡查监督通报"
WEEKLY_PERIODICAL = "受立案巡查监督周汇总"
RECIPIENTS = ("各派出所", "各相关所队")
CC = ("局领导", "法制大队", "纪检监察室")


def overview(f: Figures) -> list[Block]:
    """总体情况: the article's sentence, then the figures as a table."""
    rows = [
        ["项目", "数量"],
        ["接报警情（件）", str(f.alerts)],
        ["其中违法犯罪类警情（件）", str(f.offence_alerts)],
        ["派出所上门报警警情（件）", str(f.station_walk_in)],
        ["新发现问题（个）", str(f.findings_opened)],
        ["整改销号（个）", str(f.rectified)],
        ["逾期未整改（个，截至期末）", str(f.overdue)],
        ["回访（件）/满意率", f"{f.follow_ups} / {f.satisfaction_rate}"],
    ]
    return [f.sentence, TableBlock(rows=rows, widths=[3, 1.2], caption="表1 主要数据")]


def reviews(f: Figures) -> list[Block]:
    """三级巡查评查: reviews at each level, AV records, guidance."""
    levels = "、".join(f"{r.label}{r.count}件" for r in f.reviews_by_level)
    rows = [["层级", "巡查评查（件）"]] + [[r.label, str(r.count)] for r in f.reviews_by_level]
    rows.append(["合计", str(f.reviews)])
    return [
        f"本期三级巡查评查警情{f.reviews}件（{levels}），发现问题{f.reviews_with_problem}件；"
        f"审查现场处警视音频资料{f.av_reviewed}件，发现问题{f.av_problems}件；"
        f"法制大队精准指导{f.guidance}件。",
        TableBlock(rows=rows, widths=[3, 1.2], caption="表2 三级巡查评查"),
    ]


def _chart(draw: Any, f: Figures, images: bool) -> bytes | None:
    """A chart's PNG, or an empty stand-in when only the words are wanted (hashing, the page):
    the caption and the place stay, so the text is the same either way."""
    if not images:
        return b"" if (f.by_unit if draw is charts.alerts_by_unit else f.by_rule) else None
    return draw(f)  # type: ignore[no-any-return]


def channels(f: Figures, images: bool = True) -> list[Block]:
    if not f.by_channel:
        return ["本期无接报警情。"]
    rows = [["报警方式", "警情（件）"]] + [[r.label, str(r.count)] for r in f.by_channel]
    blocks: list[Block] = [TableBlock(rows=rows, widths=[3, 1.2], caption="表3 警情来源")]
    picture = _chart(charts.alerts_by_unit, f, images)
    if picture is not None:
        blocks.append(ImageBlock(data=picture, width_mm=140, caption="图1 各单位办理警情数"))
    return blocks


def findings(f: Figures, images: bool = True) -> list[Block]:
    if not f.by_rule:
        return ["本期巡查未发现新问题。"]
    rows = [["巡查规则", "红色", "橙色", "黄色", "合计"]] + [
        [r.name, str(r.red), str(r.orange), str(r.yellow), str(r.total)] for r in f.by_rule
    ]
    rows.append(["合计", *(str(r.count) for r in f.by_level), str(f.findings_opened)])
    blocks: list[Block] = [
        f"本期巡查发现问题{f.findings_opened}个，整改销号{f.rectified}个，"
        f"截至期末逾期未整改{f.overdue}个。",
        TableBlock(rows=rows, widths=[4, 1, 1, 1, 1], caption="表4 巡查发现（按规则和等级）"),
    ]
    picture = _chart(charts.findings_by_rule, f, images)
    if picture is not None:
        blocks.append(ImageBlock(data=picture, width_mm=140, caption="图2 巡查发现（按规则）"))
    return blocks


def cases(items: Sequence[dict[str, Any]]) -> list[Block]:
    if not items:
        return ["本期无典型案例。"]
    return [Section(str(c.get("title", "")), [str(c.get("text", ""))]) for c in items]


def document(bulletin: Bulletin, *, images: bool = True) -> OfficialDocument:
    """The bulletin as an official document; ``images=False`` leaves the charts undrawn (for the
    text, its hash and the page)."""
    f = Figures.from_data(bulletin.figures)
    body: list[Block] = []
    if bulletin.intro.strip():
        body.append(bulletin.intro.strip())
    body += [
        Section("总体情况", overview(f)),
        Section("三级巡查评查", reviews(f)),
        Section("警情来源和办理单位", channels(f, images)),
        Section("巡查发现和整改", findings(f, images)),
    ]
    weekly = bulletin.kind == BulletinKind.WEEKLY
    if not weekly:
        body.append(Section("典型案例", cases(bulletin.cases)))
    if bulletin.demand_lines:
        body.append(Section("工作要求", list(bulletin.demand_lines)))
    day = legal_date(bulletin.issued_at or bulletin.created_at)
    center = center_of(bulletin.bureau)
    if weekly:
        issue = f.period.label
    else:
        issue = periodical_issue(bulletin.sequence) if bulletin.sequence else "（未编号）"
    return OfficialDocument(
        issuer=center.name if center is not None else bulletin.bureau.name,
        periodical=Periodical(name=WEEKLY_PERIODICAL if weekly else PERIODICAL, issue=issue),
        number=bulletin.number,
        signer=bulletin.signer if bulletin.number else "",
        title=bulletin.title,
        recipients=[] if weekly else list(RECIPIENTS),
        body=body,
        date=day,
        cc=list(CC) if not weekly else ["局领导", "法制大队"],
    )


def _texts(blocks: Sequence[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, str):
            yield block
        elif isinstance(block, Section):
            yield block.heading
            yield from _texts(block.body)
        elif isinstance(block, TableBlock):
            yield block.caption
            for row in block.rows:
                yield "\t".join(row)
        elif isinstance(block, ImageBlock):
            yield block.caption


def document_text(doc: OfficialDocument) -> str:
    """The words of the document, in order (what the reproducibility test and the journal's
    hash compare)."""
    head = [
        doc.issuer,
        doc.periodical.name if doc.periodical else "",
        doc.periodical.issue if doc.periodical else "",
    ]
    head += [doc.number, doc.signer, doc.title, "、".join(doc.recipients)]
    return "\n".join([*head, *_texts(doc.body), doc.date.isoformat(), "、".join(doc.cc)])


def text_sha256(doc: OfficialDocument) -> str:
    return hashlib.sha256(document_text(doc).encode()).hexdigest()


def render(doc: OfficialDocument, fmt: str) -> bytes:
    return render_pdf(doc) if fmt == "pdf" else render_docx(doc)
