"""The pages: who sees which card and ranking, the XLSX export, the 考核办法 page, accountability."""

from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shoulian.assessment.choices import ChallengeStatus, ReferralStatus, SchemeStatus, Subject
from shoulian.assessment.models import Challenge, Referral, Scheme, ScoreEntry
from shoulian.assessment.services import interview_record, referral_make
from shoulian.assessment.tests.helpers import neglected_alert, patrol_and_score
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.supervision.models import Finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(bureau_a: Any, clerk: Any, officer: Any) -> Any:
    neglected_alert(clerk, officer)
    neglected_alert(clerk, officer, days=2, receipt=False)
    patrol_and_score(bureau_a.bureau)
    return bureau_a


def test_an_officer_sees_their_own_card_and_their_units_rank_and_nothing_of_colleagues(
    scored: Any, client_for: Any, officer: Any, officer2: Any
) -> None:
    client = client_for(officer)
    page = client.get(reverse("assessment:overview")).content.decode()
    assert "本人得分" in page and "本单位排第" in page
    assert client.get(reverse("assessment:officer", args=[officer.pk])).status_code == 200
    # A colleague's card, another unit's card and the rankings are not theirs.
    assert client.get(reverse("assessment:officer", args=[officer2.pk])).status_code == 404
    assert client.get(reverse("assessment:unit", args=[scored.station2.pk])).status_code == 404
    assert client.get(reverse("assessment:rankings")).status_code == 403
    assert client.get(reverse("assessment:export")).status_code == 403
    # The colleague sees none of the officer's entries.
    entry = ScoreEntry.objects.filter(officer=officer).first()
    assert entry is not None
    other = client_for(officer2)
    assert other.get(reverse("assessment:entry", args=[entry.pk])).status_code == 404


def test_a_leader_opens_the_units_officers_cards_but_not_another_units(
    scored: Any, client_for: Any, leader: Any, officer: Any, outsider: Any
) -> None:
    client = client_for(leader)
    assert client.get(reverse("assessment:officer", args=[officer.pk])).status_code == 200
    assert client.get(reverse("assessment:unit", args=[scored.station.pk])).status_code == 200
    assert client.get(reverse("assessment:unit", args=[scored.station2.pk])).status_code == 404
    assert (
        client_for(outsider).get(reverse("assessment:officer", args=[officer.pk])).status_code
        == 404
    )


def test_the_administrator_sees_no_scores(scored: Any, client_for: Any, admin_user: Any) -> None:
    client = client_for(admin_user)
    assert client.get(reverse("assessment:overview")).status_code == 403
    assert client.get(reverse("assessment:schemes")).status_code == 403


def _page_scores(html: str, table: str) -> list[tuple[str, Decimal]]:
    body = html.split(f'data-testid="{table}"')[1].split("</table>")[0]
    rows = re.findall(r"<a [^>]*>([^<]+)</a></td>.*?<td data-score>([\d.]+)</td>", body, re.S)
    return [(name, Decimal(score)) for name, score in rows]


def test_the_xlsx_export_has_the_pages_figures_and_is_journalled(
    scored: Any, client_for: Any, legal: Any, officer: Any
) -> None:
    client = client_for(legal)
    html = client.get(reverse("assessment:rankings")).content.decode()
    units, officers = _page_scores(html, "unit-ranking"), _page_scores(html, "officer-ranking")
    assert units and officers
    assert any(score < 100 for _, score in units)
    response = client.get(reverse("assessment:export"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = {}
    for name in ("单位排名", "民警排名"):
        rows = list(book[name].iter_rows(min_row=3, values_only=True))
        sheets[name] = [(row[1], Decimal(str(row[3]))) for row in rows]
    assert sheets["单位排名"] == units and sheets["民警排名"] == officers
    assert sum(s for _, s in sheets["单位排名"]) == sum(s for _, s in units)
    assert AuditEvent.objects.filter(event_type=EventType.DATA_EXPORTED).count() == 1


def test_a_challenge_through_the_pages_and_its_answer(
    scored: Any, client_for: Any, officer: Any, legal: Any, head: Any
) -> None:
    entry = ScoreEntry.objects.filter(officer=officer, subject=Subject.OFFICER).first()
    assert entry is not None
    url = reverse("assessment:entry", args=[entry.pk])
    client = client_for(officer)
    assert "提出申诉" in client.get(url).content.decode()
    response = client.post(url, {"action": "challenge", "reason": "短"})
    assert response.status_code == 400 and not Challenge.objects.exists()
    client.post(url, {"action": "challenge", "reason": "已报请延长期限，不应扣分。"})
    challenge = Challenge.objects.get()
    # The center head reads it but cannot answer; the legal brigade does.
    assert "答复申诉" not in client_for(head).get(url).content.decode()
    assert (
        client_for(head)
        .post(url, {"action": "answer", "decision": "upheld", "answer": "同意"})
        .status_code
        == 403
    )
    client_for(legal).post(
        url, {"action": "answer", "decision": "upheld", "answer": "经核实成立。"}
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.UPHELD


def test_the_legal_brigade_drafts_a_version_on_the_page_and_others_cannot(
    scored: Any, client_for: Any, legal: Any, leader: Any
) -> None:
    url = reverse("assessment:scheme_new")
    assert client_for(leader).get(url).status_code == 403
    client = client_for(legal)
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(document_number="沙公法〔2026〕9号", change_reason="调整分值",
                effective_from="2026-06-01", **{"overdue_node__criminal_filing_review__officer": "4"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = Scheme.objects.get(status=SchemeStatus.DRAFT)
    assert draft.item("overdue_node", "criminal_filing_review")["officer"] == "4"  # type: ignore[index]
    page = client.get(reverse("assessment:scheme", args=[draft.pk])).content.decode()
    assert "试算" in page and 'data-testid="replay-count">1<' in page
    assert (
        client_for(leader).post(reverse("assessment:scheme_publish", args=[draft.pk])).status_code
        == 403
    )
    client.post(reverse("assessment:scheme_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == SchemeStatus.PUBLISHED


def test_an_interview_record_prints_as_docx_and_pdf(
    scored: Any, client_for: Any, legal: Any, officer: Any, leader: Any
) -> None:
    finding = Finding.objects.filter(officer=officer).first()
    assert finding is not None
    interview = interview_record(
        actor=legal, interviewee=leader, held_at=timezone.now(), place="法制大队会议室",
        reason="所队立案审查多次超期。", outcome="限期整改，每周报告。", finding_ids=[finding.pk],
    )  # fmt: skip
    assert interview.number.endswith("1号") and "考约" in interview.number
    client = client_for(legal)
    pdf = client.get(reverse("assessment:interview_document", args=[interview.pk, "pdf"]))
    docx = client.get(reverse("assessment:interview_document", args=[interview.pk, "docx"]))
    assert pdf.content.startswith(b"%PDF") and docx.content.startswith(b"PK")
    assert AuditEvent.objects.filter(event_type=EventType.DOCUMENT_PRINTED).count() == 2
    # The leader interviewed does not read the accountability pages.
    assert (
        client_for(leader).get(reverse("assessment:interview", args=[interview.pk])).status_code
        == 403
    )


def test_a_referral_reaches_the_inspector_with_its_evidence_and_only_the_inspector_concludes(
    scored: Any, client_for: Any, legal: Any, inspector: Any, officer: Any
) -> None:
    finding = Finding.objects.filter(officer=officer).first()
    assert finding is not None
    referral = referral_make(
        actor=legal, unit=officer.unit, officer=officer, reason="逾期不整改造成严重后果。",
        finding_ids=[finding.pk],
    )  # fmt: skip
    url = reverse("assessment:referral", args=[referral.pk])
    legal_client, inspector_client = client_for(legal), client_for(inspector)
    assert (
        legal_client.get(reverse("assessment:referral_bundle", args=[referral.pk])).status_code
        == 403
    )
    assert legal_client.post(url, {"outcome": "x", "version": 1}).status_code == 403
    bundle = inspector_client.get(reverse("assessment:referral_bundle", args=[referral.pk]))
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        names = set(archive.namelist())
        history = json.loads(archive.read("findings.json"))
    assert {"referral.pdf", "findings.json", "README.txt"} <= names
    assert history[0]["id"] == finding.pk and "rectifications" in history[0]
    inspector_client.post(url, {"outcome": "给予诫勉谈话。", "version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CONCLUDED and referral.outcome_by == inspector
    assert Referral.objects.count() == 1


def test_who_cannot_record_an_interview_refer_or_start_a_scoring_run(
    scored: Any, client_for: Any, leader: Any, head: Any, inspector: Any, officer: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    finding = Finding.objects.filter(officer=officer).first()
    assert finding is not None
    for user in (leader, inspector):
        with pytest.raises(PermissionDenied):
            interview_record(
                actor=user, interviewee=officer, held_at=timezone.now(), place="会议室",
                reason="事由", outcome="情况", finding_ids=[finding.pk],
            )  # fmt: skip
    for user in (head, leader, inspector):
        with pytest.raises(PermissionDenied):
            referral_make(actor=user, unit=officer.unit, officer=None, reason="理由",
                          finding_ids=[finding.pk])  # fmt: skip
    assert client_for(head).post(reverse("assessment:run")).status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.SCORE_RUN, actor_id=head.pk).exists()


def test_the_rankings_and_card_pages_query_counts_do_not_grow_with_the_ledger(
    scored: Any, client_for: Any, legal: Any, clerk: Any, officer: Any,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    client = client_for(legal)
    card = reverse("assessment:unit", args=[scored.station.pk])
    client.get(reverse("assessment:rankings"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("assessment:rankings"))
    with django_assert_max_num_queries(40) as card_before:
        client.get(card)
    for days in (6, 7, 8):
        neglected_alert(clerk, officer, days=days, receipt=False)
    patrol_and_score(scored.bureau)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("assessment:rankings"))
    with django_assert_max_num_queries(len(card_before.captured_queries)):
        client.get(card)
