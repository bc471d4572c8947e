"""Document numbers (文号): ``沙公（刑）立字〔2026〕00012号``.

One counter row per bureau, document kind and year, allocated by ``shoulian.documents.numbering``
(on ``core.counters``) inside the deciding transaction; the unique constraints on ``Document`` back
it up (R6). The prefix (沙公) is configured per bureau (``BureauSetting``); the
default is the first character of the bureau's short name followed by 公.
"""

from __future__ import annotations

from dataclasses import dataclass

from shoulian.documents import numbering
from shoulian.org.models import Unit
from shoulian.workflow.choices import DocumentKind
from shoulian.workflow.models import BureauSetting, DocumentCounter


@dataclass(frozen=True)
class Spec:
    title: str
    # 字 of the number: 立字, 不立字 …; the tag in brackets names the kind of case.
    word: str
    tag: str


SPECS: dict[str, Spec] = {
    DocumentKind.ADMIN_ACCEPT_FORM: Spec("受案登记表", "受字", "治"),
    DocumentKind.FILING_DECISION: Spec("立案决定书", "立字", "刑"),
    DocumentKind.NON_FILING_NOTICE: Spec("不予立案通知书", "不立字", "刑"),
    DocumentKind.TRANSFER_NOTICE: Spec("移送案件通知书", "移字", "治"),
    DocumentKind.NON_INVESTIGATION_NOTICE: Spec("不予调查处理告知书", "不调字", "治"),
    DocumentKind.CASE_REVOCATION_DECISION: Spec("撤销案件决定书", "撤案字", "刑"),
    DocumentKind.PUNISHMENT_DECISION: Spec("行政处罚决定书", "行罚决字", "治"),
}


def default_prefix(bureau: Unit) -> str:
    return numbering.default_prefix(bureau.short_name or bureau.name)


def prefix_for(bureau: Unit) -> str:
    setting = BureauSetting.objects.filter(bureau=bureau).first()
    return setting.document_prefix if setting else default_prefix(bureau)


def format_number(
    prefix: str, kind: str, year: int, sequence: int, *, tag: str | None = None
) -> str:
    spec = SPECS[kind]
    return numbering.issue_number(
        prefix, year, sequence, word=spec.word, tag=tag or spec.tag, width=5
    )


def next_sequence(bureau: Unit, kind: str, year: int) -> int:
    """The next number; must run inside the deciding transaction."""
    return numbering.next_number(DocumentCounter, bureau=bureau, kind=kind, year=year)
