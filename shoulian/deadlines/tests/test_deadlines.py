"""Running deadlines through the services: start, pause/resume, extension, stop, recompute,
the work queue and its scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.conftest import make_user
from shoulian.deadlines import selectors
from shoulian.deadlines.choices import Band, DeadlineStatus, ExtensionStatus
from shoulian.deadlines.models import Deadline
from shoulian.deadlines.services import (
    deadline_extend,
    deadline_extension_reject,
    deadline_extension_request,
    deadline_pause,
    deadline_resume,
    deadline_start,
    deadline_stop,
    deadlines_recompute,
)
from shoulian.deadlines.tests.helpers import at

pytestmark = pytest.mark.django_db


def events(event_type: EventType, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=int(event_type), **filters).order_by("id"))


def start(unit, code="criminal_filing_review", started=None, object_id="A1", actor=None, title=""):
    return deadline_start(
        actor=actor,
        rule_code=code,
        obj=("alert", object_id),
        unit=unit,
        started_at=started or at(2025, 9, 30, 16, 0),
        title=title or f"警情 {object_id}",
    )


def test_starting_a_deadline_stores_its_due_time_and_journals_it(bureau_a, officer) -> None:
    deadline = start(bureau_a.station, actor=officer)
    assert deadline.due_at == at(2025, 10, 10)
    assert deadline.rule.code == "criminal_filing_review" and deadline.rule.version == 1
    [event] = events(EventType.DEADLINE_STARTED, object_type="alert", object_id="A1")
    assert event.actor_id == officer.pk
    assert event.content["data"]["deadline"] == deadline.pk


def test_a_node_cannot_run_twice_for_the_same_object(bureau_a) -> None:
    start(bureau_a.station)
    with pytest.raises(ValidationError, match="已在计时"):
        start(bureau_a.station)


def test_a_stopped_node_may_start_again_for_a_new_round(bureau_a) -> None:
    first = start(bureau_a.station)
    deadline_stop(actor=None, deadline=first, at=at(2025, 10, 2))
    second = start(bureau_a.station, started=at(2025, 10, 3, 9, 0))
    assert second.pk != first.pk


def test_an_unknown_rule_or_a_start_in_the_future_is_refused(bureau_a) -> None:
    with pytest.raises(ValidationError):
        start(bureau_a.station, code="no_such_rule")
    with pytest.raises(ValidationError, match="晚于当前时间"):
        start(bureau_a.station, started=timezone.now() + dt.timedelta(hours=1))


def test_an_officer_cannot_start_a_deadline_for_another_unit(bureau_a, officer) -> None:
    with pytest.raises(PermissionDenied):
        start(bureau_a.station2, actor=officer)
    assert events(EventType.ACCESS_DENIED, outcome=Outcome.DENIED)


def test_the_administrator_cannot_start_deadlines_at_all(bureau_a, admin_user) -> None:
    with pytest.raises(PermissionDenied):
        start(bureau_a.station, actor=admin_user)


def test_appraisal_time_is_not_counted(bureau_a, officer) -> None:
    deadline = start(bureau_a.station, code="public_order_case", started=at(2026, 1, 5, 10, 0))
    assert deadline.due_at == at(2026, 2, 5)
    deadline_pause(actor=officer, deadline=deadline, at=at(2026, 1, 10, 9, 0), reason="伤情鉴定")
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.PAUSED and deadline.due_at is None
    deadline_resume(actor=officer, deadline=deadline, at=at(2026, 1, 20, 9, 0))
    deadline.refresh_from_db()
    # Ten days later, Sat 14 Feb 2026 is a 调休 working day: no move.
    assert deadline.status == DeadlineStatus.OPEN and deadline.due_at == at(2026, 2, 15)
    assert len(events(EventType.DEADLINE_PAUSED)) == len(events(EventType.DEADLINE_RESUMED)) == 1


def test_a_rule_without_a_pause_event_cannot_be_paused(bureau_a, officer) -> None:
    deadline = start(bureau_a.station)
    with pytest.raises(ValidationError, match="不允许中止"):
        deadline_pause(actor=officer, deadline=deadline, at=at(2025, 10, 1), reason="鉴定")


def test_an_overdue_deadline_cannot_be_paused_back_to_life(bureau_a, officer) -> None:
    deadline = start(bureau_a.station, code="public_order_case", started=at(2025, 9, 5, 15, 0))
    with pytest.raises(ValidationError, match="已届满"):
        deadline_pause(actor=officer, deadline=deadline, at=at(2025, 10, 20), reason="鉴定")


def test_stopping_records_whether_the_node_was_late(bureau_a) -> None:
    met = start(bureau_a.station, object_id="M")
    late = start(bureau_a.station, object_id="L")
    deadline_stop(actor=None, deadline=met, at=at(2025, 10, 9, 18, 0))
    deadline_stop(actor=None, deadline=late, at=at(2025, 10, 10, 0, 1))
    assert met.stopped_late is False and late.stopped_late is True
    data = [e.content["data"]["late"] for e in events(EventType.DEADLINE_STOPPED)]
    assert data == [False, True]


def test_stopping_a_paused_deadline_closes_the_pause_and_settles_the_due_time(
    bureau_a, officer
) -> None:
    deadline = start(bureau_a.station, code="public_order_case", started=at(2026, 1, 5, 10, 0))
    deadline_pause(actor=officer, deadline=deadline, at=at(2026, 1, 10), reason="鉴定")
    deadline_stop(actor=officer, deadline=deadline, at=at(2026, 3, 1))
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.STOPPED and deadline.stopped_late is False
    assert deadline.pauses.get().resumed_at == at(2026, 3, 1)


def test_a_stale_copy_loses_the_race(bureau_a) -> None:
    deadline = start(bureau_a.station)
    stale = Deadline.objects.get(pk=deadline.pk)
    deadline_stop(actor=None, deadline=deadline, at=at(2025, 10, 2))
    with pytest.raises(ValidationError):
        deadline_stop(actor=None, deadline=stale, at=at(2025, 10, 3))


# --- Extensions -----------------------------------------------------------------------------


def test_the_bureau_head_extends_criminal_filing_review_to_thirty_days(
    bureau_a, officer, bureau_head
) -> None:
    deadline = start(bureau_a.station)
    request = deadline_extension_request(
        actor=officer, deadline=deadline, length=27, reason="重大疑难复杂"
    )
    deadline_extend(actor=bureau_head, extension=request, note="同意")
    deadline.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED and request.decided_by == bureau_head
    assert deadline.extended_by == 27 and deadline.due_at == at(2025, 10, 31)
    [event] = events(EventType.DEADLINE_EXTENDED)
    assert event.actor_id == bureau_head.pk


def test_nobody_approves_their_own_extension(bureau_a, bureau_head) -> None:
    deadline = start(bureau_a.station)
    own = deadline_extension_request(actor=bureau_head, deadline=deadline, length=5, reason="复杂")
    with pytest.raises(PermissionDenied, match="本人"):
        deadline_extend(actor=bureau_head, extension=own)
    with pytest.raises(PermissionDenied, match="本人"):
        deadline_extension_reject(actor=bureau_head, extension=own, note="不行")
    deadline.refresh_from_db()
    assert deadline.extended_by == 0
    assert len(events(EventType.ACCESS_DENIED, outcome=Outcome.DENIED)) == 2


def test_only_the_role_the_rule_names_may_approve(bureau_a, officer, leader, head) -> None:
    deadline = start(bureau_a.station)
    request = deadline_extension_request(actor=officer, deadline=deadline, length=5, reason="复杂")
    for approver in (leader, head):
        with pytest.raises(PermissionDenied, match="局领导"):
            deadline_extend(actor=approver, extension=request)


def test_the_cap_is_enforced_across_extensions(bureau_a, officer, bureau_head) -> None:
    deadline = start(bureau_a.station)
    with pytest.raises(ValidationError, match="1–27"):
        deadline_extension_request(actor=officer, deadline=deadline, length=28, reason="复杂")
    first = deadline_extension_request(actor=officer, deadline=deadline, length=20, reason="复杂")
    deadline_extend(actor=bureau_head, extension=first)
    deadline.refresh_from_db()
    with pytest.raises(ValidationError, match="1–7"):
        deadline_extension_request(actor=officer, deadline=deadline, length=8, reason="仍复杂")
    second = deadline_extension_request(actor=officer, deadline=deadline, length=7, reason="仍复杂")
    deadline_extend(actor=bureau_head, extension=second)
    deadline.refresh_from_db()
    assert deadline.extended_by == 27 and deadline.due_at == at(2025, 10, 31)
    with pytest.raises(ValidationError, match="上限"):
        deadline_extension_request(actor=officer, deadline=deadline, length=1, reason="还要")


def test_one_pending_request_at_a_time(bureau_a, officer) -> None:
    deadline = start(bureau_a.station)
    deadline_extension_request(actor=officer, deadline=deadline, length=5, reason="复杂")
    with pytest.raises(ValidationError, match="待审批"):
        deadline_extension_request(actor=officer, deadline=deadline, length=5, reason="再申请")


def test_periods_the_law_does_not_extend_cannot_be_extended(bureau_a, officer) -> None:
    deadline = start(bureau_a.station, code="non_filing_notice")
    with pytest.raises(ValidationError, match="不得延长"):
        deadline_extension_request(actor=officer, deadline=deadline, length=1, reason="忙")


def test_an_auxiliary_and_the_inspector_cannot_ask_for_extensions(
    bureau_a, auxiliary_clerk, inspector
) -> None:
    deadline = start(bureau_a.center)
    for actor in (auxiliary_clerk, inspector):
        with pytest.raises(PermissionDenied):
            deadline_extension_request(actor=actor, deadline=deadline, length=5, reason="复杂")


def test_a_rejection_needs_a_reason_and_changes_nothing(bureau_a, officer, bureau_head) -> None:
    deadline = start(bureau_a.station)
    request = deadline_extension_request(actor=officer, deadline=deadline, length=5, reason="复杂")
    with pytest.raises(ValidationError):
        deadline_extension_reject(actor=bureau_head, extension=request, note=" ")
    deadline_extension_reject(actor=bureau_head, extension=request, note="证据已足，不予延长")
    request.refresh_from_db()
    deadline.refresh_from_db()
    assert request.status == ExtensionStatus.REJECTED and deadline.due_at == at(2025, 10, 10)
    with pytest.raises(ValidationError, match="已处理"):
        deadline_extend(actor=bureau_head, extension=request)


def test_a_leader_of_another_bureau_cannot_decide(bureau_a, bureau_b, officer) -> None:
    other_head = make_user("otherhead", bureau_b.bureau, Role.BUREAU_HEAD)
    deadline = start(bureau_a.station)
    request = deadline_extension_request(actor=officer, deadline=deadline, length=5, reason="复杂")
    with pytest.raises(PermissionDenied):
        deadline_extend(actor=other_head, extension=request)


# --- Recompute and the work queue -------------------------------------------------------------


def test_recompute_is_idempotent(bureau_a) -> None:
    for n, started in enumerate([at(2025, 9, 30, 16), at(2026, 2, 12, 9), at(2026, 9, 30, 17)]):
        start(bureau_a.station, object_id=f"R{n}", started=started)
    Deadline.objects.update(due_at=None)  # as if the rows were imported bare
    assert deadlines_recompute(reason="测试") == 3
    assert deadlines_recompute(reason="测试") == 0
    assert list(Deadline.objects.order_by("due_at").values_list("due_at", flat=True)) == [
        at(2025, 10, 10),
        at(2026, 2, 25),
        at(2026, 10, 9),
    ]
    assert len(events(EventType.DEADLINE_RECOMPUTED)) == 3


def test_the_work_queue_sorts_by_due_time_and_colours_by_share(bureau_a, officer) -> None:
    soon = start(bureau_a.station, object_id="S", started=at(2026, 3, 2, 9, 0))  # due 6 Mar
    later = start(bureau_a.station, code="public_order_case", object_id="P", started=at(2026, 3, 2))
    done = start(bureau_a.station, object_id="D", started=at(2026, 3, 2, 9, 0))
    deadline_stop(actor=None, deadline=done, at=at(2026, 3, 3))
    items = selectors.work_queue(officer, now=at(2026, 3, 5, 12, 0))
    assert [i.deadline.pk for i in items] == [soon.pk, later.pk]
    assert items[0].band == Band.ORANGE and items[1].band == Band.GREEN
    assert selectors.work_queue(officer, now=at(2026, 3, 6, 0, 1))[0].band == Band.RED
    assert items[0].deadline.rule.source_law.startswith("公安部")


def test_the_queue_puts_pending_due_times_last(bureau_a, officer) -> None:
    paused = start(
        bureau_a.station, code="public_order_case", object_id="P", started=at(2026, 3, 2)
    )
    deadline_pause(actor=officer, deadline=paused, at=at(2026, 3, 3), reason="鉴定")
    running = start(bureau_a.station, object_id="R", started=at(2026, 3, 2, 9))
    items = selectors.work_queue(officer, now=at(2026, 3, 4))
    assert [i.deadline.pk for i in items] == [running.pk, paused.pk]
    assert items[1].band == Band.PAUSED


def test_the_queue_runs_in_four_queries_whatever_its_length(
    bureau_a, officer, django_assert_num_queries
) -> None:
    for n in range(12):
        start(bureau_a.station, object_id=f"Q{n}", started=at(2026, 3, 2, n))
    officer = type(officer).objects.get(pk=officer.pk)
    officer.role_set  # noqa: B018 - roles are loaded once per request by the middleware
    officer.unit  # noqa: B018
    # The running and the paused deadlines in due order, the undated ones (the page is not
    # full), and their pauses (scope and rule joined in).
    with django_assert_num_queries(4):
        items = selectors.work_queue(officer, now=at(2026, 3, 3))
        assert len(items) == 12 and all(i.deadline.rule.name for i in items)


def test_another_bureau_sees_none_of_bureau_a_deadlines(bureau_a, outsider, officer2) -> None:
    start(bureau_a.station, title="甲局机密事项")
    assert selectors.work_queue(outsider) == []
    assert not selectors.deadlines_visible_to(outsider).exists()
    # Same bureau, another 派出所: not visible either (own unit and below).
    assert selectors.work_queue(officer2) == []


def test_bureau_wide_roles_see_every_unit_of_their_bureau(bureau_a, head, legal) -> None:
    start(bureau_a.station, object_id="X")
    start(bureau_a.station2, object_id="Y")
    assert len(selectors.work_queue(head)) == len(selectors.work_queue(legal)) == 2


def test_the_administrator_sees_no_deadlines(bureau_a, admin_user) -> None:
    start(bureau_a.station)
    assert selectors.work_queue(admin_user) == []


def test_the_journal_alone_is_enough_to_recompute_a_due_time(
    bureau_a, officer, bureau_head
) -> None:
    """Every fact the due time depends on is in the deadline's journal events: replaying them
    gives the stored due time."""
    from shoulian.deadlines import counting
    from shoulian.deadlines.models import DeadlineRule
    from shoulian.deadlines.tests.helpers import library_calendar

    deadline = start(bureau_a.station, code="public_order_case", started=at(2026, 1, 5, 10, 0))
    deadline_pause(actor=officer, deadline=deadline, at=at(2026, 1, 10, 9, 0), reason="鉴定")
    deadline_resume(actor=officer, deadline=deadline, at=at(2026, 1, 20, 9, 0))
    request = deadline_extension_request(actor=officer, deadline=deadline, length=30, reason="复杂")
    deadline_extend(actor=bureau_head, extension=request)
    deadline.refresh_from_db()

    def moment(text: str) -> dt.datetime:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)

    journal = AuditEvent.objects.filter(object_type="alert", object_id="A1").order_by("id")
    started_at, rule, pauses, extended, open_pause = None, None, [], 0, None
    for event in journal:
        data = event.content["data"]
        if event.event_type == EventType.DEADLINE_STARTED:
            started_at, rule = (
                moment(data["started_at"]),
                DeadlineRule.objects.get(pk=data["rule_id"]),
            )
        elif event.event_type == EventType.DEADLINE_PAUSED:
            open_pause = moment(data["at"])
        elif event.event_type == EventType.DEADLINE_RESUMED:
            assert open_pause is not None
            pauses.append(counting.Interval(open_pause, moment(data["at"])))
        elif event.event_type == EventType.DEADLINE_EXTENDED:
            extended += data["length"]
    assert started_at is not None and rule is not None
    replayed = counting.due_at(
        started_at, rule.period, library_calendar(), pauses=pauses, extension=extended
    )
    # 30 + 30 days from 5 Jan 2026 end with Fri 6 Mar; ten days paused: Mon 16 Mar.
    assert replayed == deadline.due_at == at(2026, 3, 17)


def test_a_deadline_says_why_it_has_no_due_time(bureau_a, officer) -> None:
    deadline = start(bureau_a.station, code="public_order_case", started=at(2026, 1, 5, 10, 0))
    assert deadline.due_note == ""
    deadline_pause(actor=officer, deadline=deadline, at=at(2026, 1, 10), reason="鉴定")
    assert "暂停计算中" in deadline.due_note
    deadline.status, deadline.missing_year = DeadlineStatus.OPEN, 2027
    deadline.due_at = at(2027, 1, 9)
    assert deadline.due_note == "暂定 2027年1月8日 24时；尚未录入2027年节假日安排"
    # A row written before provisional dates existed, until the next recompute dates it.
    deadline.due_at = None
    assert deadline.due_note == "待定：缺少2027年节假日安排"


def test_the_complainants_window_to_apply_for_reconsideration_is_nobodys_overdue_task(
    bureau_a, officer
) -> None:
    duty = start(bureau_a.station, object_id="S", started=at(2026, 3, 2, 9, 0))
    window = start(
        bureau_a.station,
        code="reconsideration_application",
        object_id="W",
        started=at(2026, 3, 2, 9, 0),
    )
    items = selectors.work_queue(officer, now=at(2026, 3, 20))
    assert [i.deadline.pk for i in items] == [duty.pk]
    # Still counted, and visible where the alert is shown.
    assert window.due_at is not None
