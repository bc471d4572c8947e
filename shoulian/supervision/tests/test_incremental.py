"""Incremental evaluation: a transition subscriber evaluates the changed alert in the step's own
transaction, so a finding opens or clears with the step that caused it."""

from __future__ import annotations

from typing import Any

import pytest

from shoulian.feedback.services import follow_up_record
from shoulian.feedback.tests.helpers import follow_up_of
from shoulian.supervision.choices import FindingStatus
from shoulian.supervision.models import Finding, InboxMessage
from shoulian.supervision.tests.helpers import aged_alert, only, patrol
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.models import FlowStep
from shoulian.workflow.tests.helpers import act, approve, handling, propose, routed

pytestmark = pytest.mark.django_db


def test_the_third_return_opens_the_finding_with_the_step(
    clerk: Any, officer: Any, officer2: Any
) -> None:
    alert = routed(clerk, officer.unit)
    for unit, by in ((officer2.unit, officer), (officer.unit, officer2)):
        act(by, alert, Action.RETURN, reason="不属于本所辖区")
        act(clerk, alert, Action.REROUTE, unit=unit, reason="改派")
    assert not Finding.objects.filter(rule_code="bounced_alert").exists()
    applied = act(officer, alert, Action.RETURN, reason="不属于本所辖区")
    finding = only("bounced_alert")
    assert finding.opened_at == applied.step.at
    assert FlowStep.objects.filter(alert=alert).count() == 6


def test_a_dissatisfied_follow_up_becomes_a_finding_at_once(
    clerk: Any, officer: Any, leader: Any, head: Any
) -> None:
    alert = handling(clerk, officer, category_code="0302")
    approve(leader, propose(officer, alert, DecisionKind.CLOSE_NON_CASE))
    follow_up_record(
        actor=clerk,
        follow_up=follow_up_of(alert),
        reached=True,
        satisfaction="dissatisfied",
        note="认为调解不公",
    )
    finding = only("follow_up_dissatisfied")
    assert finding.alert_id == alert.pk and finding.unit_id == officer.unit_id
    assert InboxMessage.objects.filter(finding=finding, recipient=head).exists()
    assert InboxMessage.objects.filter(finding=finding, recipient=officer, kind="finding").exists()


def test_a_decision_clears_the_warning_of_its_node(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    alert = aged_alert(clerk, officer, days=2)
    patrol(bureau_a.bureau, codes=["deadline_warning"])
    warning = only("deadline_warning")
    act(
        officer,
        alert,
        Action.PROPOSE,
        kind=DecisionKind.TRANSFER_OUT,
        facts="经查属于市场监督管理部门管辖，依法移送并告知报案人。",
        legal_basis="《公安机关办理行政案件程序规定》第六十一条",
        authority="市场监督管理局",
    )
    # A proposal does not stop the period: the warning stands.
    assert Finding.objects.get(pk=warning.pk).status == FindingStatus.OPEN
    approve(leader, alert.decisions.get(status="pending"))
    warning.refresh_from_db()
    assert warning.status == FindingStatus.CLEARED
