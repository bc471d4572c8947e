"""The five documents render Chinese: PDFs embed the CJK font (rasterised with pdftoppm into
test-artifacts/ for a person to look at), DOCX runs name an East Asian font; downloads are
authorised, journalled and never cached (F4)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import ARTIFACTS, login_as
from shoulian.workflow.choices import Action, DecisionKind, DocumentKind
from shoulian.workflow.documents import render_docx, render_pdf
from shoulian.workflow.models import Document
from shoulian.workflow.tests.helpers import act, approve, handling, propose

pytestmark = pytest.mark.django_db

TITLES: dict[str, str] = {
    DocumentKind.ADMIN_ACCEPT_FORM: "受案登记表",
    DocumentKind.FILING_DECISION: "立案决定书",
    DocumentKind.NON_FILING_NOTICE: "不予立案通知书",
    DocumentKind.TRANSFER_NOTICE: "移送案件通知书",
    DocumentKind.NON_INVESTIGATION_NOTICE: "不予调查处理告知书",
}


@pytest.fixture
def documents(clerk: Any, officer: Any, leader: Any, bureau_head: Any) -> dict[str, Document]:
    """One issued document of each kind."""
    plans = [
        (
            "0201",
            DecisionKind.ADMIN_ACCEPT,
            {"legal_basis": "《中华人民共和国治安管理处罚法》第七十七条"},
        ),
        ("0103", DecisionKind.CRIMINAL_FILE, {}),
        ("0103", DecisionKind.NOT_FILE, {"facts": "经查，车辆系报案人亲属借用，没有犯罪事实。"}),
        (
            "0201",
            DecisionKind.TRANSFER_OUT,
            {
                "authority": "某区市场监督管理局",
                "legal_basis": "《公安机关办理行政案件程序规定》第六十一条",
            },
        ),
        (
            "0306",
            DecisionKind.NOT_POLICE,
            {
                "authority": "县消费者权益保护委员会",
                "legal_basis": "《公安机关办理行政案件程序规定》第六十一条",
            },
        ),
    ]
    found = {}
    for code, kind, extra in plans:
        alert = handling(clerk, officer, category_code=code)
        decision = propose(officer, alert, kind, **extra)
        approve(leader, decision)
        if kind in (DecisionKind.CRIMINAL_FILE, DecisionKind.NOT_FILE):
            approve(bureau_head, decision)
        document = Document.objects.get(decision=decision)
        found[document.kind] = document
    return found


def test_each_decision_issues_its_document_with_the_title(documents: dict[str, Document]) -> None:
    assert {kind: d.content["title"] for kind, d in documents.items()} == TITLES


def test_pdfs_embed_the_chinese_font(documents: dict[str, Document]) -> None:
    for document in documents.values():
        pdf = render_pdf.render(document)
        assert pdf.startswith(b"%PDF")
        # A subset of the TrueType face is embedded: the PDF names it and carries its program.
        assert b"NotoSansSC" in pdf and b"/FontFile2" in pdf


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"
)
def test_pdfs_rasterise_for_a_person_to_look_at(documents: dict[str, Document]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind, document in documents.items():
        path = ARTIFACTS / f"workflow-{kind}.pdf"
        path.write_bytes(render_pdf.render(document))
        command = ["pdftoppm", "-png", "-r", "60", "-singlefile", str(path)]
        # Fixed poppler command on our own file.
        subprocess.run([*command, str(path.with_suffix(""))], check=True, timeout=60)  # noqa: S603, S607
        assert path.with_suffix(".png").stat().st_size > 5000


def _document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def test_docx_carries_the_chinese_text_and_names_an_east_asian_font(
    documents: dict[str, Document],
) -> None:
    for kind, document in documents.items():
        xml = _document_xml(render_docx.render(document))
        assert TITLES[kind] in xml
        assert document.number in xml
        assert 'w:eastAsia="仿宋"' in xml and 'w:eastAsia="宋体"' in xml
        assert "甲县公安局" in xml
    notice = _document_xml(render_docx.render(documents[DocumentKind.NON_FILING_NOTICE]))
    assert "王小明：" in notice and "七日以内" in notice
    transfer = _document_xml(render_docx.render(documents[DocumentKind.TRANSFER_NOTICE]))
    assert "购车发票" in transfer and "某区市场监督管理局" in transfer


def test_the_addressee_name_is_not_copied_into_the_document_row(
    documents: dict[str, Document],
) -> None:
    for document in documents.values():
        assert "王小明" not in str(document.content)


def test_download_is_an_audited_attachment_never_cached(
    documents: dict[str, Document], officer: Any
) -> None:
    document = documents[DocumentKind.FILING_DECISION]
    client = login_as(Client(), officer)
    before = AuditEvent.objects.filter(event_type=EventType.DOCUMENT_PRINTED).count()
    for fmt, mime in (("pdf", "application/pdf"), ("docx", "application/vnd.openxmlformats")):
        response = client.get(reverse("workflow:document", kwargs={"pk": document.pk, "fmt": fmt}))
        assert response.status_code == 200
        assert response["Content-Type"].startswith(mime)
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    printed = AuditEvent.objects.filter(event_type=EventType.DOCUMENT_PRINTED).order_by("id")
    assert printed.count() == before + 2
    last = printed.last()
    assert last is not None and last.data["document"] == document.number


def test_outsider_gets_404_for_a_document(documents: dict[str, Document], outsider: Any) -> None:
    document = documents[DocumentKind.FILING_DECISION]
    client = login_as(Client(), outsider)
    response = client.get(reverse("workflow:document", kwargs={"pk": document.pk, "fmt": "pdf"}))
    assert response.status_code == 404


def test_unknown_format_is_404(documents: dict[str, Document], officer: Any) -> None:
    document = documents[DocumentKind.FILING_DECISION]
    response = login_as(Client(), officer).get(
        reverse("workflow:document", kwargs={"pk": document.pk, "fmt": "html"})
    )
    assert response.status_code == 404


def test_serving_the_notice_is_recorded_on_the_decision(
    documents: dict[str, Document], officer: Any
) -> None:
    notice = documents[DocumentKind.NON_FILING_NOTICE]
    act(officer, notice.alert, Action.SERVE_NOTICE, method="letter")
    decision = notice.decision
    assert decision is not None
    decision.refresh_from_db()
    assert decision.notice_method == "letter" and decision.notice_served_at
