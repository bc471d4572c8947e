"""The suggestion panel beside the registration and decision forms, and the journalled choice
(issue 18 §4)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.template import Context as TemplateContext
from django.template import Template
from django.test import Client
from django.urls import reverse

from shoulian.assistant.choices import Context
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.workflow.tests.helpers import handling, new_alert

pytestmark = pytest.mark.django_db

EMPLOYEE = "报案人称其公司出纳王某利用职务便利，将公司50000元转入自己的银行卡，现已联系不上。"


def render_slot(source: str, **context: object) -> str:
    return Template("{% load slots %}" + source).render(TemplateContext(context))


def test_the_decision_slot_shows_the_panel_only_for_a_proposal() -> None:
    alert = SimpleNamespace(pk=7)
    html = render_slot(
        '{% slot "workflow.action.form" %}', action="propose", blocked=None, alert=alert
    )
    assert 'class="nature-assistant"' in html and '"alert": 7' in html
    # The same template decides from the context: nothing on other action pages.
    assert (
        render_slot('{% slot "workflow.action.form" %}', action="sign_for", alert=alert).strip()
        == ""
    )


def first_label(html: str) -> str:
    match = re.search(r'class="nature-label">([^<]+)<', html)
    assert match, html[:500]
    return match.group(1)


def test_the_registration_page_carries_the_panel(clerk) -> None:
    page = login_as(Client(), clerk).get(reverse("intake:register")).content.decode()
    assert 'class="nature-assistant"' in page and reverse("assistant:suggest") in page
    assert '"context": "intake.register"' in page


def test_the_panel_ranks_what_the_clerk_types(clerk) -> None:
    response = login_as(Client(), clerk).post(
        reverse("assistant:suggest"), {"context": Context.REGISTER, "narrative": EMPLOYEE}
    )
    html = response.content.decode()
    assert response.status_code == 200 and first_label(html) == "职务侵占"
    assert "50000 元" in html and "立案标准：已达到" in html and "待法制大队核对" in html
    assert "缺 —" in html  # a missing element shows its question


def test_an_empty_narrative_shows_the_hint(clerk) -> None:
    response = login_as(Client(), clerk).post(
        reverse("assistant:suggest"), {"context": Context.REGISTER, "narrative": "  "}
    )
    assert "填写简要案情后" in response.content.decode()


def test_the_choice_is_journalled_with_whether_it_followed_the_suggestion(clerk) -> None:
    client = login_as(Client(), clerk)
    url = reverse("assistant:choose")
    base = {"context": Context.REGISTER, "narrative": EMPLOYEE, "idempotency_key": "k-1"}
    html = client.post(url, base | {"chosen": "职务侵占"}).content.decode()
    assert "与参考第一位一致" in html
    client.post(url, base | {"chosen": "经济纠纷"})
    followed, other = AuditEvent.objects.filter(
        event_type=int(EventType.NATURE_CHOICE_RECORDED)
    ).order_by("pk")
    assert followed.data["followed"] is True and followed.data["chosen"] == "职务侵占"
    assert followed.data["suggested"][0]["label"] == "职务侵占"
    assert followed.data["form_key"] == "k-1" and EMPLOYEE not in followed.body
    assert other.data["followed"] is False and other.data["chosen"] == "经济纠纷"
    assert followed.actor_id == clerk.pk


def test_an_unknown_nature_is_refused(clerk) -> None:
    response = login_as(Client(), clerk).post(
        reverse("assistant:choose"),
        {"context": Context.REGISTER, "narrative": EMPLOYEE, "chosen": "谋反"},
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(event_type=int(EventType.NATURE_CHOICE_RECORDED)).exists()


def test_the_decision_form_carries_the_panel_and_ranks_the_alerts_narrative(clerk, officer) -> None:
    alert = handling(clerk, officer, narrative=EMPLOYEE)
    client = login_as(Client(), officer)
    page = client.get(reverse("workflow:action", args=[alert.pk, "propose"])).content.decode()
    assert 'class="nature-assistant"' in page and f'"alert": {alert.pk}' in page
    html = client.post(
        reverse("assistant:suggest"),
        {"context": Context.PROPOSE, "alert": alert.pk, "facts": "经查，王某系公司出纳。"},
    ).content.decode()
    assert first_label(html) == "职务侵占"
    client.post(
        reverse("assistant:choose"),
        {"context": Context.PROPOSE, "alert": alert.pk, "facts": "", "chosen": "职务侵占"},
    )
    event = AuditEvent.objects.get(event_type=int(EventType.NATURE_CHOICE_RECORDED))
    assert event.object_type == "alert" and event.object_id == str(alert.pk)
    assert event.data["context"] == Context.PROPOSE and event.data["followed"] is True


def test_other_action_pages_have_no_panel(clerk, officer) -> None:
    alert = handling(clerk, officer)
    page = login_as(Client(), officer).get(
        reverse("workflow:action", args=[alert.pk, "request_transfer"])
    )
    assert "nature-assistant" not in page.content.decode()


def test_another_bureaus_alert_is_a_404(clerk, outsider) -> None:
    alert = new_alert(clerk, narrative=EMPLOYEE)
    response = login_as(Client(), outsider).post(
        reverse("assistant:suggest"), {"context": Context.PROPOSE, "alert": alert.pk}
    )
    assert response.status_code == 404


def test_the_administrator_gets_no_suggestions(admin_user) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("assistant:suggest"), {"context": Context.REGISTER, "narrative": EMPLOYEE}
    )
    assert response.status_code == 403


def test_the_suggestion_costs_a_fixed_number_of_queries(
    clerk, django_assert_max_num_queries
) -> None:
    client = login_as(Client(), clerk)
    url = reverse("assistant:suggest")
    client.post(url, {"context": Context.REGISTER, "narrative": EMPLOYEE})
    with django_assert_max_num_queries(8):
        client.post(url, {"context": Context.REGISTER, "narrative": EMPLOYEE})
