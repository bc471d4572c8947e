"""A dissatisfied follow-up is a finding of its rule and nothing else (the feedback app's 督办事项
moved in, issue 11 §5): opened in the step that records it, shown under 监督 → 回访不满意 to the
center, the legal brigade, the unit concerned and the inspector; and the migration that carried
the old items over loses none, both ways."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.feedback.services import follow_up_record
from shoulian.feedback.tests.helpers import follow_up_of
from shoulian.intake.choices import AlertStatus
from shoulian.supervision.models import Finding, InboxMessage
from shoulian.supervision.tests.helpers import findings_of, only
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.tests.helpers import (
    act,
    approve,
    fresh,
    handling,
    propose,
    reseed_data_migrations,
)

pytestmark = pytest.mark.django_db

RULE = "follow_up_dissatisfied"


def closed_dispute(clerk: Any, officer: Any, leader: Any) -> Any:
    alert = handling(clerk, officer, category_code="0302")
    approve(leader, propose(officer, alert, DecisionKind.CLOSE_NON_CASE))
    return fresh(alert)


def dissatisfied(clerk: Any, alert: Any, note: str = "认为处理不公") -> Any:
    return follow_up_record(
        actor=clerk,
        follow_up=follow_up_of(alert),
        reached=True,
        satisfaction="dissatisfied",
        note=note,
    )


def events(kind: EventType, rule: str | None = None) -> int:
    return sum(
        1
        for e in AuditEvent.objects.all()
        if e.event_type == kind and (rule is None or e.data.get("rule") == rule)
    )


def test_a_dissatisfied_call_opens_one_finding_in_the_same_step(
    clerk: Any, officer: Any, leader: Any, legal_officer: Any, head: Any
) -> None:
    alert = closed_dispute(clerk, officer, leader)
    task = dissatisfied(clerk, alert)
    assert fresh(alert).status == AlertStatus.FOLLOWED_UP
    finding = only(RULE)
    assert (finding.subject_type, finding.subject_id) == ("follow_up", str(task.pk))
    assert (finding.unit_id, finding.officer_id, finding.status) == (
        officer.unit_id,
        officer.pk,
        "open",
    )
    kinds = dict(
        InboxMessage.objects.filter(finding=finding).values_list("recipient__username", "kind")
    )
    assert kinds == {"officer": "finding", "leader": "cc", "stationlegal": "cc", "head": "cc"}
    # One record of the dissatisfaction: the finding, not a second 督办事项 beside it.
    assert events(EventType.FINDING_OPENED, RULE) == 1
    assert events(EventType.SUPERVISION_ITEM_OPENED) == 0


def test_dissatisfaction_on_the_alert_page_opens_the_finding_too(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = closed_dispute(clerk, officer, leader)
    act(clerk, alert, Action.FOLLOW_UP, reason="电话回访，报案人认为办理进度慢", satisfied=False)
    finding = only(RULE)
    assert finding.subject_id == str(follow_up_of(alert).pk)


@pytest.mark.parametrize("satisfaction", ["satisfied", "basically"])
def test_a_satisfied_call_opens_nothing(
    clerk: Any, officer: Any, leader: Any, satisfaction: str
) -> None:
    alert = closed_dispute(clerk, officer, leader)
    follow_up_record(
        actor=clerk, follow_up=follow_up_of(alert), reached=True, satisfaction=satisfaction
    )
    assert not findings_of(RULE)


# --- the 监督 → 回访不满意 page -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "persona", ["head", "legal", "officer", "leader", "legal_officer", "inspector", "bureau_head"]
)
def test_center_legal_brigade_unit_and_inspector_see_the_dissatisfied_follow_ups(
    persona: str,
    request: pytest.FixtureRequest,
    client_for: Any,
    clerk: Any,
    officer: Any,
    leader: Any,
) -> None:
    alert = closed_dispute(clerk, officer, leader)
    dissatisfied(clerk, alert)
    page = client_for(request.getfixturevalue(persona)).get(reverse("supervision:follow_ups"))
    assert page.status_code == 200 and alert.number in page.content.decode()


def test_another_station_lists_none_of_them(
    client_for: Any, clerk: Any, officer: Any, leader: Any, officer2: Any
) -> None:
    alert = closed_dispute(clerk, officer, leader)
    dissatisfied(clerk, alert)
    page = client_for(officer2).get(reverse("supervision:follow_ups"))
    assert page.status_code == 200 and alert.number not in page.content.decode()


@pytest.mark.parametrize("persona", ["clerk", "admin_user"])
def test_clerks_and_the_administrator_cannot_open_the_page(
    persona: str, request: pytest.FixtureRequest, client_for: Any
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(reverse("supervision:follow_ups"))
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["head", "legal", "officer", "inspector"])
def test_the_menu_shows_it_under_supervision_not_citizen_services(
    persona: str, request: pytest.FixtureRequest
) -> None:
    from shoulian.core.navigation import registered

    user = request.getfixturevalue(persona)
    shown = [
        (str(item.label), item.section)
        for item in registered()
        if item.shown_to(frozenset(user.role_set), user.unit.kind)
    ]
    assert ("回访不满意", "supervision") in shown
    assert not any(label == "督办事项" for label, _section in shown)


# --- the migration ---------------------------------------------------------------------------------
BEFORE = [("supervision", "0002_seed_rules"), ("feedback", "0001_initial")]


def _latest() -> list[tuple[str, str]]:
    """Every app's latest migration: going back to supervision 0002 also unapplies the apps that
    build on supervision (review, bulletins, dashboard …), and later tests need their tables."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _reseed() -> None:
    reseed_data_migrations()
    for module in (
        "shoulian.supervision.migrations.0002_seed_rules",
        "shoulian.assistant.migrations.0003_seed_patrol_rule",
    ):
        importlib.import_module(module).seed(global_apps, None)


@pytest.mark.django_db(transaction=True)
def test_every_supervision_item_becomes_a_finding_and_comes_back(
    clerk: Any, officer: Any, leader: Any, head: Any, bureau_a: Any
) -> None:
    _reseed()
    found = closed_dispute(clerk, officer, leader)
    dissatisfied(clerk, found)  # the patrol has its finding already: the item merges into it
    lonely = closed_dispute(clerk, officer, leader)
    lonely_task = follow_up_of(lonely)
    merged = only(RULE)
    latest = _latest()
    opened = timezone.now() - dt.timedelta(days=40)
    try:
        old = _migrate(BEFORE)
        Item = old.get_model("feedback", "SupervisionItem")
        rows = [
            Item.objects.create(
                source="follow_up",
                alert_id=found.pk,
                follow_up_id=follow_up_of(found).pk,
                center_id=bureau_a.center.pk,
                assigned_to_id=head.pk,
                opened_at=opened,
                summary="认为处理不公",
            ),
            Item.objects.create(
                source="follow_up",
                alert_id=lonely.pk,
                follow_up_id=lonely_task.pk,
                center_id=bureau_a.center.pk,
                assigned_to_id=head.pk,
                opened_at=opened,
                summary="报案人认为民警态度差",
            ),
            Item.objects.create(
                source="follow_up",
                alert_id=lonely.pk,
                follow_up_id=None,
                center_id=bureau_a.center.pk,
                assigned_to_id=None,
                opened_at=opened,
                summary="无回访任务的督办事项",
            ),
        ]
        ids = [r.pk for r in rows]
    finally:
        _migrate(latest)

    findings = {(f.subject_type, f.subject_id): f for f in findings_of(RULE)}
    assert len(findings) == 3
    same = findings[("follow_up", str(follow_up_of(found).pk))]
    assert same.pk == merged.pk and same.source == "patrol"
    assert same.evidence["supervision_item"]["id"] == ids[0] and same.note == "认为处理不公"
    carried = findings[("follow_up", str(lonely_task.pk))]
    assert carried.source == "follow_up_item" and carried.status == "open"
    assert (carried.unit_id, carried.officer_id, carried.bureau_id) == (
        officer.unit_id,
        officer.pk,
        bureau_a.bureau.pk,
    )
    assert carried.note == "报案人认为民警态度差" and carried.opened_at == opened
    assert carried.due_at is not None and carried.due_at > timezone.now()
    # The center head the item was assigned to has it in the inbox.
    assert InboxMessage.objects.filter(finding=carried, recipient=head).exists()
    orphan = findings[("supervision_item", str(ids[2]))]
    assert orphan.note == "无回访任务的督办事项" and orphan.alert_id == lonely.pk

    # Backward: the items come back with their own ids; the migration's own findings go.
    try:
        old = _migrate(BEFORE)
        Item = old.get_model("feedback", "SupervisionItem")
        back = {
            i.pk: (i.follow_up_id, i.summary, i.assigned_to_id, i.opened_at)
            for i in Item.objects.all()
        }
        assert back == {
            ids[0]: (follow_up_of(found).pk, "认为处理不公", head.pk, opened),
            ids[1]: (lonely_task.pk, "报案人认为民警态度差", head.pk, opened),
            ids[2]: (None, "无回访任务的督办事项", None, opened),
        }
        OldFinding = old.get_model("supervision", "Finding")
        assert list(OldFinding.objects.filter(rule_code=RULE).values_list("pk", flat=True)) == [
            merged.pk
        ]
        assert "supervision_item" not in OldFinding.objects.get(pk=merged.pk).evidence
    finally:
        _migrate(latest)
    assert len(findings_of(RULE)) == 3
    assert Finding.objects.filter(rule_code=RULE, source="follow_up_item").count() == 2
