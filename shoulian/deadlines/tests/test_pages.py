"""The pages: who may open and change what, and what they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shoulian.conftest import login_as
from shoulian.deadlines.models import CalendarDay, CalendarYear, DeadlineExtension, DeadlineRule
from shoulian.deadlines.services import deadline_extension_request, deadline_start
from shoulian.deadlines.tests.helpers import at

pytestmark = pytest.mark.django_db


def start(unit, object_id="A1", title="张某被盗电动车案"):
    return deadline_start(
        actor=None,
        rule_code="criminal_filing_review",
        obj=("alert", object_id),
        unit=unit,
        started_at=at(2025, 9, 30, 16, 0),
        title=title,
    )


def rule_post(**changes):
    rule = DeadlineRule.objects.get(code="public_order_case", version=1)
    data = {
        "name": rule.name,
        "description": rule.description,
        "length_value": rule.length_value,
        "length_unit": rule.length_unit,
        "start_event": rule.start_event,
        "stop_event": rule.stop_event,
        "pause_event": rule.pause_event,
        "resume_event": rule.resume_event,
        "extension_length": rule.extension_length,
        "extension_cap": rule.extension_cap,
        "extension_approver_role": rule.extension_approver_role,
        "moves_on_holiday": "on",
        "source_law": rule.source_law,
        "source_article": rule.source_article,
        "effective_from": "2025-01-01",
        "is_active": "on",
        "change_reason": "本局规定",
    }
    data.update(changes)
    return data


def test_my_deadlines_lists_rule_article_and_due_time(bureau_a, officer) -> None:
    start(bureau_a.station)
    page = login_as(Client(), officer).get(reverse("deadlines:my")).content.decode()
    assert "张某被盗电动车案" in page
    assert "刑事案件立案审查" in page and "关于改革完善受案立案制度的意见" in page
    assert "2025-10-10 00:00" in page and "band-red" in page


def test_an_outsider_neither_lists_nor_opens_bureau_a_deadlines(bureau_a, outsider) -> None:
    deadline = start(bureau_a.station)
    client = login_as(Client(), outsider)
    assert "张某被盗电动车案" not in client.get(reverse("deadlines:my")).content.decode()
    assert client.get(reverse("deadlines:detail", kwargs={"pk": deadline.pk})).status_code == 404
    missing = client.get(reverse("deadlines:detail", kwargs={"pk": 987654}))
    assert missing.status_code == 404


def test_the_detail_page_shows_the_counting_and_offers_an_extension(bureau_a, officer) -> None:
    deadline = start(bureau_a.station)
    page = (
        login_as(Client(), officer)
        .get(reverse("deadlines:detail", kwargs={"pk": deadline.pk}))
        .content.decode()
    )
    assert "最后一日为节假日的，顺延至节假日后第一个工作日" in page
    assert "经局领导批准可延长至30日" in page and "申请延长" in page


def test_extension_through_the_pages_and_no_self_approval(bureau_a, officer, bureau_head) -> None:
    deadline = start(bureau_a.station)
    officer_client = login_as(Client(), officer)
    response = officer_client.post(
        reverse("deadlines:extension_request", kwargs={"pk": deadline.pk}),
        {"length": 27, "reason": "重大复杂"},
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    # The officer holds no approver role: refused before anything is looked up.
    decide = reverse("deadlines:extension_decide", kwargs={"pk": extension.pk})
    assert officer_client.post(decide, {"decision": "approve"}).status_code == 403
    head_client = login_as(Client(), bureau_head)
    assert "待我审批的延长申请" in head_client.get(reverse("deadlines:my")).content.decode()
    assert head_client.post(decide, {"decision": "approve", "note": "同意"}).status_code == 302
    deadline.refresh_from_db()
    assert deadline.due_at == at(2025, 10, 31)


def test_a_bureau_head_cannot_approve_their_own_request_through_the_page(
    bureau_a, bureau_head
) -> None:
    deadline = start(bureau_a.station)
    own = deadline_extension_request(actor=bureau_head, deadline=deadline, length=3, reason="复杂")
    client = login_as(Client(), bureau_head)
    response = client.post(
        reverse("deadlines:extension_decide", kwargs={"pk": own.pk}), {"decision": "approve"}
    )
    assert response.status_code == 403
    deadline.refresh_from_db()
    assert deadline.extended_by == 0


def test_every_staff_role_but_the_administrator_reads_the_rules(
    officer, inspector, admin_user
) -> None:
    for user in (officer, inspector):
        page = login_as(Client(), user).get(reverse("deadlines:rule_list")).content.decode()
        # The version in force today (the 2026 one of the revised law) names its source.
        assert "办理治安案件" in page and "治安管理处罚法" in page and "修订</a>" not in page
    assert login_as(Client(), admin_user).get(reverse("deadlines:rule_list")).status_code == 403


def test_officer_and_administrator_cannot_edit_rules_legal_brigade_can(
    officer, admin_user, legal
) -> None:
    url = reverse("deadlines:rule_edit", kwargs={"code": "public_order_case"})
    before = DeadlineRule.objects.filter(code="public_order_case").count()
    for user in (officer, admin_user):
        client = login_as(Client(), user)
        assert client.get(url).status_code == 403
        assert client.post(url, rule_post(length_value=10)).status_code == 403
    assert DeadlineRule.objects.filter(code="public_order_case").count() == before
    client = login_as(Client(), legal)
    assert client.get(url).status_code == 200
    response = client.post(url, rule_post(length_value=20))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DeadlineRule.objects.filter(code="public_order_case").count() == before + 1
    detail = client.get(reverse("deadlines:rule_detail", kwargs={"code": "public_order_case"}))
    assert "第2版" in detail.content.decode() and "本局规定" in detail.content.decode()


def test_the_rule_form_shows_service_errors(legal) -> None:
    url = reverse("deadlines:rule_edit", kwargs={"code": "urgent_registration"})
    rule = DeadlineRule.objects.get(code="urgent_registration")
    data = rule_post(
        name=rule.name,
        length_value=24,
        length_unit="hours",
        start_event=rule.start_event,
        stop_event=rule.stop_event,
        pause_event="",
        resume_event="",
        extension_length=0,
        extension_cap=0,
        extension_approver_role="",
    )
    response = login_as(Client(), legal).post(url, data)
    assert response.status_code == 200
    assert "以小时计算的期间不因节假日顺延" in response.content.decode()


def test_unknown_rule_codes_are_404(officer) -> None:
    client = login_as(Client(), officer)
    assert client.get(reverse("deadlines:rule_detail", kwargs={"code": "nope"})).status_code == 404


def test_only_the_administrator_opens_and_edits_the_calendar(admin_user, legal, officer) -> None:
    for user in (legal, officer):
        client = login_as(Client(), user)
        assert client.get(reverse("deadlines:calendar")).status_code == 403
        assert client.post(reverse("deadlines:calendar"), {"year": 2030}).status_code == 403
    assert not CalendarYear.objects.filter(year=2030).exists()
    client = login_as(Client(), admin_user)
    page = client.get(reverse("deadlines:calendar_year", kwargs={"year": 2026})).content.decode()
    assert "春节" in page and "day-makeup" in page


def test_the_administrator_types_in_a_year_through_the_pages(admin_user, monkeypatch) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 11, 20, 10, 0))
    CalendarYear.objects.filter(year=2027).delete()
    client = login_as(Client(), admin_user)
    index = client.get(reverse("deadlines:calendar")).content.decode()
    assert "尚未录入2027年节假日安排" in index
    response = client.post(reverse("deadlines:calendar"), {"year": 2027, "notice": "国办发明电"})
    assert response.status_code == 302
    year_url = reverse("deadlines:calendar_year", kwargs={"year": 2027})
    response = client.post(
        year_url, {"first": "2027-02-06", "last": "2027-02-13", "kind": "rest", "name": "春节"}
    )
    assert response.status_code == 302
    response = client.post(
        year_url,
        {"first": "2027-02-20", "last": "2027-02-20", "kind": "work", "name": "春节调休上班"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(year__year=2027, is_rest_day=True).count() == 8
    client.post(reverse("deadlines:calendar_publish", kwargs={"year": 2027}))
    assert CalendarYear.objects.get(year=2027).is_published
    assert "尚未录入2027年" not in client.get(reverse("deadlines:calendar")).content.decode()
    client.post(
        reverse("deadlines:calendar_day_remove", kwargs={"year": 2027, "day": "2027-02-20"})
    )
    assert not CalendarDay.objects.filter(date=dt.date(2027, 2, 20)).exists()


def test_a_bad_day_range_is_shown_on_the_form(admin_user) -> None:
    client = login_as(Client(), admin_user)
    response = client.post(
        reverse("deadlines:calendar_year", kwargs={"year": 2026}),
        {"first": "2026-03-10", "last": "2026-03-01", "kind": "rest", "name": "错"},
    )
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()


def test_the_calendar_warning_tag_shows_only_to_the_administrator(
    admin_user, officer, monkeypatch
) -> None:
    from django.template import Context, Template
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 11, 20, 10, 0))
    CalendarYear.objects.filter(year=2027).delete()
    template = Template("{% load deadlines_tags %}{% calendar_warning_notice %}")
    assert "2027" in template.render(Context({"user": admin_user}))
    assert template.render(Context({"user": officer})).strip() == ""


@pytest.fixture
def back_to_chinese():
    # core.middleware.LanguageMiddleware activates the chosen language and leaves it active on the
    # thread after the response; the next test must not inherit English.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_pages_follow_the_english_locale(
    bureau_a, officer, admin_user, back_to_chinese
) -> None:
    start(bureau_a.station)
    client = login_as(Client(), officer)
    client.post(reverse("core:set_language"), {"language": "en", "next": reverse("core:home")})
    page = client.get(reverse("deadlines:my")).content.decode()
    assert "My deadlines" in page and "Overdue" in page and "orange from 80%" in page
    rules = client.get(reverse("deadlines:rule_list")).content.decode()
    assert "Extendable to 30 days with approval of the" in rules
    admin = login_as(Client(), admin_user)
    admin.post(reverse("core:set_language"), {"language": "en", "next": reverse("core:home")})
    calendar = admin.get(reverse("deadlines:calendar_year", kwargs={"year": 2026})).content.decode()
    assert "Holidays and make-up days" in calendar and ">Sun<" in calendar
