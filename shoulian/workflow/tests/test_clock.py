"""Every node meets its legal deadline: the workflow starts and stops the deadline engine's periods
(DOMAIN §5) and bouncing an alert never resets its clock."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from shoulian.deadlines.models import Deadline
from shoulian.deadlines.services import deadline_extend, deadline_extension_request
from shoulian.deadlines.tests.helpers import at
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.tests.helpers import act, approve, fresh, handling, propose, routed

pytestmark = pytest.mark.django_db


# Intake's own periods (三个当场, 110 补录) run from intake's events: tests/test_intake_clock.py.
INTAKE_CODES = ("walkin_registration", "urgent_registration")


def deadlines(alert: Any, **filters: Any) -> list[Deadline]:
    return list(
        Deadline.objects.filter(object_type="alert", object_id=str(alert.pk), **filters)
        .exclude(code__in=INTAKE_CODES)
        .order_by("id")
    )


def test_routing_starts_the_review_period_from_registration_for_the_routed_unit(
    clerk: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    (review,) = deadlines(alert)
    assert review.code == "criminal_filing_review"
    assert review.unit == bureau_a.station
    assert review.started_at == alert.registered_at
    assert review.rule.source_law.startswith("公安部《关于改革完善受案立案制度的意见》")


def test_public_order_alert_gets_the_24_hour_acceptance_review(clerk: Any, bureau_a: Any) -> None:
    alert = routed(clerk, bureau_a.station, category_code="0201")
    (review,) = deadlines(alert)
    assert review.code == "admin_acceptance_review"
    assert review.due_at is not None
    assert (review.due_at - review.started_at).total_seconds() <= 25 * 3600


def test_returning_moves_the_clock_to_the_center_without_restarting_it(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    first = deadlines(alert)[0]
    act(officer, alert, Action.RETURN, reason="非本所辖区")
    act(clerk, alert, Action.REROUTE, unit=bureau_a.station2, reason="改派城南")
    rows = deadlines(alert)
    assert [(d.unit, d.status) for d in rows] == [
        (bureau_a.station, "stopped"),
        (bureau_a.center, "stopped"),
        (bureau_a.station2, "open"),
    ]
    assert {d.started_at for d in rows} == {first.started_at}
    assert {d.due_at for d in rows} == {first.due_at}


def test_a_decision_stops_the_review_and_non_filing_starts_the_notice_period(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert, DecisionKind.NOT_FILE, facts="没有犯罪事实。")
    approve(leader, decision)
    approve(bureau_head, decision)
    review = deadlines(alert, code="criminal_filing_review")[0]
    assert review.status == "stopped" and review.stopped_late is False
    (notice,) = deadlines(alert, code="non_filing_notice")
    assert notice.status == "open" and notice.rule.source_article == "第一百七十八条"

    act(officer, alert, Action.SERVE_NOTICE)
    assert deadlines(alert, code="non_filing_notice")[0].status == "stopped"
    assert deadlines(alert, code="reconsideration_application")[0].status == "open"


def test_bureau_head_extends_the_criminal_review_to_thirty_days(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, time_machine: Any
) -> None:
    # A fixed instant: 30 days from "today" would reach a year whose holidays may not be known.
    time_machine.move_to(at(2026, 6, 15, 10, 0))
    alert = handling(clerk, officer)
    review = deadlines(alert, code="criminal_filing_review")[0]
    with pytest.raises(PermissionDenied):
        # The officer asks; a leader is not the approver the rule names.
        extension = deadline_extension_request(
            actor=officer, deadline=review, length=27, reason="案情重大复杂，需调取银行流水"
        )
        deadline_extend(actor=leader, extension=extension)
    review.refresh_from_db()
    extended = deadline_extend(actor=bureau_head, extension=review.extensions.get())
    assert extended.extended_by == 27
    # Registered Mon 15 Jun 2026: 3 + 27 days end on Wed 15 Jul, a working day.
    assert extended.due_at == at(2026, 7, 16) and not extended.is_provisional
    assert (extended.due_at - review.started_at).days >= 29


def test_public_order_case_period_starts_when_the_case_is_accepted(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer, category_code="0201")
    decision = propose(officer, alert, DecisionKind.ADMIN_ACCEPT, legal_basis="治安管理处罚法")
    approve(leader, decision)
    assert fresh(alert).status == "admin_case"
    (case,) = deadlines(alert, code="public_order_case")
    assert case.status == "open" and case.unit == alert.handling_unit
