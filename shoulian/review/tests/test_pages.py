"""The review pages: the three work lists, the alert file's 巡查/视音频 tab and its forms, and what
each role cannot do there."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from shoulian.conftest import login_as
from shoulian.review.choices import AvResult, ReviewLevel, ReviewResult
from shoulian.review.models import AvRecord, AvReview, Review
from shoulian.review.services import av_record_link, review_record
from shoulian.review.tests.helpers import MP4, digest
from shoulian.supervision.choices import FindingSource
from shoulian.supervision.models import Finding
from shoulian.workflow.tests.helpers import handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(clerk: Any, officer: Any) -> Any:
    return handling(clerk, officer)


def _link(officer: Any, alert: Any, tag: str = "1") -> AvRecord:
    return av_record_link(
        actor=officer,
        alert=alert,
        store="执法记录仪管理平台",
        external_id=f"ZF-{tag}",
        sha256=digest(tag),
        duration_seconds=120,
    )


def test_center_patrol_lists_case_type_alerts_until_the_center_reviews_them(
    client: Any, head: Any, alert: Any, django_assert_max_num_queries: Any
):
    login_as(client, head)
    url = reverse("review:patrol")
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert alert.number in page and "待人工查看的违法犯罪类警情（1）" in page
    review_record(actor=head, alert=alert, level=ReviewLevel.CENTER, result="no_problem")
    page = client.get(url).content.decode()
    assert "待人工查看的违法犯罪类警情（0）" in page and "未发现问题" in page


def test_unit_list_shows_own_units_alerts_only(
    client: Any, clerk: Any, legal_officer: Any, officer2: Any, alert: Any
):
    other = handling(clerk, officer2)
    page = login_as(client, legal_officer).get(reverse("review:unit")).content.decode()
    assert alert.number in page and other.number not in page


def test_legal_queue_lists_alerts_the_brigade_must_review(
    client: Any, clerk: Any, officer: Any, legal: Any, alert: Any
):
    contract = handling(clerk, officer, category_code="0106")
    page = login_as(client, legal).get(reverse("review:queue")).content.decode()
    assert contract.number in page and alert.number not in page


def test_alert_file_carries_the_review_tab_for_readers_only(
    client: Any, clerk: Any, officer: Any, alert: Any
):
    file_url = reverse("workflow:file", args=[alert.pk])
    tab = reverse("review:alert", args=[alert.pk])
    assert tab in login_as(client, officer).get(file_url).content.decode()
    assert tab not in login_as(client, clerk).get(file_url).content.decode()


def test_center_head_records_a_free_finding_from_the_form(client: Any, head: Any, alert: Any):
    login_as(client, head)
    url = reverse("review:review_form", args=[alert.pk])
    bad = client.post(url, {"level": "center", "mode": "daily", "channel": "online",
                            "result": "free_finding", "finding_summary": "未告知权利"})  # fmt: skip
    assert bad.status_code == 400 and "自由发现须选择等级" not in bad.content.decode()
    assert "请选择问题等级" in bad.content.decode()
    response = client.post(
        url,
        {
            "level": "center",
            "mode": "daily",
            "channel": "offline",
            "result": "free_finding",
            "finding_level": "orange",
            "finding_summary": "询问笔录未告知权利义务",
            "comment": "网下调卷查看",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.finding is not None and review.finding.source == FindingSource.MANUAL
    page = client.get(reverse("review:alert", args=[alert.pk])).content.decode()
    assert "网下调卷查看" in page and "橙色" in page


def test_officer_cannot_open_or_post_the_review_form(client: Any, officer: Any, alert: Any):
    login_as(client, officer)
    url = reverse("review:review_form", args=[alert.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"level": "unit", "result": "no_problem"}).status_code == 403
    assert not Review.objects.exists()


def test_legal_officer_cannot_review_another_stations_alert(
    client: Any, clerk: Any, legal_officer: Any, officer2: Any
):
    other = handling(clerk, officer2)
    login_as(client, legal_officer)
    response = client.post(
        reverse("review:review_form", args=[other.pk]),
        {"level": "unit", "mode": "daily", "channel": "online", "result": "no_problem"},
    )
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_clerk_cannot_read_the_review_tab(client: Any, clerk: Any, alert: Any):
    assert login_as(client, clerk).get(reverse("review:alert", args=[alert.pk])).status_code == 403


def test_officer_registers_an_external_and_an_uploaded_recording(
    client: Any, officer: Any, alert: Any
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_as(client, officer)
    url = reverse("review:av_add", args=[alert.pk])
    response = client.post(
        url,
        {
            "source": "external",
            "ext-store": "执法记录仪管理平台",
            "ext-external_id": "ZF-20260615-001",
            "ext-sha256": digest("a"),
            "ext-duration_seconds": "95",
        },
    )
    assert response.status_code == 302
    bad = client.post(url, {"source": "external", "ext-store": "x", "ext-external_id": "y",
                            "ext-sha256": "zz", "ext-duration_seconds": "9"})  # fmt: skip
    assert bad.status_code == 400
    video = SimpleUploadedFile("现场.mp4", MP4 + b"v" * 40, content_type="video/mp4")
    response = client.post(
        url, {"source": "upload", "up-recording": [video], "up-duration_seconds": "30"}
    )
    assert response.status_code == 302
    assert AvRecord.objects.filter(alert=alert).count() == 2
    page = client.get(reverse("review:alert", args=[alert.pk])).content.decode()
    assert "ZF-20260615-001" in page and "现场.mp4" in page


def test_inspector_cannot_register_a_recording(client: Any, inspector: Any, alert: Any):
    login_as(client, inspector)
    assert client.get(reverse("review:av_add", args=[alert.pk])).status_code == 403


def test_legal_brigade_reviews_a_recording_and_raises_a_finding(
    client: Any, officer: Any, legal: Any, alert: Any
):
    record = _link(officer, alert)
    login_as(client, legal)
    response = client.post(
        reverse("review:av_review", args=[record.pk]),
        {
            "level": "legal_brigade",
            "result": "problem",
            "issues": ["incomplete", "unclear"],
            "finding_level": "yellow",
        },
    )
    assert response.status_code == 302
    checked = AvReview.objects.get()
    assert checked.result == AvResult.PROBLEM and checked.finding is not None
    page = client.get(reverse("review:alert", args=[alert.pk])).content.decode()
    assert "未全程记录、画面或声音不清" in page


def test_leader_cannot_review_a_recording(client: Any, officer: Any, leader: Any, alert: Any):
    record = _link(officer, alert)
    login_as(client, leader)
    url = reverse("review:av_review", args=[record.pk])
    assert client.post(url, {"level": "unit", "result": "compliant"}).status_code == 403
    assert not AvReview.objects.exists()


def test_rule_finding_from_the_form_cites_the_rule(client: Any, legal: Any, alert: Any):
    login_as(client, legal)
    response = client.post(
        reverse("review:review_form", args=[alert.pk]),
        {
            "level": "legal_brigade",
            "mode": "special",
            "channel": "online",
            "result": ReviewResult.RULE_FINDING,
            "rule_code": "on_the_spot_missing",
            "finding_summary": "未当场出具回执",
        },
    )
    assert response.status_code == 302
    assert Finding.objects.get().rule_code == "on_the_spot_missing"
