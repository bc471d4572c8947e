"""Versioned rules: the legal brigade revises, history is kept, running deadlines follow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import make_user
from shoulian.deadlines import selectors
from shoulian.deadlines.choices import DurationUnit
from shoulian.deadlines.models import Deadline, DeadlineRule
from shoulian.deadlines.services import RULE_FIELDS, deadline_start, rule_revise
from shoulian.deadlines.tests.helpers import at

pytestmark = pytest.mark.django_db


def fields_of(code: str, **changes):
    rule = DeadlineRule.objects.get(code=code, bureau__isnull=True, version=1)
    data = {name: getattr(rule, name) for name in RULE_FIELDS}
    data.update(changes)
    return data


def start(unit, object_id="A1", started=None, code="reconsideration_decision"):
    return deadline_start(
        actor=None,
        rule_code=code,
        obj=("alert", object_id),
        unit=unit,
        started_at=started or at(2026, 1, 5, 10, 0),
    )


def test_the_legal_brigade_revises_a_rule_as_a_new_version(bureau_a, legal) -> None:
    rule = rule_revise(
        actor=legal,
        code="reconsideration_decision",
        change_reason="本局执行更严格的办案期限",
        **fields_of(
            "reconsideration_decision", length_value=20, effective_from=dt.date(2025, 1, 1)
        ),
    )
    assert rule.version == 2 and rule.bureau == bureau_a.bureau and rule.created_by == legal
    history = selectors.rule_history(legal, "reconsideration_decision")
    assert [r.version for r in history] == [1, 2]
    assert DeadlineRule.objects.get(code="reconsideration_decision", version=1).length_value == 30
    [event] = AuditEvent.objects.filter(event_type=int(EventType.DEADLINE_RULE_REVISED))
    assert event.content["data"]["changes"] == {
        "length_value": {"from": 30, "to": 20},
        "effective_from": {"from": "2000-01-01", "to": "2025-01-01"},
    }


def test_a_revision_recomputes_the_running_deadlines_it_covers(bureau_a, legal) -> None:
    running = start(bureau_a.station)
    assert running.due_at == at(2026, 2, 5)
    rule_revise(
        actor=legal,
        code="reconsideration_decision",
        change_reason="修订",
        **fields_of(
            "reconsideration_decision", length_value=20, effective_from=dt.date(2025, 1, 1)
        ),
    )
    running.refresh_from_db()
    # 20 days from 5 Jan 2026: last day Sun 25 Jan → Mon 26 Jan.
    assert running.due_at == at(2026, 1, 27) and running.rule.version == 2
    [event] = AuditEvent.objects.filter(event_type=int(EventType.DEADLINE_RECOMPUTED))
    assert event.object_id == "A1" and event.actor_id == legal.pk


def test_a_future_revision_leaves_running_deadlines_alone(bureau_a, legal) -> None:
    running = start(bureau_a.station)
    rule_revise(
        actor=legal,
        code="reconsideration_decision",
        change_reason="新法施行",
        **fields_of(
            "reconsideration_decision", length_value=20, effective_from=dt.date(2030, 1, 1)
        ),
    )
    running.refresh_from_db()
    assert running.due_at == at(2026, 2, 5) and running.rule.version == 1
    row = next(
        r
        for r in selectors.rules_for(legal, today=dt.date(2026, 6, 1))
        if r.current.code == "reconsideration_decision"
    )
    assert row.current.version == 1 and row.upcoming is not None and row.upcoming.version == 2


def test_a_revision_in_bureau_a_never_touches_bureau_b(bureau_a, bureau_b, legal) -> None:
    theirs = start(bureau_b.station, object_id="B1")
    rule_revise(
        actor=legal,
        code="reconsideration_decision",
        change_reason="修订",
        **fields_of(
            "reconsideration_decision", length_value=20, effective_from=dt.date(2025, 1, 1)
        ),
    )
    theirs.refresh_from_db()
    assert theirs.due_at == at(2026, 2, 5) and theirs.rule.version == 1
    outsider = make_user("outsider2", bureau_b.station, "officer")
    assert [r.version for r in selectors.rule_history(outsider, "reconsideration_decision")] == [1]


def test_officers_and_administrators_cannot_revise_rules(officer, admin_user, head) -> None:
    for actor in (officer, admin_user, head):
        with pytest.raises(PermissionDenied):
            rule_revise(
                actor=actor,
                code="reconsideration_decision",
                change_reason="试图修改",
                **fields_of("reconsideration_decision", length_value=90),
            )
    assert DeadlineRule.objects.filter(code="reconsideration_decision").count() == 1


def test_hour_periods_cannot_be_made_to_move_on_holidays(legal) -> None:
    with pytest.raises(ValidationError) as exc:
        rule_revise(
            actor=legal,
            code="urgent_registration",
            change_reason="试",
            **fields_of("urgent_registration", moves_on_holiday=True),
        )
    assert "moves_on_holiday" in exc.value.message_dict


def test_an_extension_needs_an_approver_and_a_cap_that_covers_it(legal) -> None:
    with pytest.raises(ValidationError) as exc:
        rule_revise(
            actor=legal,
            code="non_filing_notice",
            change_reason="试",
            **fields_of("non_filing_notice", extension_length=3, extension_cap=3),
        )
    assert "extension_approver_role" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rule_revise(
            actor=legal,
            code="non_filing_notice",
            change_reason="试",
            **fields_of(
                "non_filing_notice",
                extension_length=5,
                extension_cap=3,
                extension_approver_role="leader",
            ),
        )
    assert "extension_length" in exc.value.message_dict


def test_the_administrator_cannot_be_named_approver(legal) -> None:
    with pytest.raises(ValidationError):
        rule_revise(
            actor=legal,
            code="non_filing_notice",
            change_reason="试",
            **fields_of(
                "non_filing_notice",
                extension_length=3,
                extension_cap=3,
                extension_approver_role="admin",
            ),
        )


def test_an_unchanged_revision_and_a_missing_reason_are_refused(legal) -> None:
    with pytest.raises(ValidationError, match="相同"):
        rule_revise(
            actor=legal,
            code="score_challenge",
            change_reason="只改日期",
            **fields_of("score_challenge", effective_from=dt.date(2026, 1, 1)),
        )
    with pytest.raises(ValidationError):
        rule_revise(
            actor=legal,
            code="score_challenge",
            change_reason=" ",
            **fields_of("score_challenge", length_value=5),
        )


def test_a_withdrawn_rule_starts_no_new_deadlines(bureau_a, legal) -> None:
    rule_revise(
        actor=legal,
        code="score_challenge",
        change_reason="考评办法废止",
        **fields_of("score_challenge", is_active=False, effective_from=dt.date(2026, 1, 1)),
    )
    with pytest.raises(ValidationError, match="停止适用"):
        start(bureau_a.station, code="score_challenge", started=at(2026, 3, 2))
    # Before the withdrawal the old version still governs.
    assert (
        start(bureau_a.station, code="score_challenge", started=at(2025, 12, 1)).rule.version == 1
    )


def test_working_day_units_are_available_for_periods_read_as_working_days(bureau_a, legal) -> None:
    rule_revise(
        actor=legal,
        code="score_challenge",
        change_reason="考评办法规定为工作日",
        **fields_of(
            "score_challenge",
            length_unit=DurationUnit.WORKING_DAYS,
            effective_from=dt.date(2026, 1, 1),
        ),
    )
    # 3 working days from Fri 13 Feb 2026: Sat 14 (调休), Tue 24, Wed 25 Feb.
    deadline = start(bureau_a.station, code="score_challenge", started=at(2026, 2, 13, 10, 0))
    assert deadline.due_at == at(2026, 2, 26)
    assert Deadline.objects.get(pk=deadline.pk).rule.length_text == "3个工作日"


def test_two_revisions_at_the_same_moment_the_second_is_told_to_look_again(legal) -> None:
    from unittest import mock

    from shoulian.deadlines import versions

    first = rule_revise(
        actor=legal,
        code="reconsideration_decision",
        change_reason="本局执行更严格的办案期限",
        **fields_of(
            "reconsideration_decision", length_value=20, effective_from=dt.date(2025, 1, 1)
        ),
    )
    # The concurrent revision computed the same next version number before this one committed.
    with (
        mock.patch.object(versions, "next_version_number", return_value=first.version),
        pytest.raises(ValidationError, match="刚刚被其他人修订"),
    ):
        rule_revise(
            actor=legal,
            code="reconsideration_decision",
            change_reason="另一位同事的修订",
            **fields_of(
                "reconsideration_decision", length_value=25, effective_from=dt.date(2025, 1, 1)
            ),
        )
    assert AuditEvent.objects.filter(event_type=EventType.DEADLINE_RULE_REVISED).count() == 1
