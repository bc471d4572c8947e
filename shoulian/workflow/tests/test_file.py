"""The alert file (警情档案): one page per alert with its registration, evidence, flow, deadlines,
documents, SMS and journal as tabs, reachable from every list that names the alert, closed alerts
included; the alert's own scope decides who may open it. The 警情 list's search by reporter phone
(keyed hash) and the station's two filters (registered by / handled by my unit)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as, make_user
from shoulian.deadlines.models import Deadline
from shoulian.intake.choices import AlertStatus
from shoulian.intake.tests.helpers import MOBILE, reporter
from shoulian.workflow.tests.helpers import approve, fresh, handling, new_alert, propose, routed
from shoulian.workflow.views import FILE_TABS

pytestmark = pytest.mark.django_db


def get(user: Any, name: str, **kwargs: Any) -> Any:
    return login_as(Client(), user).get(reverse(name, kwargs=kwargs))


def filed(clerk: Any, officer: Any, leader: Any, bureau_head: Any) -> Any:
    """An alert taken through to 已立案 (closed for the lifecycle's open queues)."""
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    approve(leader, decision)
    approve(bureau_head, decision)
    alert = fresh(alert)
    assert alert.status == AlertStatus.CRIMINAL_CASE
    return alert


def test_every_tab_of_a_closed_alert_opens_for_its_handling_officer(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = filed(clerk, officer, leader, bureau_head)
    client = login_as(Client(), officer)
    pages = {}
    for slug, _label in FILE_TABS:
        response = client.get(reverse("workflow:file_tab", kwargs={"pk": alert.pk, "tab": slug}))
        assert response.status_code == 200, slug
        html = response.content.decode()
        assert f'data-panel="{slug}"' in html and 'aria-current="page"' in html
        assert all(f'data-tab="{s}"' in html for s, _ in FILE_TABS)
        pages[slug] = html
    assert "王**" in pages["registration"] and "王小明" not in pages["registration"]
    assert "证据材料" in pages["evidence"]
    assert "处理意见与审批" in pages["flow"] and "流转记录" in pages["flow"]
    assert "刑事案件立案审查" in pages["deadlines"] and "按期完成" in pages["deadlines"]
    assert 'data-document="filing_decision"' in pages["documents"]
    assert "138****8000" in pages["sms"] and MOBILE not in pages["sms"]
    assert "办理过程（全程留痕）" in pages["journal"]
    # The file's first address is its registration tab.
    assert (
        'data-panel="registration"' in get(officer, "workflow:file", pk=alert.pk).content.decode()
    )


def test_opening_the_registration_tab_is_journalled_as_a_read(clerk: Any) -> None:
    alert = new_alert(clerk)
    get(clerk, "workflow:file", pk=alert.pk)
    event = AuditEvent.objects.get(event_type=EventType.PERSONAL_DATA_VIEWED)
    assert event.object_id == str(alert.pk) and event.actor_id == clerk.pk
    get(clerk, "workflow:file_tab", pk=alert.pk, tab="flow")
    assert AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).count() == 1


def test_an_officer_of_another_unit_cannot_open_the_file(
    clerk: Any, officer: Any, officer2: Any, outsider: Any, admin_user: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    for slug, _ in FILE_TABS:
        kwargs = {"pk": alert.pk, "tab": slug}
        assert get(officer, "workflow:file_tab", **kwargs).status_code == 200, slug
        # Another 派出所 of the same bureau, and an officer of another bureau: as if missing (Z3).
        assert get(officer2, "workflow:file_tab", **kwargs).status_code == 404, slug
        assert get(outsider, "workflow:file_tab", **kwargs).status_code == 404, slug
        # The administrator reads no case content (三员分立).
        assert get(admin_user, "workflow:file_tab", **kwargs).status_code == 403, slug


def test_an_unknown_tab_is_not_found(clerk: Any) -> None:
    alert = new_alert(clerk)
    assert get(clerk, "workflow:file_tab", pk=alert.pk, tab="secrets").status_code == 404


def test_the_old_addresses_open_the_file(clerk: Any, officer: Any, bureau_a: Any) -> None:
    alert = routed(clerk, bureau_a.station)
    response = get(officer, "intake:alert_detail", pk=alert.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:file", kwargs={"pk": alert.pk})
    html = get(officer, "workflow:alert", pk=alert.pk).content.decode()
    assert 'data-panel="flow"' in html and 'data-action="sign_for"' in html


def test_every_list_links_to_the_file(
    clerk: Any, officer: Any, head: Any, inspector: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    file_url = reverse("workflow:file", kwargs={"pk": alert.pk})
    flow_url = reverse("workflow:file_tab", kwargs={"pk": alert.pk, "tab": "flow"})
    assert file_url in get(clerk, "intake:alert_list").content.decode()
    assert flow_url in get(officer, "workflow:inbox").content.decode()
    assert flow_url in get(officer, "workflow:queue").content.decode()
    assert file_url in get(officer, "deadlines:my").content.decode()
    # The station's own clock (the desk's 当场 period belongs to the center).
    deadline = Deadline.objects.get(
        object_type="alert", object_id=str(alert.pk), unit=bureau_a.station
    )
    assert file_url in get(officer, "deadlines:detail", pk=deadline.pk).content.decode()
    assert file_url in get(head, "notify:outbox").content.decode()
    assert file_url in get(inspector, "audit:journal").content.decode()


# --- the 警情 list: reporter phone (keyed hash) and the station's two filters ---------------------
def test_the_list_finds_alerts_by_the_reporters_phone_without_the_number_in_the_url(
    clerk: Any,
) -> None:
    mine = new_alert(clerk)
    other = new_alert(clerk, parties=(reporter(phone="13700137000", id_number=""),))
    client = login_as(Client(), clerk)
    response = client.post(reverse("intake:alert_list"), {"phone": "138 0013 8000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.number in html and other.number not in html
    event = AuditEvent.objects.get(event_type=EventType.ALERTS_SEARCHED_BY_PHONE)
    assert event.actor_id == clerk.pk and MOBILE not in str(event.body)
    # A malformed number is an error over an empty list, never the whole list.
    html = client.post(reverse("intake:alert_list"), {"phone": "12345"}).content.decode()
    assert "请输入11位手机号码" in html and mine.number not in html


def test_the_phone_search_never_finds_another_bureaus_alert(clerk: Any, bureau_b: Any) -> None:
    other_clerk = make_user("bclerk", bureau_b.center, Role.CLERK)
    theirs = new_alert(other_clerk)
    html = login_as(Client(), clerk).post(reverse("intake:alert_list"), {"phone": MOBILE})
    assert theirs.number not in html.content.decode()


def test_a_station_filters_what_it_registered_and_what_it_handles(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    desk = make_user("stationdesk", bureau_a.station, Role.CLERK)
    own = new_alert(desk)  # a walk-in at the station's own desk: registered and handled there
    routed_in = routed(clerk, bureau_a.station)
    client = login_as(Client(), officer)
    url = reverse("intake:alert_list")

    def numbers(query: str) -> set[str]:
        html = client.get(f"{url}?{query}").content.decode()
        return {a.number for a in (own, routed_in) if a.number in html}

    assert numbers("") == {own.number, routed_in.number}
    assert numbers("unit=registered") == {own.number}
    assert numbers("unit=handled") == {own.number, routed_in.number}
    assert numbers("unit=anything") == {own.number, routed_in.number}
