"""The outbox page and the template editor: the center head may, everybody else may not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as, make_user
from shoulian.intake.tests.helpers import MOBILE
from shoulian.notify import delivery
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.gateways import GatewayError, OutgoingSms, SendResult
from shoulian.notify.models import SmsMessage, SmsTemplate
from shoulian.workflow.tests.helpers import new_alert

pytestmark = pytest.mark.django_db


class Refusing:
    name = "refusing"

    def send(self, sms: OutgoingSms) -> SendResult:
        raise GatewayError("HTTP 400", permanent=True)


def dead_message(clerk: Any) -> SmsMessage:
    alert = new_alert(clerk)
    delivery.deliver_due(gateway=Refusing())
    message = SmsMessage.objects.get(alert=alert)
    assert message.status == SmsStatus.DEAD
    return message


def test_center_head_sees_the_bureaus_outbox_with_masked_numbers(
    client: Client, clerk: Any, head: Any
) -> None:
    message = dead_message(clerk)
    response = login_as(client, head).get(reverse("notify:outbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "138****8000" in body and MOBILE not in body
    assert message.alert is not None and message.alert.number in body
    assert "拒收" in body  # the operator alert leads the page
    assert "王小明" not in body
    assert message.alert.query_code_display not in body  # the query code is starred


def test_status_filter_shows_only_that_status(client: Client, clerk: Any, head: Any) -> None:
    dead_message(clerk)
    new_alert(clerk)  # a second alert: its SMS is pending
    login_as(client, head)
    pending = client.get(reverse("notify:outbox"), {"status": "pending"}).context["page"]
    assert [m.status for m in pending] == [SmsStatus.PENDING]
    dead = client.get(reverse("notify:outbox"), {"status": "dead"}).context["page"]
    assert [m.status for m in dead] == [SmsStatus.DEAD]


def test_center_head_retries_a_dead_message(client: Client, clerk: Any, head: Any) -> None:
    message = dead_message(clerk)
    response = login_as(client, head).post(reverse("notify:retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.PENDING, 0)
    assert AuditEvent.objects.filter(event_type=EventType.SMS_RETRY_REQUESTED).count() == 1
    delivery.deliver_due()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


def test_a_sent_message_cannot_be_retried(client: Client, clerk: Any, head: Any) -> None:
    alert = new_alert(clerk)
    delivery.deliver_due()
    message = SmsMessage.objects.get(alert=alert)
    login_as(client, head).post(reverse("notify:retry", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.attempts == 1


@pytest.mark.parametrize(
    "persona", ["clerk", "officer", "leader", "bureau_head", "legal", "inspector", "admin_user"]
)
def test_other_roles_cannot_open_the_outbox_or_retry(
    client: Client, clerk: Any, request: pytest.FixtureRequest, persona: str
) -> None:
    message = dead_message(clerk)
    login_as(client, request.getfixturevalue(persona))
    assert client.get(reverse("notify:outbox")).status_code == 403
    assert client.post(reverse("notify:retry", args=[message.pk])).status_code == 403
    assert client.get(reverse("notify:templates")).status_code == 403
    message.refresh_from_db()
    assert message.status == SmsStatus.DEAD


def test_another_bureaus_center_head_sees_nothing_and_cannot_retry(
    client: Client, clerk: Any, bureau_b: Any
) -> None:
    message = dead_message(clerk)
    other = make_user("head.b", bureau_b.center, Role.CENTER_HEAD)
    login_as(client, other)
    page = client.get(reverse("notify:outbox")).context["page"]
    assert list(page) == []
    assert client.post(reverse("notify:retry", args=[message.pk])).status_code == 404


def test_center_head_edits_a_template_and_an_unknown_placeholder_is_refused(
    client: Client, head: Any
) -> None:
    login_as(client, head)
    url = reverse("notify:template_edit", args=[TemplateKey.CLOSED])
    refused = client.post(url, {"text": "【{bureau}】{name}您好，已办结。", "version": 1})
    assert refused.status_code == 400
    assert "占位符 {name} 不能用于本模板" in refused.content.decode()
    saved = client.post(
        url, {"text": "【{bureau}】警情{number}已于{date}办结，谢谢。", "version": 1}
    )
    assert saved.status_code == 302
    template = SmsTemplate.objects.get(key=TemplateKey.CLOSED, bureau__isnull=False)
    assert (template.version, template.text) == (
        2,
        "【{bureau}】警情{number}已于{date}办结，谢谢。",
    )
    history = client.get(url).content.decode()
    assert "如对办理情况有意见或建议" in history  # the first wording stays in the history


def test_unknown_template_key_is_not_found(client: Client, head: Any) -> None:
    login_as(client, head)
    assert client.get(reverse("notify:template_edit", args=["nope"])).status_code == 404


def test_administrator_cannot_edit_templates(client: Client, admin_user: Any) -> None:
    login_as(client, admin_user)
    url = reverse("notify:template_edit", args=[TemplateKey.CLOSED])
    assert client.post(url, {"text": "【{bureau}】已办结。", "version": 1}).status_code == 403
    assert SmsTemplate.objects.get(key=TemplateKey.CLOSED, bureau__isnull=True).version == 1
    assert not SmsTemplate.objects.filter(bureau__isnull=False).exists()


def test_the_outbox_page_costs_the_same_queries_for_more_messages(
    client: Client, clerk: Any, head: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("notify:outbox"))
        assert response.status_code == 200
        # The session middleware's activity stamp comes and goes; it is not the page's cost.
        return [
            q["sql"]
            for q in captured.captured_queries
            if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        ]

    login_as(client, head)
    new_alert(clerk)
    few = page_queries()
    for _ in range(4):
        new_alert(clerk)
    many = page_queries()
    # Twelve for the page (the user and roles, the list, six capped status counts, the capped
    # total, two capped alarm counts: each one stops early, none reads the whole outbox), one for
    # the header's unread-message count (supervision's inbox).
    assert len(many) == len(few) == 13
    assert sum("supervision_inboxmessage" in q for q in many) == 1


# --- Flat in the size of the outbox (issue 14) ---------------------------------------------------
def test_the_outbox_pages_by_keyset_newest_first_without_gaps(
    client: Client, clerk: Any, head: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shoulian.notify import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    for _ in range(3):
        new_alert(clerk)
    expected = list(SmsMessage.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert len(expected) >= 3
    login_as(client, head)
    seen: list[int] = []
    url = reverse("notify:outbox")
    for _ in range(len(expected)):
        response = client.get(url)
        seen += [m.pk for m in response.context["page"]]
        cursor = response.context["next_cursor"]
        if not cursor:
            break
        assert f"after={cursor}" in response.content.decode()
        url = f"{reverse('notify:outbox')}?after={cursor}"
    assert seen == expected
    # A cursor that is not one is the first page, not an error.
    assert client.get(reverse("notify:outbox"), {"after": "x-1"}).status_code == 200


def test_the_outbox_counts_stop_at_the_cap(
    client: Client, clerk: Any, head: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shoulian.notify import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(3):
        new_alert(clerk)
    body = login_as(client, head).get(reverse("notify:outbox")).content.decode()
    assert "全部（2+）" in body
    assert "待发送（2+）" in body


def test_the_outbox_list_walks_an_index_instead_of_sorting(head: Any, clerk: Any) -> None:
    """The page's main statement, with and without a status filter: the database reads the
    newest rows from an index (no sort of the whole outbox), on both engines."""
    from django.db import connection

    from shoulian.notify import selectors

    new_alert(clerk)
    for status in ("", SmsStatus.PENDING):
        sql, params = selectors.outbox(head, status)[:51].query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                # Statistics left by earlier tests (a table once large) must not decide the plan:
                # with sorting priced out, the order is read from an index if one serves it, and
                # a missing index still shows as a Sort.
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute("EXPLAIN " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "sms_created_idx" in plan or "sms_status_created_idx" in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan and "Sort Key" not in plan, plan
