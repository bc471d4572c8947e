"""Counting gaps of issue 12 §6, as table tests around month ends and holidays: month periods
(刑事诉讼法 art. 105, the end on the same-numbered day or the month's last day), the "延长至3日" of
行政案件受案审查 counted in days, the extensions of the 复核 decision and the 信访 answer, and the
治安 period of the revised 治安管理处罚法 from 2026-01-01.

Expected dates are worked out by hand from the State Council calendar (seeded data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shoulian.deadlines import counting, versions
from shoulian.deadlines.choices import DurationUnit
from shoulian.deadlines.counting import Period, add_months, due_at
from shoulian.deadlines.holidays import DatabaseCalendar
from shoulian.deadlines.models import Deadline, DeadlineRule
from shoulian.deadlines.services import compute
from shoulian.deadlines.tests.helpers import at

MONTH = DurationUnit.MONTHS

# (start, months, moves on holiday, expected due: 24:00 of the last day, as 0:00 of the next)
MONTH_TABLE = [
    # 31 Jan + 1 month: February has no 31st → its last day, Sat 28 Feb 2026, a 调休 working day.
    (at(2026, 1, 31, 10, 0), 1, True, at(2026, 3, 1)),
    # 30 Apr + 1 month: the same-numbered day, Sat 30 May 2026, is a rest day → Mon 1 Jun.
    (at(2026, 4, 30, 9, 0), 1, True, at(2026, 6, 2)),
    # 31 Mar + 1 month: April has no 31st → Thu 30 Apr 2026, a working day.
    (at(2026, 3, 31, 16, 0), 1, True, at(2026, 5, 1)),
    # 31 Aug + 2 months: Sat 31 Oct 2026 is a rest day → Mon 2 Nov.
    (at(2026, 8, 31, 8, 0), 2, True, at(2026, 11, 3)),
    # 1 Sep + 1 month: 1 Oct 2026 is National Day (1–7 Oct) → Thu 8 Oct.
    (at(2026, 9, 1, 11, 0), 1, True, at(2026, 10, 9)),
    # A custody period never moves: it ends on 1 Oct itself.
    (at(2026, 9, 1, 11, 0), 1, False, at(2026, 10, 2)),
    # Across the year end: 30 Nov 2025 + 2 months → Fri 30 Jan 2026.
    (at(2025, 11, 30, 23, 0), 2, True, at(2026, 1, 31)),
    # The start hour does not matter: 0:30 on 15 Sep → the 15th of October (Thu).
    (at(2026, 9, 15, 0, 30), 1, True, at(2026, 10, 16)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "months", "moves", "expected"), MONTH_TABLE)
def test_month_periods_end_on_the_same_numbered_day_or_the_month_end(
    start: dt.datetime, months: int, moves: bool, expected: dt.datetime
) -> None:
    due = due_at(start, Period(months, MONTH, moves), DatabaseCalendar())
    assert due == expected, due.astimezone(counting.LEGAL_TZ)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2027, 1, 29), 1, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 31), 2, dt.date(2027, 2, 28)),
        (dt.date(2026, 5, 15), 12, dt.date(2027, 5, 15)),
        (dt.date(2026, 10, 31), 4, dt.date(2027, 2, 28)),
    ],
)
def test_add_months_takes_the_last_day_when_the_month_has_no_such_day(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


def _latest(code: str) -> DeadlineRule:
    return DeadlineRule.objects.filter(code=code, bureau__isnull=True).order_by("-version")[0]


def _due(rule: DeadlineRule, start: dt.datetime, extended_by: int = 0) -> dt.datetime:
    return compute(
        rule=rule, started_at=start, pauses=(), extended_by=extended_by, calendar=DatabaseCalendar()
    ).due_at


# (start, extended_by, expected) for 行政案件受案审查 v2: 24 hours, "延长至3日" in days.
ACCEPTANCE_TABLE = [
    # Not extended: 24 clock hours, never moved (23:59 → counting from 0:00 on the 15th).
    (at(2026, 2, 14, 23, 59), 0, at(2026, 2, 16, 0, 0)),
    # Extended to 3 days: last day 17 Feb is in the Spring Festival (15–23 Feb) → Tue 24 Feb.
    # (The old reading, 72 clock hours, gave 18 Feb 0:00.)
    (at(2026, 2, 14, 23, 59), 3, at(2026, 2, 25)),
    # From Wed 11 Mar 2026: 3 days end Sat 14 Mar, a rest day → Mon 16 Mar.
    (at(2026, 3, 11, 10, 0), 3, at(2026, 3, 17)),
    # From Wed 25 Feb 2026: 3 days end Sat 28 Feb, a 调休 working Saturday: no move.
    (at(2026, 2, 25, 15, 0), 3, at(2026, 3, 1)),
    # Extended to 2 days only: last day Fri 13 Mar.
    (at(2026, 3, 11, 10, 0), 2, at(2026, 3, 14)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "extended_by", "expected"), ACCEPTANCE_TABLE)
def test_difficult_acceptance_review_is_counted_in_days_and_moves_for_holidays(
    start: dt.datetime, extended_by: int, expected: dt.datetime
) -> None:
    rule = _latest("admin_acceptance_review")
    assert rule.extends_to and rule.extension_cap == 3
    assert rule.extension_text == "经所队领导批准可延长至3日"
    assert _due(rule, start, extended_by) == expected


# (code, start, extended_by, expected)
EXTENSION_TABLE = [
    # 复核 decision: 30 days from Sat 6 Sep 2025 end on 6 Oct (holiday) → 9 Oct ...
    ("review_decision", at(2025, 9, 6, 14, 0), 0, at(2025, 10, 10)),
    # ... +30 for a complex case: 60 days, last day Wed 5 Nov 2025.
    ("review_decision", at(2025, 9, 6, 14, 0), 30, at(2025, 11, 6)),
    # 信访 answer: 60 days from Thu 7 Aug 2025 end on 6 Oct → 9 Oct; +30 → Wed 5 Nov.
    ("complaint_answer", at(2025, 8, 7, 10, 0), 0, at(2025, 10, 10)),
    ("complaint_answer", at(2025, 8, 7, 10, 0), 30, at(2025, 11, 6)),
    # +30 across the Spring Festival: 90 days from Tue 25 Nov 2025 end Mon 23 Feb 2026 → 24 Feb.
    ("complaint_answer", at(2025, 11, 25, 9, 0), 30, at(2026, 2, 25)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "start", "extended_by", "expected"), EXTENSION_TABLE)
def test_review_decision_and_petition_answer_may_be_extended_by_30_days(
    code: str, start: dt.datetime, extended_by: int, expected: dt.datetime
) -> None:
    rule = _latest(code)
    assert (rule.extension_length, rule.extension_cap) == (30, 30)
    assert _due(rule, start, extended_by) == expected


@pytest.mark.django_db
def test_the_review_window_runs_from_the_service_of_the_reconsideration_decision() -> None:
    rule = _latest("review_application")
    assert rule.start_event == "reconsideration_decision_served"
    # Served Fri 25 Sep 2026 (the decision may be days older): 7 days end 2 Oct → Thu 8 Oct.
    assert _due(rule, at(2026, 9, 25, 16, 0)) == at(2026, 10, 9)


@pytest.mark.django_db
def test_the_revised_public_order_law_governs_cases_from_2026() -> None:
    old = versions.in_force("public_order_case", None, dt.date(2025, 12, 31))
    new = versions.in_force("public_order_case", None, dt.date(2026, 1, 1))
    assert old.version == 1 and "2012" in old.source_law
    assert new.version == 2 and "2025年修订" in new.source_law
    assert new.effective_from == dt.date(2026, 1, 1)
    # Counted from 立案 (受案), 鉴定 and 听证 excluded, extended at most twice by 30 days.
    assert (new.extension_length, new.extension_cap) == (30, 60)
    assert new.allows_pause and "听证" in new.description and "立案" in new.description
    start = at(2026, 1, 5, 10, 0)
    # 30 days: last day Wed 4 Feb; twice extended (90 days): Sun 5 Apr is 清明 (4–6 Apr) → 7 Apr.
    assert _due(new, start) == at(2026, 2, 5)
    assert _due(new, start, 60) == at(2026, 4, 8)


@pytest.mark.django_db
def test_a_third_public_order_extension_is_refused(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    from shoulian.deadlines.services import (
        deadline_extend,
        deadline_extension_request,
    )
    from shoulian.workflow.choices import DecisionKind
    from shoulian.workflow.tests.helpers import approve, handling, propose

    alert = handling(clerk, officer, category_code="0201")
    approve(
        leader, propose(officer, alert, DecisionKind.ADMIN_ACCEPT, legal_basis="治安管理处罚法")
    )
    deadline = Deadline.objects.get(object_id=str(alert.pk), code="public_order_case")
    assert deadline.rule.version == 2
    for _ in range(2):
        extension = deadline_extension_request(
            actor=officer, deadline=deadline, length=30, reason="案情重大复杂，需进一步调查取证。"
        )
        deadline = deadline_extend(actor=bureau_head, extension=extension)
    assert deadline.extended_by == 60
    with pytest.raises(ValidationError, match="已达到延长上限"):
        deadline_extension_request(actor=officer, deadline=deadline, length=30, reason="再次延长")
