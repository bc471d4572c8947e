"""The approval chains on the legal brigade's page: versions with an effective date, journalled;
nobody else may change them (the administrator included, 三员分立)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.workflow.chains import StepInput, approval_chain_configure, steps_in_force
from shoulian.workflow.choices import ChainCondition, DecisionKind
from shoulian.workflow.models import ApprovalChain
from shoulian.workflow.tests.helpers import handling, propose

pytestmark = pytest.mark.django_db


def form(today: dt.date, *rows: tuple[str, str, str], reason: str = "加强事前审核") -> dict:
    data = {
        "step-TOTAL_FORMS": "6",
        "step-INITIAL_FORMS": "0",
        "effective_from": today.isoformat(),
        "change_reason": reason,
    }
    for i in range(6):
        role, condition, label = rows[i] if i < len(rows) else ("", "always", "")
        data |= {f"step-{i}-role": role, f"step-{i}-condition": condition, f"step-{i}-label": label}
    return data


def test_the_legal_brigade_saves_a_new_version_on_its_page_and_proposals_follow_it(
    legal: Any, clerk: Any, officer: Any, bureau_a: Any
) -> None:
    client = login_as(Client(), legal)
    page = client.get(reverse("workflow:chains")).content.decode()
    assert "全国默认" in page and "受案" in page
    url = reverse("workflow:chain_edit", kwargs={"kind": DecisionKind.ADMIN_ACCEPT})
    today = timezone.localdate()
    response = client.post(
        url,
        form(
            today,
            (Role.LEADER, ChainCondition.ALWAYS, "所队领导审批"),
            (Role.LEGAL_BRIGADE, ChainCondition.ALWAYS, "法制大队审核"),
        ),
    )
    assert response.status_code == 302
    assert "本局第1版" in client.get(reverse("workflow:chains")).content.decode()
    event = AuditEvent.objects.get(event_type=EventType.APPROVAL_CHAIN_CONFIGURED)
    assert event.actor_id == legal.pk
    alert = handling(clerk, officer, category_code="0201")
    decision = propose(officer, alert, DecisionKind.ADMIN_ACCEPT, legal_basis="治安管理处罚法")
    roles = list(decision.approvals.order_by("position").values_list("role", flat=True))
    assert roles == [Role.LEADER, Role.LEGAL_BRIGADE]


def test_a_version_dated_later_applies_from_its_day(legal: Any, bureau_a: Any) -> None:
    today = timezone.localdate()
    later = today + dt.timedelta(days=5)
    approval_chain_configure(
        actor=legal,
        bureau=bureau_a.bureau,
        kind=DecisionKind.CLOSE_NON_CASE,
        steps=[
            StepInput(Role.LEADER, ChainCondition.ALWAYS, "所队领导审批"),
            StepInput(Role.CENTER_HEAD, ChainCondition.ALWAYS, "中心负责人审核"),
        ],
        effective_from=later,
        change_reason="中心统一把关非案件类办结",
    )
    kind = DecisionKind.CLOSE_NON_CASE
    default = [Role.LEADER, Role.LEGAL_BRIGADE]  # the national rows (the second: 须法制审核 only)
    assert [s.role for s in steps_in_force(bureau_a.bureau, kind, today)] == default
    assert [s.role for s in steps_in_force(bureau_a.bureau, kind, later)] == [
        Role.LEADER,
        Role.CENTER_HEAD,
    ]
    with pytest.raises(ValidationError, match="不能早于今天"):
        approval_chain_configure(
            actor=legal,
            bureau=bureau_a.bureau,
            kind=kind,
            steps=[StepInput(Role.LEADER, ChainCondition.ALWAYS, "")],
            effective_from=today - dt.timedelta(days=1),
        )
    assert ApprovalChain.objects.count() == 1


def test_the_administrator_and_a_leader_cannot_change_a_chain(
    admin_user: Any, leader: Any, bureau_a: Any
) -> None:
    url = reverse("workflow:chain_edit", kwargs={"kind": DecisionKind.ADMIN_ACCEPT})
    for user in (admin_user, leader):
        client = login_as(Client(), user)
        assert client.get(reverse("workflow:chains")).status_code == 403
        response = client.post(
            url, form(timezone.localdate(), (Role.LEADER, ChainCondition.ALWAYS, "x"))
        )
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            approval_chain_configure(
                actor=user,
                bureau=bureau_a.bureau,
                kind=DecisionKind.ADMIN_ACCEPT,
                steps=[StepInput(Role.LEADER, ChainCondition.ALWAYS, "")],
            )
    assert not ApprovalChain.objects.exists()


def test_a_chain_without_a_step_for_every_alert_is_refused_on_the_page(legal: Any) -> None:
    client = login_as(Client(), legal)
    url = reverse("workflow:chain_edit", kwargs={"kind": DecisionKind.NOT_POLICE})
    response = client.post(
        url, form(timezone.localdate(), (Role.LEGAL_BRIGADE, ChainCondition.LEGAL_REVIEW, "审核"))
    )
    assert response.status_code == 400
    assert "至少一个审批环节须适用于所有警情" in response.content.decode()
    assert not ApprovalChain.objects.exists()
