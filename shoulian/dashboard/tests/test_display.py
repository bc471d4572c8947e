"""Display links (SECURITY A5 stays as it is for staff): a wall screen's own, revocable, expiring
access to the wall mode and its data only, without personal data, drill-down or acknowledgement."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.middleware import LAST_SEEN
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.core.tests.matrix import PUBLIC, collect_rules
from shoulian.dashboard import services
from shoulian.dashboard.models import DisplayLink
from shoulian.dashboard.views import DISPLAY_COOKIE
from shoulian.intake.tests.helpers import ID_NUMBER, MOBILE
from shoulian.supervision.choices import Level
from shoulian.supervision.services import finding_raise
from shoulian.workflow.choices import Action
from shoulian.workflow.tests.helpers import act, handling, routed

pytestmark = pytest.mark.django_db

WALL, DATA, FEED = reverse("display:wall"), reverse("display:data"), reverse("display:feed")


def _events(event_type: EventType) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def _screen(head: Any, **kwargs: Any) -> tuple[Client, DisplayLink]:
    """A screen (a client with no staff session) that opened a link the head issued."""
    link, token = services.display_link_issue(
        actor=head,
        name=kwargs.pop("name", "大厅左屏"),
        unit=kwargs.pop("unit", None),
        days=kwargs.pop("days", 30),
        **kwargs,
    )
    screen = Client()
    opening = reverse("display:open", args=[token])
    page = screen.get(opening)
    assert page.status_code == 200 and "在此屏幕启用" in page.content.decode()
    assert _events(EventType.DISPLAY_LINK_OPENED) == 0  # a GET (a link preview) consumes nothing
    response = screen.post(opening)
    assert response.status_code == 302 and response["Location"] == WALL
    cookie = response.cookies[DISPLAY_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == WALL
    return screen, link


def _personal_world(clerk: Any, officer: Any, officer2: Any, legal: Any, bureau_a: Any) -> Any:
    """An alert with a reporter's name, phone and ID number, passed on twice (a bounce warning)
    and with a red finding whose summary names the reporter."""
    alert = handling(clerk, officer)
    finding_raise(
        actor=legal,
        alert=alert,
        summary="报案人王小明称民警拒不受案",
        subject_type="alert",
        subject_id=alert.pk,
        level=Level.RED,
    )
    bounced = routed(clerk, bureau_a.station)
    act(officer, bounced, Action.RETURN, reason="不属本所辖区")
    act(clerk, bounced, Action.REROUTE, unit=bureau_a.station2, reason="改派城南")
    act(officer2, bounced, Action.RETURN, reason="也不属本所辖区")
    return alert


def test_a_display_link_opens_the_wall_and_its_data_without_personal_data_or_links(
    clerk: Any, officer: Any, officer2: Any, legal: Any, head: Any, bureau_a: Any
) -> None:
    alert = _personal_world(clerk, officer, officer2, legal, bureau_a)
    screen, link = _screen(head)
    assert _events(EventType.DISPLAY_LINK_ISSUED) == 1
    assert _events(EventType.DISPLAY_LINK_OPENED) == 1
    link.refresh_from_db()
    assert link.opened_at is not None and link.open_hash is None

    wall = screen.get(WALL)
    assert wall.status_code == 200 and wall["Cache-Control"] == "no-store"
    data = screen.get(DATA)
    feed = screen.get(FEED)
    assert data.status_code == feed.status_code == 200
    d = json.loads(data.content)
    assert d["totals"]["today"] == 2 and d["warnings_open"] == 2
    assert {w["kind"] for w in d["warnings"]} == {"red_finding", "bouncing"}
    assert alert.number in {w["alert"] for w in d["warnings"]}  # alert numbers are fine
    for body in (wall.content.decode(), data.content.decode(), feed.content.decode()):
        for personal in ("王小明", MOBILE, MOBILE[-4:] + '"', ID_NUMBER, "拒不受案"):
            assert personal not in body
        # No drill-down and no acknowledgement: nothing links anywhere, nothing posts.
        assert 'href="/' not in body.replace('href="/static/', "")
        assert "<form" not in body and "acknowledge" not in body
        assert "/workflow/" not in body and "/intake/" not in body
    assert '"url"' not in data.content.decode() and "urls" not in d


def test_a_display_link_opens_nothing_but_the_wall(
    clerk: Any, officer: Any, head: Any, bureau_a: Any, bureau_b: Any, personas: Any
) -> None:
    """Every URL of the product other than the display's own, asked with the screen's cookie and
    no staff session: the login page (or the public page it is), never a staff page."""
    alert = handling(clerk, officer)
    screen, _link = _screen(head)
    for name, rule in collect_rules().items():
        if rule.allowed == PUBLIC:
            continue
        kwargs = rule.kwargs(personas["officer"], bureau_a, bureau_b) if rule.kwargs else None
        response = screen.get(reverse(name, kwargs=kwargs or None))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name
    # The drill-downs the staff wall links to, by hand.
    for url in (
        reverse("dashboard:waiting") + "?node=accept",
        reverse("workflow:file", args=[alert.pk]),
        reverse("intake:alert_list"),
    ):
        assert screen.get(url).status_code == 302, url


def test_the_opening_link_works_once(head: Any) -> None:
    link, token = services.display_link_issue(actor=head, name="大厅右屏", unit=None, days=7)
    opening = reverse("display:open", args=[token])
    assert Client().post(opening).status_code == 302
    again = Client()
    assert again.get(opening).status_code == 404
    assert again.post(opening).status_code == 404
    assert again.get(WALL).status_code == 403
    assert _events(EventType.DISPLAY_LINK_OPENED) == 1


def test_a_revoked_link_stops_the_screen_and_is_journalled(
    clerk: Any, officer: Any, head: Any
) -> None:
    handling(clerk, officer)
    screen, link = _screen(head)
    staff = login_as(Client(), head)
    page = staff.get(reverse("dashboard:displays")).content.decode()
    assert "<td>大厅左屏</td>" in page
    revoke = reverse("dashboard:display_revoke", args=[link.pk])
    assert staff.post(revoke).status_code == 302
    assert _events(EventType.DISPLAY_LINK_REVOKED) == 1
    for url in (WALL, DATA, FEED):
        refused = screen.get(url)
        assert refused.status_code == 403 and b"totals" not in refused.content, url
    assert "<td>大厅左屏</td>" not in staff.get(reverse("dashboard:displays")).content.decode()
    assert staff.post(revoke).status_code == 404  # gone from the active list


def test_an_expired_link_stops_the_screen_and_cannot_be_opened(head: Any) -> None:
    screen, link = _screen(head, days=1)
    assert screen.get(DATA).status_code == 200
    DisplayLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert screen.get(WALL).status_code == screen.get(DATA).status_code == 403

    past = timezone.now() - dt.timedelta(days=2)
    _late, token = services.display_link_issue(
        actor=head, name="过期屏", unit=None, days=1, now=past
    )
    assert Client().post(reverse("display:open", args=[token])).status_code == 404
    assert _events(EventType.DISPLAY_LINK_REFUSED) == 1


def test_a_screens_events_belong_to_its_bureau_in_the_journal(
    head: Any, inspector: Any, bureau_b: Any
) -> None:
    """The screen is nobody: its opening (and a refused one) are read by its own bureau's
    inspector, not by every bureau's (Z2)."""
    from shoulian.accounts.choices import Role
    from shoulian.audit.selectors import JournalFilter, journal_events
    from shoulian.conftest import make_user

    _screen(head)
    _late, token = services.display_link_issue(
        actor=head, name="过期屏", unit=None, days=1, now=timezone.now() - dt.timedelta(days=2)
    )
    Client().post(reverse("display:open", args=[token]))
    other = make_user("inspector_b", bureau_b.bureau, Role.INSPECTOR)
    for kind in (EventType.DISPLAY_LINK_OPENED, EventType.DISPLAY_LINK_REFUSED):
        wanted = JournalFilter(event_type=kind.value)
        assert journal_events(user=inspector, filters=wanted).count() == 1, kind
        assert journal_events(user=other, filters=wanted).count() == 0, kind


def test_a_unit_link_shows_that_unit_only(
    clerk: Any, officer: Any, head: Any, bureau_a: Any
) -> None:
    handling(clerk, officer)
    routed(clerk, bureau_a.station2)
    screen, _link = _screen(head, unit=bureau_a.station)
    d = json.loads(screen.get(DATA).content)
    assert d["scope"]["unit"] == bureau_a.station.pk and d["totals"]["today"] == 1


def test_only_the_center_head_issues_within_the_own_bureau(
    head: Any, leader: Any, admin_user: Any, bureau_b: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.display_link_issue(actor=leader, name="屏", unit=None, days=1)
    # 三员分立: the system administrator may not read case content, nor a wall of it.
    with pytest.raises(PermissionDenied):
        services.display_link_issue(actor=admin_user, name="屏", unit=None, days=1)
    with pytest.raises(PermissionDenied):
        services.display_link_issue(actor=head, name="屏", unit=bureau_b.station, days=1)
    with pytest.raises(ValidationError):
        services.display_link_issue(actor=head, name="屏", unit=None, days=31)
    link, _token = services.display_link_issue(actor=head, name="屏", unit=None, days=30)
    assert link.expires_at - link.issued_at == dt.timedelta(days=30)
    response = login_as(Client(), head).post(
        reverse("dashboard:displays"), {"name": "指挥大厅中屏", "unit": "", "days": "30"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "/display/open/" in page
    assert "no-store" in response["Cache-Control"]


def test_a_staff_session_polling_the_wall_still_signs_out_after_15_idle_minutes(
    clerk: Any, head: Any, settings: Any
) -> None:
    """A5 is unchanged for staff: polls do not extend the session; after the idle timeout the
    next poll answers the login page."""
    assert settings.IDLE_TIMEOUT_MINUTES == 15
    client = login_as(Client(), head)
    poll = {"HX-Trigger-Name": "poll"}
    assert client.get(reverse("dashboard:data"), headers=poll).status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 14 * 60
    session.save()
    assert client.get(reverse("dashboard:data"), headers=poll).status_code == 200
    session = client.session
    assert session[LAST_SEEN] < time.time() - 13 * 60  # the poll did not move it
    session[LAST_SEEN] = time.time() - 15 * 60 - 1
    session.save()
    response = client.get(reverse("dashboard:data"), headers=poll)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
