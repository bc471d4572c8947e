"""Routing by the center, sign-for, return, transfer through the center, disputes and designation
(DOMAIN §4, issue 5 items 2 and 3), driven through ``alert_transition``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.conftest import make_user
from shoulian.intake.choices import AlertStatus
from shoulian.intake.models import Category
from shoulian.workflow.choices import Action, NotificationChannel, NotificationPurpose
from shoulian.workflow.models import (
    AlertFlow,
    Dispute,
    FlowStep,
    Notification,
    Routing,
    TransferRequest,
)
from shoulian.workflow.routing import routing_rule_create, suggest
from shoulian.workflow.services import TransitionConflict, TransitionDenied, TransitionError
from shoulian.workflow.tests.helpers import act, fresh, new_alert, routed

pytestmark = pytest.mark.django_db


def events(alert: Any, *types: int) -> list[AuditEvent]:
    qs = AuditEvent.objects.filter(object_type="alert", object_id=str(alert.pk))
    if types:
        qs = qs.filter(event_type__in=types)
    return list(qs.order_by("id"))


# --- routing -----------------------------------------------------------------------------------
def test_center_clerk_routes_a_registered_alert_to_the_suggested_station(
    clerk: Any, bureau_a: Any
) -> None:
    alert = new_alert(clerk)
    assert suggest(alert).unit == bureau_a.station

    applied = act(clerk, alert, Action.ROUTE, unit=bureau_a.station)

    alert = fresh(alert)
    assert (alert.status, alert.handling_unit) == (AlertStatus.ROUTED, bureau_a.station)
    routing = Routing.objects.get(alert=alert)
    assert routing.suggested_unit == bureau_a.station and not routing.overridden
    assert applied.event.event_type == EventType.ALERT_ROUTED
    assert applied.event.data["changed"]["unit"] == [None, bureau_a.station.code]
    assert AlertFlow.objects.get(alert=alert).route_count == 1


def test_routing_away_from_the_suggestion_needs_a_reason(clerk: Any, bureau_a: Any) -> None:
    alert = new_alert(clerk)
    with pytest.raises(TransitionError, match="改派理由"):
        act(clerk, alert, Action.ROUTE, unit=bureau_a.station2)
    assert fresh(alert).status == AlertStatus.REGISTERED

    act(clerk, alert, Action.ROUTE, unit=bureau_a.station2, reason="发案地实为城南街道")
    routing = Routing.objects.get(alert=alert)
    assert routing.overridden and routing.reason == "发案地实为城南街道"


def test_auxiliary_clerk_may_route_because_routing_is_not_a_legal_decision(
    auxiliary_clerk: Any, bureau_a: Any
) -> None:
    alert = new_alert(auxiliary_clerk)
    act(auxiliary_clerk, alert, Action.ROUTE, unit=bureau_a.station)
    assert fresh(alert).status == AlertStatus.ROUTED


def test_station_clerk_cannot_route_an_alert_of_its_own_desk(bureau_a: Any) -> None:
    desk = make_user("stationdesk", bureau_a.station, Role.CLERK)
    alert = new_alert(desk)
    with pytest.raises(TransitionDenied, match="受立案管理中心"):
        act(desk, alert, Action.ROUTE, unit=bureau_a.station2, reason="试图改派")


def test_officer_cannot_route(clerk: Any, officer: Any, bureau_a: Any) -> None:
    alert = routed(clerk, bureau_a.station)
    with pytest.raises(TransitionError):
        act(officer, alert, Action.ROUTE, unit=bureau_a.station)


def test_routing_rule_beats_the_jurisdiction_and_the_leaf_beats_the_group(
    clerk: Any, head: Any, bureau_a: Any
) -> None:
    economic = Category.objects.get(code="0106")  # 合同诈骗
    routing_rule_create(
        actor=head, bureau=bureau_a.bureau, unit=bureau_a.station2, category=economic.parent
    )
    routing_rule_create(
        actor=head, bureau=bureau_a.bureau, unit=bureau_a.criminal, category=economic
    )
    alert = new_alert(clerk, category_code="0106")
    suggestion = suggest(alert)
    assert suggestion.unit == bureau_a.criminal
    assert "合同诈骗" in suggestion.basis
    theft = new_alert(clerk, category_code="0101")
    assert suggest(theft).unit == bureau_a.station2  # the group rule covers every 刑事 leaf


def test_only_the_center_head_keeps_routing_rules(clerk: Any, bureau_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        routing_rule_create(
            actor=clerk,
            bureau=bureau_a.bureau,
            unit=bureau_a.criminal,
            category=Category.objects.get(code="0106"),
        )


# --- the unit's inbox ----------------------------------------------------------------------------
def test_unit_officer_signs_for_and_becomes_the_handling_officer(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.SIGN_FOR)
    flow = AlertFlow.objects.get(alert=alert)
    assert fresh(alert).status == AlertStatus.SIGNED
    assert flow.handling_officer == officer and flow.signed_at is not None


def test_station_signs_for_an_alert_registered_at_its_own_desk(officer: Any, bureau_a: Any) -> None:
    desk = make_user("stationdesk", bureau_a.station, Role.CLERK)
    alert = new_alert(desk)
    assert alert.handling_unit == bureau_a.station
    act(officer, alert, Action.SIGN_FOR)
    assert fresh(alert).status == AlertStatus.SIGNED


def test_leader_of_another_station_cannot_sign_for(clerk: Any, bureau_a: Any) -> None:
    other_leader = make_user("leader2", bureau_a.station2, Role.LEADER)
    alert = routed(clerk, bureau_a.station)
    with pytest.raises(TransitionDenied):
        act(other_leader, alert, Action.SIGN_FOR)
    assert fresh(alert).status == AlertStatus.ROUTED


def test_return_needs_a_reason_and_sends_the_alert_back_to_the_center(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    with pytest.raises(TransitionError, match="理由"):
        act(officer, alert, Action.RETURN, reason="  ")
    act(officer, alert, Action.RETURN, reason="发案地属城南辖区")
    alert = fresh(alert)
    assert (alert.status, alert.handling_unit) == (AlertStatus.RETURNED, None)
    assert AlertFlow.objects.get(alert=alert).return_count == 1
    step = FlowStep.objects.get(alert=alert, action=Action.RETURN)
    assert step.from_unit == bureau_a.station and step.reason == "发案地属城南辖区"


def test_center_reroutes_a_returned_alert(clerk: Any, officer: Any, bureau_a: Any) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.RETURN, reason="发案地属城南辖区")
    act(clerk, alert, Action.REROUTE, unit=bureau_a.station2, reason="按退回理由改派城南")
    alert = fresh(alert)
    assert (alert.status, alert.handling_unit) == (AlertStatus.ROUTED, bureau_a.station2)
    assert AlertFlow.objects.get(alert=alert).route_count == 2


def test_signed_alert_cannot_be_returned(clerk: Any, officer: Any, bureau_a: Any) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.SIGN_FOR)
    with pytest.raises(TransitionError, match="不能退回中心"):
        act(officer, alert, Action.RETURN, reason="签收后不想办")


# --- transfers through the center ----------------------------------------------------------------
def test_transfer_goes_through_the_center_with_materials_and_the_reporter_informed(
    clerk: Any, officer: Any, officer2: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.SIGN_FOR)
    act(officer, alert, Action.REQUEST_TRANSFER, unit=bureau_a.station2, reason="嫌疑人住城南")
    transfer = TransferRequest.objects.get(alert=alert)
    assert transfer.materials and transfer.materials[0]["name"] == "购车发票"
    assert fresh(alert).handling_unit == bureau_a.station  # nothing moves until the center agrees

    act(clerk, alert, Action.APPROVE_TRANSFER)

    alert = fresh(alert)
    assert (alert.status, alert.handling_unit) == (AlertStatus.ROUTED, bureau_a.station2)
    transfer.refresh_from_db()
    assert transfer.status == "approved" and transfer.decided_by == clerk
    notice = Notification.objects.get(alert=alert)
    assert notice.purpose == NotificationPurpose.TRANSFERRED_INTERNAL
    assert notice.channel == NotificationChannel.SMS and notice.status == "pending"
    assert bureau_a.station2.name in notice.text and "138" not in notice.text
    assert AlertFlow.objects.get(alert=alert).transfer_count == 1
    # The materials move with the alert: the new unit sees the evidence list.
    from shoulian.intake.models import EvidenceItem

    assert EvidenceItem.objects.visible_to(officer2).filter(alert=alert).exists()


def test_center_may_refuse_a_transfer_with_a_reason(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.SIGN_FOR)
    act(officer, alert, Action.REQUEST_TRANSFER, unit=bureau_a.station2, reason="想移交")
    with pytest.raises(TransitionError):
        act(clerk, alert, Action.REJECT_TRANSFER)
    act(clerk, alert, Action.REJECT_TRANSFER, reason="发案地在本所辖区，应由本所办理")
    assert fresh(alert).handling_unit == bureau_a.station
    assert TransferRequest.objects.get(alert=alert).status == "rejected"


def test_unit_cannot_approve_its_own_transfer(
    clerk: Any, officer: Any, leader: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.SIGN_FOR)
    act(officer, alert, Action.REQUEST_TRANSFER, unit=bureau_a.station2, reason="想移交")
    with pytest.raises(TransitionDenied):
        act(leader, alert, Action.APPROVE_TRANSFER)


# --- disputes and designation --------------------------------------------------------------------
def test_dispute_is_decided_by_the_center_head_and_the_designated_unit_cannot_bounce_it(
    clerk: Any, officer: Any, officer2: Any, head: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    act(
        officer,
        alert,
        Action.RAISE_DISPUTE,
        claimed_unit=bureau_a.station2,
        reason="发案地在两所交界处，应由城南所管辖",
    )
    assert fresh(alert).status == AlertStatus.DISPUTED
    with pytest.raises(TransitionDenied):
        act(clerk, alert, Action.DESIGNATE, unit=bureau_a.station2, reason="clerk tries")

    act(head, alert, Action.DESIGNATE, unit=bureau_a.station2, reason="经查发案地属城南辖区")

    alert = fresh(alert)
    assert (alert.status, alert.handling_unit) == (AlertStatus.ROUTED, bureau_a.station2)
    dispute = Dispute.objects.get(alert=alert)
    assert dispute.status == "decided" and dispute.designated_unit == bureau_a.station2
    with pytest.raises(TransitionError, match="指定"):
        act(officer2, alert, Action.RETURN, reason="不想办")
    with pytest.raises(TransitionError, match="指定"):
        act(officer2, alert, Action.RAISE_DISPUTE, reason="仍有争议")
    act(officer2, alert, Action.SIGN_FOR)


def test_an_account_marked_auxiliary_cannot_designate_whatever_roles_it_holds(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    from shoulian.accounts.choices import PoliceKind
    from shoulian.accounts.models import User

    other_head = make_user("head2", bureau_a.center, Role.CENTER_HEAD)
    # The accounts service refuses this combination; a row changed behind its back (an import, a
    # manual fix) must still not let a 辅警 decide.
    User.objects.filter(pk=other_head.pk).update(police_kind=PoliceKind.AUXILIARY)
    other_head.refresh_from_db()
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.RAISE_DISPUTE, reason="管辖有争议")
    with pytest.raises(TransitionDenied, match="辅警"):
        act(other_head, alert, Action.DESIGNATE, unit=bureau_a.station, reason="指定")
    assert fresh(alert).status == AlertStatus.DISPUTED


# --- the service's contract ----------------------------------------------------------------------
def test_stale_version_gets_a_chinese_conflict_message_and_changes_nothing(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    from shoulian.workflow.services import alert_transition

    alert = routed(clerk, bureau_a.station)
    seen = alert.version
    act(officer, alert, Action.SIGN_FOR)
    with pytest.raises(TransitionConflict, match="已被他人处理"):
        alert_transition(
            actor=officer, alert=alert, action=Action.RETURN, expected_version=seen, reason="晚了"
        )
    assert fresh(alert).status == AlertStatus.SIGNED


def test_illegal_transition_is_refused_and_journalled_as_a_denial(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = new_alert(clerk)
    before = len(events(alert))
    with pytest.raises(TransitionError, match="已登记"):
        act(clerk, alert, Action.START_HANDLING)
    new = events(alert)[before:]
    assert [(e.event_type, e.outcome) for e in new] == [
        (EventType.WORKFLOW_REFUSED, Outcome.DENIED)
    ]
    assert new[0].data == {"action": "start_handling", "code": "illegal"}
    # The refusal is for the inspector's journal; the alert's history shows what happened to it.
    from shoulian.audit.selectors import object_timeline

    timeline = object_timeline(user=clerk, object_type="alert", object_id=str(alert.pk))
    assert timeline and "拒绝办理操作" not in {str(entry.label) for entry in timeline}


def test_each_accepted_transition_writes_exactly_one_workflow_event(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = new_alert(clerk)
    for actor, action, payload in [
        (clerk, Action.ROUTE, {"unit": bureau_a.station}),
        (officer, Action.SIGN_FOR, {}),
        (officer, Action.START_HANDLING, {}),
    ]:
        before = len(events(alert))
        act(actor, alert, action, **payload)
        workflow = [e for e in events(alert)[before:] if 5000 <= e.event_type < 5500]
        assert len(workflow) == 1, action
    steps = FlowStep.objects.filter(alert=alert).order_by("version")
    assert [s.version for s in steps] == [2, 3, 4]
    assert all(s.event_id for s in steps)


def test_outsider_is_refused_as_if_the_alert_did_not_exist(
    clerk: Any, outsider: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    with pytest.raises(TransitionDenied, match="不存在"):
        act(outsider, alert, Action.SIGN_FOR)


def test_admin_has_no_content_scope(clerk: Any, admin_user: Any, bureau_a: Any) -> None:
    alert = new_alert(clerk)
    with pytest.raises(TransitionDenied, match="不存在"):
        act(admin_user, alert, Action.ROUTE, unit=bureau_a.station)
