"""Incremental evaluation: a transition subscriber evaluates the changed alert in the step's own
transaction, so a finding opens or clears with the step that caused it, in a fixed number of
statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shoulian.deadlines.models import Deadline
from shoulian.deadlines.services import deadline_pause, deadline_resume, deadline_start
from shoulian.feedback.services import follow_up_record
from shoulian.feedback.tests.helpers import follow_up_of
from shoulian.intake.models import Alert
from shoulian.supervision import registry, rules, versions
from shoulian.supervision.choices import FindingStatus
from shoulian.supervision.models import Finding, InboxMessage, PatrolRule
from shoulian.supervision.registry import PatrolContext
from shoulian.supervision.services import evaluate_alert, patrol_rule_revise
from shoulian.supervision.tests.helpers import aged_alert, findings_of, only, patrol
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.models import FlowStep
from shoulian.workflow.tests.helpers import act, approve, handling, new_alert, propose, routed

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


# --- its cost: a fixed number of statements, whatever the number of rules ---------------------------
def _evaluated(alert: Alert, now: dt.datetime | None = None) -> int:
    """Statements of one incremental evaluation of ``alert`` (as the step's subscriber calls it)."""
    current = Alert.objects.select_related("registering_unit").get(pk=alert.pk)
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            evaluate_alert(alert=current, now=now or timezone.now())
    return len(queries.captured_queries)


# The bureau with the versions' generation, the alert's findings, the rules declared by their
# candidate statement (one UNION ALL), the running deadlines (warnings), the reporters' own keys
# and those sharing one, and the 有案不受 candidates; with the transaction's savepoint pair.
STATEMENTS = 7 + 2


def test_one_changed_alert_costs_the_same_few_statements(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    quiet = handling(clerk, officer)
    assert _evaluated(quiet) == STATEMENTS
    # An alert that several rules find (no receipt, a late node …) opens its findings once;
    # evaluated again, nothing is described again: one statement more, that marks them all seen.
    late = aged_alert(clerk, officer, days=10, receipt=False)
    _evaluated(late)
    assert findings_of("on_the_spot_missing") and findings_of("deadline_overdue")
    seen = {f.pk: f.last_seen_at for f in Finding.objects.filter(alert=late)}
    assert _evaluated(late) == STATEMENTS + 1
    assert all(
        f.last_seen_at > seen[f.pk] for f in Finding.objects.filter(alert=late, status="open")
    )


def test_a_node_that_paused_adds_the_read_of_its_pauses(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    alert = handling(clerk, officer)
    now = timezone.now()
    # A 治安 case's 30 days, with ten days of 鉴定 not counted.
    deadline = deadline_start(
        actor=None,
        rule_code="public_order_case",
        obj=("alert", alert.pk),
        unit=officer.unit,
        started_at=now - dt.timedelta(days=20),
    )
    deadline_pause(actor=None, deadline=deadline, at=now - dt.timedelta(days=15), reason="鉴定")
    deadline_resume(
        actor=None, deadline=Deadline.objects.get(pk=deadline.pk), at=now - dt.timedelta(days=5)
    )
    assert _evaluated(alert, now=now) == STATEMENTS + 1
    # 10 of its 30 days used, the pause left out: no warning (counted, 20 days: yellow).
    assert not findings_of("deadline_warning", subject_id=str(deadline.pk))


def test_every_candidate_rule_finds_in_the_union_what_it_finds_alone(
    bureau_a: Any, clerk: Any, officer: Any, officer2: Any, leader: Any
) -> None:
    """The one statement of the incremental evaluation splits into each rule's own hits."""
    alerts = [aged_alert(clerk, officer, days=d, receipt=False) for d in (1, 5)]
    bounced = routed(clerk, officer.unit)
    for unit, by in ((officer2.unit, officer), (officer.unit, officer2), (officer2.unit, officer)):
        act(by, bounced, Action.RETURN, reason="不属于本所辖区")
        act(clerk, bounced, Action.REROUTE, unit=unit, reason="改派")
    unhappy = handling(clerk, officer, category_code="0302")
    approve(leader, propose(officer, unhappy, DecisionKind.CLOSE_NON_CASE))
    follow_up_record(
        actor=clerk, follow_up=follow_up_of(unhappy), reached=True, satisfaction="dissatisfied"
    )
    ids = frozenset(a.pk for a in (*alerts, bounced, unhappy))
    now = timezone.now() + dt.timedelta(days=3)
    in_force = versions.in_force_all(bureau_a.bureau.pk, now.date())
    statements = [
        (
            defn.candidates,
            PatrolContext(
                bureau=bureau_a.bureau,
                now=now,
                params={
                    **{p.name: p.default for p in defn.params},
                    **in_force[code].params,
                },
                alert_ids=ids,
            ),
        )
        for code, defn in registry.REGISTRY.items()
        if defn.candidates is not None
    ]
    assert len(statements) >= 8
    together = registry.candidate_rows(statements)
    hit_codes: set[str] = set()
    for (cand, ctx), rows in zip(statements, together, strict=True):
        alone = {h.key: h for h in cand(ctx)}
        united = {h.key: h for h in cand.hits(rows)}
        assert united.keys() == alone.keys()
        for key, hit in united.items():
            assert (hit.alert_id, hit.unit_id) == (alone[key].alert_id, alone[key].unit_id)
        hit_codes.update(h.subject_type for h in united.values())
    assert {"alert", "deadline", "follow_up"} <= hit_codes


def test_a_kept_statement_is_the_one_compiled_for_that_alert_and_moment(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    """One alert's candidate statements are compiled once and their parameters filled in after:
    for another alert at another moment they are what Django compiles for it."""
    first, second = handling(clerk, officer), handling(clerk, officer)
    now = timezone.now()
    in_force = versions.in_force_all(bureau_a.bureau.pk, now.date())
    registry._COMPILED.clear()
    kept = 0
    for code, defn in registry.REGISTRY.items():
        if defn.candidates is None or code not in in_force:
            continue
        params = {**{p.name: p.default for p in defn.params}, **in_force[code].params}

        def ctx(alert: Alert, at: dt.datetime, params: dict[str, int] = params) -> PatrolContext:
            return PatrolContext(
                bureau=bureau_a.bureau, now=at, params=params, alert_ids=frozenset({alert.pk})
            )

        build = defn.candidates.rows
        registry.compiled(ctx(first, now), build)
        later = now + dt.timedelta(hours=3, minutes=17, microseconds=5)
        sql, values, _ = registry._compile(build, ctx(second, later))
        assert registry.compiled(ctx(second, later), build) == (sql, values), code
        kept += any(v is not None for v in registry._COMPILED.values())
        assert all(v is not None for v in registry._COMPILED.values()), code
    assert kept >= 8
    # The repeat-reporter rule's first statement (the changed alert's reporters' keys) too.
    own = rules._own_keys
    registry.compiled(PatrolContext(bureau_a.bureau, now, {}, frozenset({first.pk})), own)
    other = PatrolContext(bureau_a.bureau, now, {}, frozenset({second.pk}))
    assert registry.compiled(other, own) == registry._compile(own, other)[:2]
    assert all(v is not None for v in registry._COMPILED.values())


def test_a_revised_rule_counts_at_the_next_step(bureau_a: Any, clerk: Any, legal: Any) -> None:
    """The versions in force are kept between evaluations, never past a revision."""
    alert = new_alert(clerk)
    _evaluated(alert, now=timezone.now() + dt.timedelta(hours=2))
    finding = only("on_the_spot_missing")
    rule = PatrolRule.objects.filter(code="on_the_spot_missing").order_by("-id").first()
    assert rule is not None
    patrol_rule_revise(
        actor=legal,
        code="on_the_spot_missing",
        change_reason="放宽回执时限",
        name=rule.name,
        level=rule.level,
        params={"grace_minutes": 600},
        recipients=list(rule.recipients),
        review_chain=list(rule.review_chain),
        rectify_days=rule.rectify_days,
        is_active=True,
        effective_from=dt.date(2020, 1, 1),
    )
    _evaluated(alert, now=timezone.now() + dt.timedelta(hours=3))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED and "第2版" in finding.close_reason


def test_a_version_written_by_another_process_counts_at_the_next_step(
    bureau_a: Any, clerk: Any
) -> None:
    alert = new_alert(clerk)
    _evaluated(alert, now=timezone.now() + dt.timedelta(hours=2))
    finding = only("on_the_spot_missing")
    rule = PatrolRule.objects.filter(code="on_the_spot_missing").order_by("-id").first()
    assert rule is not None
    # Another process's revision: no signal reaches this one, only the table's generation moves.
    PatrolRule.objects.bulk_create(
        [
            PatrolRule(
                code=rule.code,
                bureau=bureau_a.bureau,
                version=2,
                name=rule.name,
                level=rule.level,
                params={"grace_minutes": 30},
                recipients=rule.recipients,
                review_chain=rule.review_chain,
                rectify_days=rule.rectify_days,
                is_active=False,
                effective_from=dt.date(2020, 1, 1),
            )
        ]
    )
    _evaluated(alert, now=timezone.now() + dt.timedelta(hours=3))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED and "已停用" in finding.close_reason
