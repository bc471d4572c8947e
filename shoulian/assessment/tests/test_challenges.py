"""申诉: a 3-day window from posting (the seeded ``score_challenge`` rule, holidays moving its
last day), a 3-day answer (``score_challenge_answer``), upheld reversed by a new entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shoulian.assessment import selectors
from shoulian.assessment.choices import ChallengeStatus, EntryKind, PeriodKind, Subject
from shoulian.assessment.models import ScoreEntry
from shoulian.assessment.periods import Period
from shoulian.assessment.services import (
    answer_deadline_of,
    challenge_answer,
    challenge_file,
    score_bureau,
    window_of,
)
from shoulian.assessment.tests.helpers import at, neglected_alert, patrol_and_score
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.deadlines.choices import DeadlineStatus

pytestmark = pytest.mark.django_db


def _entry(officer: Any, subject: str = Subject.OFFICER) -> ScoreEntry:
    return ScoreEntry.objects.filter(subject=subject, unit=officer.unit).order_by("pk").first()  # type: ignore[return-value]


def _events(event_type: int) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def test_an_upheld_challenge_gives_the_points_back_by_a_new_entry(
    bureau_a: Any, clerk: Any, officer: Any, legal: Any
) -> None:
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    entry = _entry(officer)
    month = Period.of(PeriodKind.MONTH, entry.period)
    before = selectors.card_for(officer, subject=Subject.OFFICER, key=officer.pk, period=month)
    window = window_of(entry)
    assert window is not None and window.code == "score_challenge"
    challenge = challenge_file(
        actor=officer, entry=entry, reason="该警情已按期报请延长立案审查期限。"
    )
    window.refresh_from_db()
    assert window.status == DeadlineStatus.STOPPED
    answer = answer_deadline_of(challenge)
    assert answer is not None and answer.code == "score_challenge_answer"
    assert answer.status == DeadlineStatus.OPEN
    challenge_answer(
        actor=legal, challenge=challenge, upheld=True, answer="经核查，延长审批手续齐全。"
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.UPHELD and challenge.reversal is not None
    reversal = challenge.reversal
    assert (reversal.kind, reversal.points, reversal.reverses_id) == (
        EntryKind.REVERSAL, -entry.points, entry.pk,
    )  # fmt: skip
    entry.refresh_from_db()
    assert entry.points < 0  # the entry itself is untouched
    after = selectors.card_for(officer, subject=Subject.OFFICER, key=officer.pk, period=month)
    assert after.score == before.score - entry.points
    answer.refresh_from_db()
    assert answer.status == DeadlineStatus.STOPPED and answer.stopped_late is False
    assert _events(EventType.SCORE_CHALLENGED) == 1
    assert _events(EventType.SCORE_CHALLENGE_UPHELD) == 1
    # Answered once only; the nightly run does not charge the fact again.
    with pytest.raises(ValidationError):
        challenge_answer(actor=legal, challenge=challenge, upheld=False, answer="再次答复")
    assert score_bureau(bureau=bureau_a.bureau).posted == 0


def test_a_rejected_challenge_leaves_the_deduction(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, legal: Any
) -> None:
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    entry = _entry(officer, Subject.UNIT)
    # The unit's deduction is challenged by its leader.
    challenge = challenge_file(actor=leader, entry=entry, reason="本所当日警力不足，已及时报告。")
    challenge_answer(
        actor=legal, challenge=challenge, upheld=False, answer="理由不能成立，维持扣分。"
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.REJECTED and challenge.reversal is None
    assert not ScoreEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    assert _events(EventType.SCORE_CHALLENGE_REJECTED) == 1
    with pytest.raises(ValidationError):
        challenge_file(actor=leader, entry=entry, reason="再次申诉，理由同上。")


def test_who_cannot_challenge_or_answer(
    bureau_a: Any, clerk: Any, officer: Any, officer2: Any, head: Any, legal: Any, outsider: Any
) -> None:
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    entry = _entry(officer)
    denied = _events(EventType.ASSESSMENT_REFUSED)
    # A colleague, the center head and another bureau cannot challenge the officer's deduction.
    for user in (officer2, head, outsider):
        with pytest.raises(PermissionDenied):
            challenge_file(actor=user, entry=entry, reason="替他人申诉的理由。")
    assert _events(EventType.ASSESSMENT_REFUSED) == denied + 3
    challenge = challenge_file(actor=officer, entry=entry, reason="理由充分的申诉内容。")
    # Only the legal brigade answers.
    for user in (officer, head, outsider):
        with pytest.raises(PermissionDenied):
            challenge_answer(actor=user, challenge=challenge, upheld=True, answer="同意")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PENDING


def test_the_three_day_window_moves_past_the_national_day_holiday(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, legal: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(2025, 9, 30, 10))
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    officer_entry, unit_entry = _entry(officer), _entry(officer, Subject.UNIT)
    window = window_of(officer_entry)
    assert window is not None
    # 3 days from 30 Sep end on 3 Oct, a holiday: the period runs to the first working day after
    # the National Day holiday, 24:00 on 9 Oct 2025.
    assert window.due_at == at(2025, 10, 10, 0)
    time_machine.move_to(at(2025, 10, 9, 23))
    challenge = challenge_file(
        actor=officer, entry=officer_entry, reason="节后第一个工作日提出申诉。"
    )
    time_machine.move_to(at(2025, 10, 10, 0, 30))
    with pytest.raises(ValidationError, match="申诉期已过"):
        challenge_file(actor=leader, entry=unit_entry, reason="已过申诉期的申诉。")
    # The answer: 3 days from 9 Oct end on Sunday 12 Oct, a rest day: moved to Monday 13 Oct.
    answer = answer_deadline_of(challenge)
    assert answer is not None and answer.due_at == at(2025, 10, 14, 0)
    # The nightly run closes the unit entry's window at its due time, not later.
    score_bureau(bureau=bureau_a.bureau)
    unit_window = window_of(unit_entry)
    assert unit_window is not None and unit_window.status == DeadlineStatus.STOPPED
    assert unit_window.stopped_at == at(2025, 10, 10, 0) and unit_window.stopped_late is False
    # An answer after the period is still recorded, and the answer deadline says it was late.
    time_machine.move_to(at(2025, 10, 15, 9))
    challenge_answer(actor=legal, challenge=challenge, upheld=False, answer="维持原扣分决定。")
    answer.refresh_from_db()
    assert answer.stopped_late is True
    assert Decimal(officer_entry.points) < 0
