"""The rollups move with the change, the nightly job finds drift, the feed fills itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.dashboard import services
from shoulian.dashboard.choices import Node, Span, WarningKind
from shoulian.dashboard.models import AlertFact, DailyCount, NodeCount, RiskWarning
from shoulian.intake.choices import Channel
from shoulian.supervision.models import Finding, PatrolRule
from shoulian.workflow.choices import Action
from shoulian.workflow.tests.helpers import act, handling, new_alert, routed

pytestmark = pytest.mark.django_db


def _daily(unit: Any, span: str = Span.DAY) -> int:
    return sum(DailyCount.objects.filter(unit=unit, span=span).values_list("n", flat=True))


def _waiting(unit: Any, node: str) -> int:
    return sum(NodeCount.objects.filter(unit=unit, node=node).values_list("n", flat=True))


def test_registration_and_each_step_move_the_counters(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = new_alert(clerk)
    fact = AlertFact.objects.get(alert=alert)
    assert (fact.unit_id, fact.node, fact.channel) == (clerk.unit_id, Node.FLOW, Channel.WALK_IN)
    assert fact.due_at is not None and fact.warn_at is not None
    assert _daily(clerk.unit) == 1 and _waiting(clerk.unit, Node.FLOW) == 1

    act(clerk, alert, Action.ROUTE, unit=bureau_a.station, reason="测试分派")
    assert _daily(clerk.unit) == 0 and _daily(bureau_a.station) == 1
    # The week's and the month's rows move with the day's.
    for span in (Span.WEEK, Span.MONTH):
        assert _daily(clerk.unit, span) == 0 and _daily(bureau_a.station, span) == 1
    assert _waiting(clerk.unit, Node.FLOW) == 0 and _waiting(bureau_a.station, Node.FLOW) == 1

    act(officer, alert, Action.SIGN_FOR)
    assert _waiting(bureau_a.station, Node.FLOW) == 0
    assert _waiting(bureau_a.station, Node.ACCEPT) == 1
    assert services.rollups_rederive(repair=False).total == 0


def test_a_failed_step_leaves_the_counters_as_they_were(clerk: Any, bureau_a: Any) -> None:
    alert = new_alert(clerk)
    before = list(DailyCount.objects.values_list("unit_id", "n"))
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the point is the rollback
        act(clerk, alert, Action.SIGN_FOR)  # a clerk cannot sign for an unrouted alert
    assert list(DailyCount.objects.values_list("unit_id", "n")) == before


def test_the_nightly_job_reports_drift_and_repairs_it(clerk: Any, officer: Any) -> None:
    handling(clerk, officer)
    assert services.rollups_rederive(repair=True).total == 0
    assert not AuditEvent.objects.filter(event_type=EventType.ROLLUP_DRIFT).exists()

    # Drift: a counter written beside the subscriber, a fact that lost its node.
    DailyCount.objects.filter(n=1, span=Span.MONTH).update(n=41)
    AlertFact.objects.update(node="")
    report = services.rollups_rederive(repair=True)
    # The fact is repaired first, so the node counter (still right) shows no drift.
    assert (report.facts, report.daily, report.node) == (1, 1, 0)
    drift = AuditEvent.objects.get(event_type=EventType.ROLLUP_DRIFT)
    assert '"daily":1' in drift.body and "examples" in drift.body
    assert AuditEvent.objects.filter(event_type=EventType.ROLLUPS_CHECKED).count() == 2

    assert services.rollups_rederive(repair=True).total == 0
    assert sum(DailyCount.objects.filter(span=Span.MONTH).values_list("n", flat=True)) == 1
    assert AlertFact.objects.get().node == Node.ACCEPT


def test_an_alert_passed_on_twice_enters_the_feed_once(
    clerk: Any, officer: Any, officer2: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.RETURN, reason="不属本所辖区")
    assert not RiskWarning.objects.exists()
    act(clerk, alert, Action.REROUTE, unit=bureau_a.station2, reason="改派城南")
    act(officer2, alert, Action.RETURN, reason="也不属本所辖区")
    warning = RiskWarning.objects.get()
    assert (warning.kind, warning.alert_id) == (WarningKind.BOUNCING, alert.pk)
    assert "2 次" in warning.summary
    services.warnings_for_bounces(services.derive([alert.pk]).values(), at=timezone.now())
    assert RiskWarning.objects.count() == 1


def test_red_and_escalated_findings_enter_the_feed_once_each(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = handling(clerk, officer)
    rule = PatrolRule.objects.get(code="bounced_alert", bureau=None, version=1)
    now = timezone.now()
    finding = Finding.objects.create(
        rule_code=rule.code,
        rule=rule,
        kind="finding",
        subject_type="alert",
        subject_id=str(alert.pk),
        alert=alert,
        bureau=bureau_a.bureau,
        unit=bureau_a.station,
        base_level="red",
        level="red",
        summary="测试红色发现",
        opened_at=now,
        last_seen_at=now,
    )
    assert services.warnings_from_findings(at=now) == 1
    assert services.warnings_from_findings(at=now) == 0
    Finding.objects.filter(pk=finding.pk).update(escalation=1)
    assert services.warnings_from_findings(at=now) == 1
    kinds = set(RiskWarning.objects.values_list("kind", flat=True))
    assert kinds == {WarningKind.RED_FINDING, WarningKind.ESCALATION}


def test_each_waiting_item_is_listed_under_exactly_the_band_it_is_counted_in(
    clerk: Any, officer: Any, bureau_a: Any, head: Any
) -> None:
    """The drill-down lists of the four bands partition the waiting items as band_of counts them,
    including an item with a due time and no warning time (counted 期限内)."""
    from shoulian.dashboard.choices import Band
    from shoulian.dashboard.selectors import band_of, scope_for, waiting_items

    handling(clerk, officer)
    new_alert(clerk)
    unwarned = AlertFact.objects.exclude(node="").exclude(due_at=None).first()
    assert unwarned is not None
    AlertFact.objects.filter(pk=unwarned.pk).update(warn_at=None)
    now = timezone.now()
    scope = scope_for(head)
    listed: dict[int, str] = {}
    for band in Band.values:
        for fact in waiting_items(scope, node="", band=band, now=now):
            assert fact.pk not in listed
            listed[fact.pk] = band
    facts = list(scope.filter(AlertFact.objects.exclude(node="")))
    assert listed == {fact.pk: band_of(fact, now) for fact in facts}
    assert listed[unwarned.pk] == Band.OK


def _findings_figure(client: Any) -> dict[tuple[str, str], int]:
    import json

    from django.urls import reverse

    d = json.loads(client.get(reverse("dashboard:data")).content)
    return {(row["status"], c["level"]): c["n"] for row in d["findings"] for c in row["levels"]}


def test_the_findings_figure_moves_with_each_finding_change_in_its_transaction(
    clerk: Any, officer: Any, legal: Any, head: Any, bureau_a: Any
) -> None:
    """Opened, submitted, returned, answered, signed off: the figure comes from the counters
    (the findings table is not read) and equals what the findings say at every step."""
    from django.test import Client

    from shoulian.conftest import login_as
    from shoulian.dashboard.models import FindingCount
    from shoulian.supervision.choices import FindingStatus, Level
    from shoulian.supervision.services import finding_raise, rectification_submit

    alert = handling(clerk, officer)
    client = login_as(Client(), head)
    assert sum(_findings_figure(client).values()) == 0
    finding = finding_raise(
        actor=legal,
        alert=alert,
        summary="受案审查超期",
        subject_type="alert",
        subject_id=alert.pk,
        level=Level.ORANGE,
    )
    assert FindingCount.objects.get(status=FindingStatus.OPEN, level=Level.ORANGE).n == 1
    figure = _findings_figure(client)
    assert figure[(FindingStatus.OPEN, Level.ORANGE)] == 1 and sum(figure.values()) == 1

    finding = rectification_submit(
        actor=officer, finding=finding, text="已整改。", expected_version=finding.version
    )
    figure = _findings_figure(client)
    assert figure[(FindingStatus.OPEN, Level.ORANGE)] == 0
    assert figure[(FindingStatus.REVIEWING, Level.ORANGE)] == 1
    # A warning (not a finding) is not counted; the nightly check agrees with the upkeep.
    report = services.rollups_rederive(repair=False)
    assert (report.finding_facts, report.findings, report.total) == (0, 0, 0)


def test_a_failed_finding_step_leaves_the_findings_counters_as_they_were(
    clerk: Any, officer: Any, legal: Any
) -> None:
    from shoulian.dashboard.models import FindingCount
    from shoulian.supervision.choices import Level
    from shoulian.supervision.services import FindingError, finding_raise, rectification_submit

    alert = handling(clerk, officer)
    finding = finding_raise(
        actor=legal,
        alert=alert,
        summary="问题",
        subject_type="alert",
        subject_id=alert.pk,
        level=Level.RED,
    )
    before = list(FindingCount.objects.values_list("status", "level", "n"))
    with pytest.raises(FindingError):
        rectification_submit(actor=officer, finding=finding, text="", expected_version=1)
    assert list(FindingCount.objects.values_list("status", "level", "n")) == before


def test_the_nightly_job_reports_and_repairs_drift_of_the_findings_counters(
    clerk: Any, officer: Any, legal: Any
) -> None:
    from shoulian.dashboard.models import FindingCount, FindingFact
    from shoulian.supervision.choices import Level
    from shoulian.supervision.services import finding_raise

    alert = handling(clerk, officer)
    finding_raise(
        actor=legal,
        alert=alert,
        summary="问题",
        subject_type="alert",
        subject_id=alert.pk,
        level=Level.YELLOW,
    )
    assert services.rollups_rederive(repair=True).total == 0
    FindingCount.objects.update(n=5)
    FindingFact.objects.update(level=Level.RED)
    report = services.rollups_rederive(repair=True)
    assert (report.finding_facts, report.findings) == (1, 1)
    drift = AuditEvent.objects.filter(event_type=EventType.ROLLUP_DRIFT).get()
    assert '"findings":1' in drift.body
    assert services.rollups_rederive(repair=True).total == 0
    assert list(FindingCount.objects.filter(n__gt=0).values_list("level", "n")) == [
        (Level.YELLOW, 1)
    ]


def test_a_red_finding_enters_the_feed_with_the_change_that_opened_it(
    clerk: Any, officer: Any, legal: Any
) -> None:
    from shoulian.supervision.choices import Level
    from shoulian.supervision.services import finding_raise

    alert = handling(clerk, officer)
    finding = finding_raise(
        actor=legal,
        alert=alert,
        summary="红色问题",
        subject_type="alert",
        subject_id=alert.pk,
        level=Level.RED,
    )
    warning = RiskWarning.objects.get()
    assert (warning.kind, warning.finding_id) == (WarningKind.RED_FINDING, finding.pk)
    assert services.warnings_from_findings(at=timezone.now()) == 0


def _nodes(client: Any, **params: Any) -> dict[str, dict[str, int]]:
    import json

    from django.urls import reverse

    d = json.loads(client.get(reverse("dashboard:data"), params).content)
    return {n["key"]: {k: n[k] for k in ("n", "ok", "near", "overdue", "none")} for n in d["nodes"]}


def test_an_item_whose_period_runs_out_is_overdue_at_once_and_the_minute_job_counts_it(
    clerk: Any, head: Any
) -> None:
    """Nothing happens to the alert when its period runs out: the platform shows it 超期 from
    that moment (the fact's counted band is behind the clock), the minute job then moves the
    node counters, and the figure neither drops it nor counts it twice."""
    import datetime as dt

    from shoulian.dashboard.selectors import figures, scope_for

    alert = new_alert(clerk)
    fact = AlertFact.objects.get(alert=alert)
    assert fact.band == "ok" and fact.warn_at is not None and fact.due_at is not None
    counter = NodeCount.objects.get(unit=clerk.unit, node=Node.FLOW)
    assert (counter.n, counter.near, counter.overdue) == (1, 0, 0)

    def flow(now: Any) -> dict[str, int]:
        node = next(
            n for n in figures(head, scope_for(head), now=now)["nodes"] if n["key"] == "flow"
        )
        return {k: node[k] for k in ("n", "ok", "near", "overdue")}

    near_time = fact.warn_at + dt.timedelta(seconds=1)
    late = fact.due_at + dt.timedelta(seconds=1)
    assert flow(near_time) == {"n": 1, "ok": 0, "near": 1, "overdue": 0}
    assert flow(late) == {"n": 1, "ok": 0, "near": 0, "overdue": 1}

    assert services.bands_advance(now=near_time) == 1
    counter.refresh_from_db()
    assert (counter.n, counter.near, counter.overdue) == (1, 1, 0)
    assert flow(near_time) == {"n": 1, "ok": 0, "near": 1, "overdue": 0}
    assert flow(late) == {"n": 1, "ok": 0, "near": 0, "overdue": 1}
    assert services.bands_advance(now=near_time) == 0

    assert services.bands_advance(now=late) == 1
    counter.refresh_from_db()
    assert (counter.n, counter.near, counter.overdue) == (1, 0, 1)
    assert flow(late) == {"n": 1, "ok": 0, "near": 0, "overdue": 1}
    assert AlertFact.objects.get(alert=alert).band == "overdue"
    # The counters agree with the facts' counted bands: no drift.
    assert services.rollups_rederive(repair=False).total == 0


def test_the_open_warnings_figure_counts_and_acknowledging_takes_one_off(
    clerk: Any, officer: Any, officer2: Any, head: Any, bureau_a: Any
) -> None:
    import json

    from django.test import Client
    from django.urls import reverse

    from shoulian.conftest import login_as
    from shoulian.dashboard.models import WarningCount

    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.RETURN, reason="不属本所辖区")
    act(clerk, alert, Action.REROUTE, unit=bureau_a.station2, reason="改派城南")
    act(officer2, alert, Action.RETURN, reason="也不属本所辖区")
    client = login_as(Client(), head)

    def open_count() -> int:
        return int(json.loads(client.get(reverse("dashboard:data")).content)["warnings_open"])

    assert open_count() == 1
    # A replayed step adds no warning and counts none.
    services.warnings_for_bounces(services.derive([alert.pk]).values(), at=timezone.now())
    assert open_count() == 1
    services.warning_acknowledge(actor=head, warning=RiskWarning.objects.get())
    assert open_count() == 0
    assert services.rollups_rederive(repair=False).total == 0

    WarningCount.objects.update(n=7)
    report = services.rollups_rederive(repair=True)
    assert report.warnings == 1
    assert open_count() == 0 and services.rollups_rederive(repair=False).total == 0


def test_a_steps_upkeep_writes_in_one_round_trip_on_postgresql(clerk: Any, bureau_a: Any) -> None:
    """The upkeep's share of a route: the fact locked, then the counters and the fact written,
    on PostgreSQL in one statement (the counters as data-modifying WITH parts of the fact's
    UPDATE), on SQLite one statement per table. The counters still move."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alert = new_alert(clerk)
    with CaptureQueriesContext(connection) as ctx:
        act(clerk, alert, Action.ROUTE, unit=bureau_a.station, reason="测试分派")
    ours = [q["sql"] for q in ctx.captured_queries if "dashboard_" in q["sql"]]
    writes = 1 if connection.vendor == "postgresql" else 3  # day/week/month rows, node, fact
    assert len(ours) == 1 + writes, ours
    assert _daily(bureau_a.station, Span.MONTH) == 1 and _waiting(bureau_a.station, Node.FLOW) == 1
    assert AlertFact.objects.get(alert=alert).unit_id == bureau_a.station.pk
    assert services.rollups_rederive(repair=False).total == 0
