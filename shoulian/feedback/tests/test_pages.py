"""The staff pages: the complaint list with deadline colours, the desk form (R5 on the page),
the answer form, the follow-up queue and record form; every page's
"cannot"s and its query count (no N+1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shoulian.conftest import login_as, make_user
from shoulian.feedback.choices import ComplaintStatus, FollowUpStatus
from shoulian.feedback.models import Complaint
from shoulian.feedback.tests.helpers import COMPLAINT_TEXT, file_complaint, follow_up_of
from shoulian.intake.choices import AlertStatus
from shoulian.intake.tests.helpers import MOBILE
from shoulian.workflow.tests.helpers import approve, fresh, handling, new_alert, propose

pytestmark = pytest.mark.django_db


def closed_alert(clerk: Any, officer: Any, leader: Any, bureau_head: Any) -> Any:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    approve(leader, decision)
    approve(bureau_head, decision)
    return fresh(alert)


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session also refreshes it: count a steady one
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- complaints ----------------------------------------------------------------------------------
def test_complaint_list_shows_unanswered_first_with_deadline_band(bureau_a: Any, head: Any) -> None:
    answered = file_complaint(unit=bureau_a.center, answer_by=head)
    waiting = file_complaint(unit=bureau_a.center, kind="suggestion")
    page = login_as(Client(), head).get(reverse("feedback:complaints")).content.decode()
    assert page.index(waiting.number) < page.index(answered.number)
    assert 'data-band="green"' in page
    assert "按期答复" in page
    assert COMPLAINT_TEXT not in page  # the list never shows the content


def test_complaint_list_filters_by_status(bureau_a: Any, head: Any) -> None:
    answered = file_complaint(unit=bureau_a.center, answer_by=head)
    waiting = file_complaint(unit=bureau_a.center)
    page = login_as(Client(), head).get(reverse("feedback:complaints") + "?status=received")
    text = page.content.decode()
    assert waiting.number in text and answered.number not in text


def test_complaint_list_query_count_does_not_grow_with_rows(bureau_a: Any, head: Any) -> None:
    client = login_as(Client(), head)
    file_complaint(unit=bureau_a.center)
    few = count_queries(client, reverse("feedback:complaints"))
    assert few <= 9  # with the capped count of the answers
    for _ in range(4):
        file_complaint(unit=bureau_a.center, answer_by=head)
    assert count_queries(client, reverse("feedback:complaints")) == few


def test_center_head_answers_on_the_detail_page(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center, name="李春梅")
    client = login_as(Client(), head)
    url = reverse("feedback:complaint", kwargs={"pk": complaint.pk})
    page = client.get(url).content.decode()
    assert COMPLAINT_TEXT in page and "138****8000" in page and MOBILE not in page
    assert "李春梅" not in page  # masked
    response = client.post(url, {"answer": "已核查并整改。", "version": complaint.version})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.answer == "已核查并整改。"
    assert "已核查并整改。" in client.get(url).content.decode()


def test_clerk_reads_but_cannot_answer(bureau_a: Any, clerk: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    client = login_as(Client(), clerk)
    url = reverse("feedback:complaint", kwargs={"pk": complaint.pk})
    assert "提交答复" not in client.get(url).content.decode()
    assert client.post(url, {"answer": "答复", "version": complaint.version}).status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.RECEIVED


def test_z4_extra_fields_on_the_answer_form_change_nothing(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    client = login_as(Client(), head)
    client.post(
        reverse("feedback:complaint", kwargs={"pk": complaint.pk}),
        {
            "answer": "答复。",
            "version": complaint.version,
            "center": "999",
            "mobile": "13900139000",
        },
    )
    complaint.refresh_from_db()
    assert complaint.center == bureau_a.center
    assert complaint.mobile.plaintext() == MOBILE


def test_desk_form_registers_and_a_replay_returns_the_same(clerk: Any) -> None:
    client = login_as(Client(), clerk)
    alert = new_alert(clerk)
    data = {
        "kind": "complaint",
        "alert_number": alert.number,
        "name": "王小明",
        "mobile": MOBILE,
        "content": COMPLAINT_TEXT,
        "idempotency_key": "desk-1",
    }
    first = client.post(reverse("feedback:complaint_new"), data)
    assert first.status_code == 302
    again = client.post(reverse("feedback:complaint_new"), data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    complaint = Complaint.objects.get()
    assert complaint.channel == "desk" and complaint.alert == alert
    mismatch = client.post(reverse("feedback:complaint_new"), {**data, "content": "不同的内容"})
    assert mismatch.status_code == 422
    assert Complaint.objects.count() == 1


def test_desk_form_refuses_an_unknown_alert_number(clerk: Any) -> None:
    client = login_as(Client(), clerk)
    response = client.post(
        reverse("feedback:complaint_new"),
        {"kind": "complaint", "alert_number": "NOPE-1", "mobile": MOBILE, "content": "内容",
         "idempotency_key": "desk-2"},
    )  # fmt: skip
    assert response.status_code == 400 and "没有这个警情编号" in response.content.decode()
    assert not Complaint.objects.exists()


def test_station_clerk_is_refused_the_complaint_pages(bureau_a: Any) -> None:
    station_clerk = make_user("sclerk", bureau_a.station, "clerk")
    client = login_as(Client(), station_clerk)
    assert client.get(reverse("feedback:complaints")).status_code == 403
    assert client.get(reverse("feedback:complaint_new")).status_code == 403
    assert client.get(reverse("feedback:follow_ups")).status_code == 403


def test_another_bureaus_complaint_answers_like_a_missing_one(bureau_b: Any, head: Any) -> None:
    foreign = file_complaint(unit=bureau_b.center)
    client = login_as(Client(), head)
    assert client.get(reverse("feedback:complaint", kwargs={"pk": foreign.pk})).status_code == 404
    assert client.get(reverse("feedback:complaint", kwargs={"pk": 987654})).status_code == 404


# --- follow-ups ----------------------------------------------------------------------------------
def test_follow_up_queue_and_recording_dissatisfaction(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, head: Any
) -> None:
    alert = closed_alert(clerk, officer, leader, bureau_head)
    task = follow_up_of(alert)
    client = login_as(Client(), clerk)
    queue = client.get(reverse("feedback:follow_ups")).content.decode()
    assert alert.number in queue and "待回访" in queue
    url = reverse("feedback:follow_up", kwargs={"pk": task.pk})
    assert "保存回访记录" in client.get(url).content.decode()
    response = client.post(
        url,
        {"reached": "yes", "satisfaction": "dissatisfied", "note": "认为处理太慢",
         "version": task.version},
    )  # fmt: skip
    assert response.status_code == 302
    assert fresh(alert).status == AlertStatus.FOLLOWED_UP
    assert follow_up_of(alert).note == "认为处理太慢"


def test_follow_up_form_needs_a_satisfaction_when_reached(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    task = follow_up_of(closed_alert(clerk, officer, leader, bureau_head))
    client = login_as(Client(), clerk)
    response = client.post(
        reverse("feedback:follow_up", kwargs={"pk": task.pk}),
        {"reached": "yes", "satisfaction": "", "version": task.version},
    )
    assert response.status_code == 400
    assert follow_up_of(task.alert).status == FollowUpStatus.OPEN


def test_unreached_call_keeps_the_task_in_the_queue(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    task = follow_up_of(closed_alert(clerk, officer, leader, bureau_head))
    client = login_as(Client(), clerk)
    client.post(
        reverse("feedback:follow_up", kwargs={"pk": task.pk}),
        {"reached": "no", "note": "无人接听", "version": task.version},
    )
    queue = client.get(reverse("feedback:follow_ups")).content.decode()
    assert task.alert.number in queue and "1 次" in queue


def test_overdue_follow_ups_are_coloured(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = closed_alert(clerk, officer, leader, bureau_head)
    from shoulian.feedback.models import FollowUp

    # The alert closed long ago (as the demo seeds it): the task is past its due time.
    past = timezone.now() - dt.timedelta(days=30)
    FollowUp.objects.filter(alert=alert).update(ready_at=past, due_at=past + dt.timedelta(days=7))
    page = login_as(Client(), clerk).get(reverse("feedback:follow_ups")).content.decode()
    assert 'data-overdue="1"' in page and "已超期" in page


def test_follow_up_queue_query_count_does_not_grow_with_rows(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    client = login_as(Client(), clerk)
    closed_alert(clerk, officer, leader, bureau_head)
    few = count_queries(client, reverse("feedback:follow_ups"))
    # The session, the user, the four index reads of the two queues (dated, undated), the
    # page of finished ones and their capped count, ...: none per row.
    assert few <= 10
    for _ in range(3):
        closed_alert(clerk, officer, leader, bureau_head)
    assert count_queries(client, reverse("feedback:follow_ups")) == few


def test_inspector_cannot_open_the_follow_up(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, inspector: Any
) -> None:
    task = follow_up_of(closed_alert(clerk, officer, leader, bureau_head))
    client = login_as(Client(), inspector)
    assert client.get(reverse("feedback:follow_up", kwargs={"pk": task.pk})).status_code == 403
    assert (
        client.post(
            reverse("feedback:follow_up", kwargs={"pk": task.pk}),
            {"reached": "yes", "satisfaction": "satisfied", "version": task.version},
        ).status_code
        == 403
    )


def test_a_waiting_follow_up_shows_why_instead_of_the_form(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    from shoulian.workflow.choices import DecisionKind

    alert = handling(clerk, officer)
    decision = propose(officer, alert, DecisionKind.NOT_FILE, facts="经查，没有犯罪事实。")
    approve(leader, decision)
    approve(bureau_head, decision)
    task = follow_up_of(alert)
    client = login_as(Client(), clerk)
    url = reverse("feedback:follow_up", kwargs={"pk": task.pk})
    page = client.get(url).content.decode()
    assert "保存回访记录" not in page and "期限届满" in page
    response = client.post(
        url, {"reached": "yes", "satisfaction": "satisfied", "version": task.version}
    )
    assert response.status_code == 409 and "期限届满" in response.content.decode()
    assert follow_up_of(alert).status == FollowUpStatus.WAITING


def _older(page: str) -> str:
    import re

    found = re.search(r"older=([0-9]+-[0-9]+)", page)
    return found.group(1) if found else ""


def test_answered_complaints_page_by_keyset_and_the_queue_heads_only_the_first_page(
    bureau_a: Any, head: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shoulian.feedback import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    answered = [file_complaint(unit=bureau_a.center, answer_by=head) for _ in range(3)]
    waiting = file_complaint(unit=bureau_a.center)
    client = login_as(Client(), head)
    first = client.get(reverse("feedback:complaints")).content.decode()
    assert waiting.number in first and "共 3 件已答复" in first
    assert first.index(answered[2].number) < first.index(answered[1].number)
    assert answered[0].number not in first and "OFFSET" not in first
    cursor = _older(first)
    assert cursor
    second = client.get(reverse("feedback:complaints") + f"?older={cursor}").content.decode()
    assert answered[0].number in second
    assert waiting.number not in second and answered[1].number not in second
    last = client.get(reverse("feedback:complaints") + "?last=1").content.decode()
    assert answered[0].number in last


def test_finished_follow_ups_page_by_keyset_with_a_capped_count(
    clerk: Any,
    officer: Any,
    leader: Any,
    bureau_head: Any,
    head: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shoulian.feedback import services, views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    done = []
    for _ in range(2):
        task = follow_up_of(closed_alert(clerk, officer, leader, bureau_head))
        done.append(
            services.follow_up_record(
                actor=clerk, follow_up=task, reached=True, satisfaction="satisfied"
            )
        )
    client = login_as(Client(), clerk)
    first = client.get(reverse("feedback:follow_ups")).content.decode()
    assert "共 2 件已办结" in first and done[1].alert.number in first
    assert done[0].alert.number not in first
    second = client.get(reverse("feedback:follow_ups") + f"?older={_older(first)}")
    text = second.content.decode()
    assert done[0].alert.number in text and done[1].alert.number not in text
    assert "没有待回访的警情" not in text  # the open queue heads the first page only


def test_the_unanswered_complaints_show_the_oldest_page_and_count_the_rest(
    bureau_a: Any, head: Any, monkeypatch: Any
) -> None:
    """Issue 14: a backlog of unanswered complaints shows its oldest page (they run out of time
    first) and a capped count, in as many queries whatever the backlog."""
    from shoulian.feedback import selectors

    monkeypatch.setattr(selectors, "QUEUE_PAGE", 2)
    client = login_as(Client(), head)
    complaints = [file_complaint(unit=bureau_a.center) for _ in range(3)]
    url = reverse("feedback:complaints") + "?status=received"
    few = count_queries(client, url)
    text = client.get(url).content.decode()
    assert [c.number in text for c in complaints] == [True, True, False]
    assert "未答复共 3 件，此处显示收到最早的 2 件" in text
    file_complaint(unit=bureau_a.center)
    assert count_queries(client, url) == few


def test_the_follow_up_queue_shows_the_first_due_page_and_counts_the_rest(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, monkeypatch: Any
) -> None:
    from shoulian.feedback import selectors

    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 2)
    alerts = [closed_alert(clerk, officer, leader, bureau_head) for _ in range(3)]
    page = login_as(Client(), clerk).get(reverse("feedback:follow_ups")).content.decode()
    assert sum(a.number in page for a in alerts) == 2
    assert "待回访共 3 项，此处显示最先到期的 2 项" in page
