"""The weekly summary and the monthly bulletin: idempotent summaries, reproducible text, the
approval lifecycle with a "cannot" per step, 第 N 期 without gap or duplicate, the inbox."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.bulletins import documents, services, tasks
from shoulian.bulletins.models import Bulletin
from shoulian.bulletins.stats import Period
from shoulian.bulletins.tests import helpers as h
from shoulian.conftest import make_user
from shoulian.deadlines.versions import legal_date
from shoulian.supervision.models import InboxMessage

TODAY = legal_date(timezone.now())
LAST_MONTH = Period.month_of(TODAY.replace(day=1) - dt.timedelta(days=1))


def _approved(head: Any, legal: Any, month: dt.date) -> Bulletin:
    b = services.bulletin_draft(actor=head, bureau=head.unit.bureau(), month=month)
    b = services.bulletin_transition(
        actor=head, bulletin=b, action="center_approve", expected_version=b.version
    )
    return services.bulletin_transition(
        actor=legal, bulletin=b, action="approve", expected_version=b.version
    )


def _issue(head: Any, b: Bulletin) -> Bulletin:
    return services.bulletin_transition(
        actor=head, bulletin=b, action="issue", expected_version=b.version, signer="张局长"
    )


@pytest.mark.django_db
def test_the_weekly_summary_is_written_once_per_week(bureau_a: Any, bureau_b: Any) -> None:
    monday = timezone.now()
    assert tasks.write_weekly_summaries(now=monday) == 2
    assert tasks.write_weekly_summaries(now=monday) == 2  # run again: nothing new
    rows = Bulletin.objects.filter(kind="weekly")
    assert rows.count() == 2
    summary = rows.get(bureau=bureau_a.bureau)
    assert summary.status == "issued" and summary.sequence is None
    assert summary.period_end - summary.period_start == dt.timedelta(days=7)
    assert AuditEvent.objects.filter(event_type=EventType.WEEKLY_SUMMARY_WRITTEN).count() == 2


@pytest.mark.django_db
def test_the_same_period_gives_the_same_text(
    bureau_a: Any, clerk: Any, head: Any, legal: Any
) -> None:
    h.alert(clerk, code="0103")
    week = h.period_now()
    one = services.weekly_summary_write(bureau=bureau_a.bureau, week=week)
    text = documents.document_text(documents.document(one))
    # Recomputed from the data, the period's document reads word for word the same.
    again = Bulletin(
        bureau=one.bureau, kind=one.kind, period_start=week.start, period_end=week.end,
        year=one.year, title=one.title, intro=one.intro, created_at=one.created_at,
        issued_at=one.issued_at,
        figures=services.figures_for(bureau_a.bureau, week).as_data(),
    )  # fmt: skip
    assert documents.document_text(documents.document(again)) == text
    assert "违法犯罪类警情1件" in text
    assert documents.text_sha256(documents.document(one)) == one.content_sha256
    assert documents.document_text(documents.document(one, images=False)) == text


@pytest.mark.django_db
def test_a_bulletin_is_drafted_approved_and_issued_to_every_unit(
    bureau_a: Any, head: Any, legal: Any, officer: Any, leader: Any, admin_user: Any
) -> None:
    b = _approved(head, legal, LAST_MONTH.start)
    assert b.status == "approved" and b.sequence is None
    b = _issue(head, b)
    year = b.issued_at.astimezone(dt.UTC).year if b.issued_at else 0
    assert b.status == "issued" and b.sequence == 1 and b.issue_label == "第1期"
    assert b.number.endswith(f"〔{b.year}〕1号") and b.year in {year, year + 1}
    assert b.signer == "张局长"
    link = reverse("bulletins:detail", args=[b.pk])
    notices = InboxMessage.objects.filter(link=link, kind="notice")
    recipients = set(notices.values_list("recipient_id", flat=True))
    assert {officer.pk, leader.pk, head.pk, legal.pk} <= recipients
    assert admin_user.pk not in recipients
    issued = AuditEvent.objects.filter(event_type=EventType.BULLETIN_ISSUED).get()
    assert issued.data["sequence"] == 1
    assert issued.data["sha256"] == b.content_sha256


@pytest.mark.django_db
def test_issue_numbers_follow_each_other_without_gap(bureau_a: Any, head: Any, legal: Any) -> None:
    months = [LAST_MONTH.start, (LAST_MONTH.start - dt.timedelta(days=1)).replace(day=1)]
    approved = [_approved(head, legal, m) for m in months]
    # A third draft that is never issued takes no number.
    services.bulletin_draft(
        actor=head, bureau=bureau_a.bureau, month=(months[1] - dt.timedelta(days=1)).replace(day=1)
    )
    assert [_issue(head, b).sequence for b in approved] == [1, 2]


@pytest.mark.django_db
def test_each_step_refuses_the_wrong_role(
    bureau_a: Any, head: Any, legal: Any, officer: Any, outsider: Any, bureau_head: Any
) -> None:
    b = services.bulletin_draft(actor=head, bureau=bureau_a.bureau, month=LAST_MONTH.start)
    for actor, action in (
        (legal, "center_approve"),  # the center approves first
        (officer, "edit"),
        (bureau_head, "center_approve"),
        (outsider, "center_approve"),
    ):
        with pytest.raises(PermissionDenied):
            services.bulletin_transition(
                actor=actor, bulletin=b, action=action, expected_version=b.version, title="x"
            )
    b = services.bulletin_transition(
        actor=head, bulletin=b, action="center_approve", expected_version=b.version
    )
    for action in ("approve", "return"):  # only the legal brigade approves or returns
        with pytest.raises(PermissionDenied):
            services.bulletin_transition(
                actor=head, bulletin=b, action=action, expected_version=b.version, reason="x"
            )
    with pytest.raises(ValidationError):  # a return needs its reason
        services.bulletin_transition(
            actor=legal, bulletin=b, action="return", expected_version=b.version
        )
    with pytest.raises(ValidationError):  # not issued before the legal brigade approved
        services.bulletin_transition(
            actor=head, bulletin=b, action="issue", expected_version=b.version, signer="x"
        )
    b = services.bulletin_transition(
        actor=legal, bulletin=b, action="return", expected_version=b.version, reason="数据需核对"
    )
    assert b.status == "draft"
    with pytest.raises(ValidationError):  # stale version (R6)
        services.bulletin_transition(
            actor=head, bulletin=b, action="center_approve", expected_version=b.version - 1
        )
    assert AuditEvent.objects.filter(event_type=EventType.BULLETIN_REFUSED).count() >= 8


@pytest.mark.django_db
def test_only_the_center_head_issues(
    bureau_a: Any, head: Any, legal: Any, bureau_head: Any
) -> None:
    b = _approved(head, legal, LAST_MONTH.start)
    for actor in (legal, bureau_head):
        with pytest.raises(PermissionDenied):
            services.bulletin_transition(
                actor=actor, bulletin=b, action="issue", expected_version=b.version, signer="x"
            )
    with pytest.raises(ValidationError):  # the 签发人 is required
        services.bulletin_transition(
            actor=head, bulletin=b, action="issue", expected_version=b.version, signer=" "
        )
    assert Bulletin.objects.get(pk=b.pk).sequence is None


@pytest.mark.django_db
def test_only_editors_draft_and_only_once_a_month(
    bureau_a: Any, head: Any, officer: Any, inspector: Any
) -> None:
    for actor in (officer, inspector):
        with pytest.raises(PermissionDenied):
            services.bulletin_draft(actor=actor, bureau=bureau_a.bureau, month=LAST_MONTH.start)
    services.bulletin_draft(actor=head, bureau=bureau_a.bureau, month=LAST_MONTH.start)
    with pytest.raises(ValidationError):
        services.bulletin_draft(actor=head, bureau=bureau_a.bureau, month=LAST_MONTH.start)
    future = (timezone.now() + dt.timedelta(days=40)).date()
    with pytest.raises(ValidationError):
        services.bulletin_draft(actor=head, bureau=bureau_a.bureau, month=future)


@pytest.mark.django_db
def test_the_monthly_job_drafts_last_month_once(bureau_a: Any) -> None:
    assert tasks.draft_monthly_bulletins() == 1
    assert tasks.draft_monthly_bulletins() == 0
    draft = Bulletin.objects.get(kind="monthly")
    assert draft.status == "draft" and draft.created_by is None


@pytest.mark.django_db
def test_typical_cases_mask_the_officer(bureau_a: Any, clerk: Any, head: Any) -> None:
    officer = make_user("wangdawei", bureau_a.station, Role.OFFICER, full_name="王大伟")
    alert = h.alert(clerk, code="0103")
    period = LAST_MONTH
    h.finding(
        bureau_a.bureau, bureau_a.station, status="closed", level="red", officer=officer,
        alert=alert, opened=period.since, due=period.since, closed=period.since + dt.timedelta(days=2),
    )  # fmt: skip
    b = services.bulletin_draft(actor=head, bureau=bureau_a.bureau, month=period.start)
    text = documents.document_text(documents.document(b))
    assert b.cases and "王大伟" not in text and "王*" in text
    assert alert.number in text


@pytest.mark.django_db
def test_a_reviewers_free_text_never_enters_a_typical_case(
    bureau_a: Any, clerk: Any, head: Any
) -> None:
    """A manual finding's summary is the reviewer's own words and may name a citizen; the
    bulletin goes to the whole bureau, so only the fact of the finding and its level go in."""
    alert = h.alert(clerk, code="0103")
    period = LAST_MONTH
    h.finding(
        bureau_a.bureau, bureau_a.station, status="closed", level="red", alert=alert,
        rule="manual_review", source="manual", summary="报警人李小明（13912345678）称未收到回执",
        opened=period.since, due=period.since, closed=period.since + dt.timedelta(days=2),
    )  # fmt: skip
    b = services.bulletin_draft(actor=head, bureau=bureau_a.bureau, month=period.start)
    text = documents.document_text(documents.document(b))
    assert b.cases and alert.number in text and "经人工巡查发现执法问题（红色）" in text
    assert "李小明" not in text and "13912345678" not in text


@pytest.mark.django_db
def test_units_see_issued_bulletins_only(
    bureau_a: Any, head: Any, legal: Any, officer: Any, client_for: Any, bureau_b: Any
) -> None:
    issued = _issue(head, _approved(head, legal, LAST_MONTH.start))
    draft = services.bulletin_draft(
        actor=head, bureau=bureau_a.bureau, month=(LAST_MONTH.start - dt.timedelta(days=1))
    )
    weekly = services.weekly_summary_write(bureau=bureau_a.bureau, week=h.period_now())
    client = client_for(officer)
    assert client.get(reverse("bulletins:detail", args=[issued.pk])).status_code == 200
    for hidden in (draft, weekly):
        assert client.get(reverse("bulletins:detail", args=[hidden.pk])).status_code == 404
    # Opening it from the inbox marks the notice read.
    assert not InboxMessage.objects.filter(recipient=officer, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_documents_render_as_pdf_and_docx(bureau_a: Any, head: Any, legal: Any, clerk: Any) -> None:
    h.alert(clerk, code="0103")
    b = _issue(head, _approved(head, legal, LAST_MONTH.start))
    pdf = services.bulletin_document(actor=head, bulletin=b, fmt="pdf")
    docx = services.bulletin_document(actor=head, bulletin=b, fmt="docx")
    assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "受立案巡查监督通报" in text and "第1期" in text
    assert f"{b.number}\t签发人：张局长" in text
    assert AuditEvent.objects.filter(event_type=EventType.DOCUMENT_PRINTED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_distinct_numbers_without_gap(bureau_a: Any) -> None:
    from shoulian.workflow.tests.helpers import reseed_data_migrations

    reseed_data_migrations()
    head = make_user("head", bureau_a.center, Role.CENTER_HEAD)
    legal = make_user("legal", bureau_a.legal_brigade, Role.LEGAL_BRIGADE)
    first = LAST_MONTH.start
    months = [first]
    for _ in range(3):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    approved = [_approved(head, legal, m) for m in months]
    results: list[int] = []
    errors: list[BaseException] = []

    def issue(b: Bulletin) -> None:
        try:
            results.append(_issue(head, b).sequence or 0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(b,)) for b in approved]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == [1, 2, 3, 4]


@pytest.mark.django_db
def test_the_archive_shows_units_the_issued_bulletins_in_fixed_queries(
    bureau_a: Any, head: Any, legal: Any, officer: Any, client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    issued = _issue(head, _approved(head, legal, LAST_MONTH.start))
    services.weekly_summary_write(bureau=bureau_a.bureau, week=h.period_now())
    client = client_for(officer)
    response = client.get(reverse("bulletins:list"))
    assert [b.pk for b in response.context["rows"]] == [issued.pk]
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("bulletins:list"))
    earlier = (LAST_MONTH.start - dt.timedelta(days=1)).replace(day=1)
    _issue(head, _approved(head, legal, earlier))
    with CaptureQueriesContext(connection) as two:
        response = client.get(reverse("bulletins:list"))
    assert len(response.context["rows"]) == 2 and len(two) == len(one)


@pytest.mark.django_db
def test_the_home_page_shows_the_bulletin_waiting_for_the_next_step(
    bureau_a: Any, head: Any, legal: Any, officer: Any, client_for: Any
) -> None:
    b = services.bulletin_draft(actor=head, bureau=bureau_a.bureau, month=LAST_MONTH.start)
    services.bulletin_transition(
        actor=head, bulletin=b, action="center_approve", expected_version=b.version
    )
    home = reverse("core:home")
    assert b.title in client_for(legal).get(home).content.decode()
    for other in (head, officer):
        assert "待我办理的通报" not in client_for(other).get(home).content.decode()
