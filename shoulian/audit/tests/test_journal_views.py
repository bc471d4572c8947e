"""Z6: only the discipline inspector reads the journal (search, CSV), staff see masked business
timelines of what they may see, and every look is itself journalled."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shoulian.accounts.models import User
from shoulian.accounts.services import user_disable, user_update
from shoulian.audit import sealer, selectors
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.audit.models import AuditEvent
from shoulian.audit.tests.conftest import as_dba
from shoulian.conftest import login_as

pytestmark = pytest.mark.django_db


def reads(event_type: EventType, user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type, actor_id=user.pk))


def test_inspector_can_read_journal_and_the_read_is_journalled(
    inspector: User, officer: User
) -> None:
    record(EventType.USER_UPDATED, obj=officer, actor=officer, data={"note": "可检索"})
    response = login_as(Client(), inspector).get(reverse("audit:journal"))
    assert response.status_code == 200
    assert "审计日志" in response.content.decode() and "修改用户" in response.content.decode()
    assert len(reads(EventType.JOURNAL_READ, inspector)) == 1


@pytest.mark.parametrize(
    "persona", ["clerk", "officer", "leader", "legal", "head", "bureau_head", "admin_user"]
)
def test_nobody_but_the_inspector_can_read_the_journal(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = login_as(Client(), user)
    assert client.get(reverse("audit:journal")).status_code == 403
    assert client.get(reverse("audit:journal_export")).status_code == 403
    denied = AuditEvent.objects.filter(event_type=EventType.ACCESS_DENIED, actor_id=user.pk)
    assert denied.count() == 2 and all(e.outcome == Outcome.DENIED for e in denied)
    assert not reads(EventType.JOURNAL_READ, user)


def test_inspector_searches_by_actor_object_type_and_time(
    inspector: User, officer: User, leader: User
) -> None:
    record(EventType.USER_UPDATED, obj=leader, actor=officer)
    record(EventType.USER_UNLOCKED, obj=officer, actor=leader)
    client = login_as(Client(), inspector)

    def found(**params: Any) -> set[tuple[int, str]]:
        response = client.get(reverse("audit:journal"), params)
        return {(r.event.event_type, r.event.actor_username) for r in response.context["rows"]}

    assert found(actor="officer") >= {(EventType.USER_UPDATED, "officer")}
    assert (EventType.USER_UNLOCKED, "leader") not in found(actor="officer")
    assert found(obj=f"user:{officer.pk}", event_type=EventType.USER_UNLOCKED) == {
        (EventType.USER_UNLOCKED, "leader")
    }
    assert found(since="2000-01-01", until="2000-01-02") == set()


def test_inspector_sees_only_the_own_bureaus_actors(
    inspector: User, officer: User, outsider: User
) -> None:
    record(EventType.USER_UPDATED, obj=officer, actor=officer)
    record(EventType.USER_UPDATED, obj=outsider, actor=outsider)
    events = selectors.journal_events(user=inspector, filters=selectors.JournalFilter())
    assert events.filter(actor_id=officer.pk).exists()
    assert not events.filter(actor_id=outsider.pk).exists()


def test_journal_page_costs_the_same_queries_for_ten_or_fifty_rows(
    inspector: User, officer: User
) -> None:
    client = login_as(Client(), inspector)
    for _ in range(10):
        record(EventType.USER_UPDATED, obj=officer, actor=officer)
    client.get(reverse("audit:journal"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit:journal"))
    for _ in range(60):
        record(EventType.USER_UPDATED, obj=officer, actor=officer)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("audit:journal"))
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_csv_export_is_journalled_and_cannot_smuggle_formulas(
    inspector: User, officer: User
) -> None:
    record(EventType.USER_UPDATED, obj=officer, actor=officer, data={"note": '=HYPERLINK("x")'})
    response = login_as(Client(), inspector).get(
        reverse("audit:journal_export"), {"actor": "officer"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "日志序号" and len(rows) >= 2
    assert all(not cell.startswith("=") for row in rows for cell in row)
    exported = reads(EventType.JOURNAL_EXPORTED, inspector)
    assert len(exported) == 1 and exported[0].data["filters"] == {"actor": "officer"}


def test_staff_timeline_shows_business_events_without_values_or_addresses(
    admin_user: User, officer: User
) -> None:
    user_update(
        actor=admin_user,
        user=officer,
        full_name="新名字",
        unit=officer.unit,  # type: ignore[arg-type]
        police_kind=officer.police_kind,
        badge_number="007",
        roles=list(officer.role_set),
    )
    record(EventType.PERSONAL_DATA_VIEWED, obj=officer, actor=admin_user)
    client = login_as(Client(), officer)
    response = client.get(reverse("audit:timeline", args=["user", officer.pk]))
    assert response.status_code == 200
    labels = [e.label for e in response.context["entries"]]
    assert labels == ["创建用户", "修改用户"]  # the read is not a business step
    html = response.content.decode()
    section = html[html.index('<section class="card audit-timeline"') : html.index("</section>")]
    # The <time> elements' machine-readable instants carry microseconds, which may read "007".
    section = re.sub(r'datetime="[^"]*"', "", section)
    assert "姓名" in section and "警号" in section
    assert "新名字" not in section and "007" not in section and "127.0.0.1" not in section
    assert (
        AuditEvent.objects.filter(event_type=EventType.TIMELINE_READ, actor_id=officer.pk).count()
        == 1
    )


def test_timeline_of_an_object_outside_the_users_scope_is_a_404(
    officer: User, outsider: User
) -> None:
    client = login_as(Client(), officer)
    foreign = client.get(reverse("audit:timeline", args=["user", outsider.pk]))
    missing = client.get(reverse("audit:timeline", args=["user", 987654]))
    unknown = client.get(reverse("audit:timeline", args=["alert", 1]))
    assert foreign.status_code == missing.status_code == unknown.status_code == 404


def test_timeline_component_renders_for_any_page(officer: User) -> None:
    request = RequestFactory().get("/")
    request.user = officer
    html = Template("{% load audit_tags %}{% audit_timeline person %}").render(
        Context({"request": request, "person": officer})
    )
    assert "办理过程" in html and "创建用户" in html


def test_badge_is_pending_then_sealed_then_broken(
    signing_key: Ed25519PrivateKey, admin_user: User, officer: User
) -> None:
    user_disable(actor=admin_user, user=officer, reason="调离")
    assert selectors.journal_status().state == selectors.PENDING
    assert selectors.object_status("user", str(officer.pk)).state == selectors.PENDING
    sealer.seal(key=signing_key)
    assert selectors.journal_status().state == selectors.SEALED
    assert selectors.object_status("user", str(officer.pk)).state == selectors.SEALED
    event = AuditEvent.objects.get(event_type=EventType.USER_DISABLED)
    with as_dba() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET body = %s WHERE id = %s",
            [event.body.replace("\\u8c03\\u79bb", "\\u9000\\u4f11"), event.pk],
        )
    assert selectors.object_status("user", str(officer.pk)).state == selectors.BROKEN
    html = Template("{% load audit_tags %}{% audit_badge s %}").render(
        Context({"s": selectors.object_status("user", str(officer.pk))})
    )
    assert "校验失败" in html and "audit-badge-broken" in html


@pytest.mark.django_db
def test_inspector_sees_own_bureaus_failed_logins_but_not_another_bureaus(
    inspector: Any, officer: Any, outsider: Any
) -> None:
    from shoulian.accounts.services import register_failure
    from shoulian.audit.selectors import JournalFilter, journal_events

    register_failure(user=outsider, username=outsider.username, stage="password", source_ip=None)
    register_failure(user=officer, username=officer.username, stage="password", source_ip=None)
    seen = journal_events(user=inspector, filters=JournalFilter()).filter(
        event_type=EventType.LOGIN_FAILED
    )
    assert [e.object_id for e in seen] == [str(officer.pk)]


def test_journal_pages_walk_every_event_once_newest_first(
    inspector: User, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shoulian.audit import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for _ in range(7):
        record(EventType.USER_UPDATED, obj=officer, actor=officer)
    client = login_as(Client(), inspector)
    expected = list(
        selectors.journal_events(user=inspector, filters=selectors.JournalFilter()).values_list(
            "pk", flat=True
        )
    )
    seen: list[int] = []
    params: dict[str, str] = {}
    while True:
        response = client.get(reverse("audit:journal"), params)
        seen += [row.event.pk for row in response.context["rows"]]
        older = response.context["page"].older
        if not older:
            break
        params = {"older": older}
    # Each read journals itself: compare the events that existed before the walk.
    assert [pk for pk in seen if pk in expected] == expected
    last = client.get(reverse("audit:journal"), {"last": "1"}).context["page"]
    assert not last.older and last.rows[-1].pk == min(expected)
