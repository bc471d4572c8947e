"""The 有案不受 patrol rule (issue 18 §5): the assistant's rule in supervision's registry fires for a
crime-like report closed as a non-case, stays quiet for a real dispute and a filed case,
deduplicates across patrols, and closes with a reason when the alert no longer qualifies."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shoulian.assistant import classifier
from shoulian.assistant import patrol as rule
from shoulian.assistant.models import Checklist, NarrativeRanking
from shoulian.assistant.services import checklist_revise
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.intake.models import Alert, Category
from shoulian.supervision import registry
from shoulian.supervision.choices import FindingStatus
from shoulian.supervision.models import PatrolRule
from shoulian.supervision.registry import PatrolContext
from shoulian.supervision.tests.helpers import findings_of, only, patrol
from shoulian.workflow.choices import DecisionKind, DecisionStatus
from shoulian.workflow.models import Decision
from shoulian.workflow.tests.helpers import approve, fresh, handling, propose

pytestmark = pytest.mark.django_db

CODE = "crime_narrative_unaccepted"
EMBEZZLEMENT = (
    "报案人称其公司员工张某利用担任出纳的职务便利，将公司账上5万元转入个人账户，做假账后失联。"
)
LABOUR = "报案人称其在工地务工三个月，老板以工程款未结为由拖欠工资一万五千元，多次讨要未果，双方发生争执。"
NOT_POLICE = {"authority": "劳动保障监察大队"}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Evidence written by registrations goes to the test's own directory."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def closed(clerk: Any, officer: Any, leader: Any, kind: str, narrative: str, **extra: Any) -> Alert:
    alert = handling(clerk, officer, narrative=narrative, **extra)
    payload = NOT_POLICE if kind == DecisionKind.NOT_POLICE else {}
    approve(leader, propose(officer, alert, kind, **payload))
    return fresh(alert)


def test_registered_by_the_assistant_with_its_default_version() -> None:
    defn = registry.get(CODE)
    assert defn.predicate is rule.crime_narrative_unaccepted
    assert defn.defaults()["params"] == {"min_percent": 20, "min_elements": 1}
    seeded = PatrolRule.objects.get(code=CODE, bureau=None, version=1)
    assert seeded.params == {"min_percent": 20, "min_elements": 1} and seeded.is_active


@pytest.mark.parametrize("kind", [DecisionKind.CLOSE_NON_CASE, DecisionKind.NOT_POLICE])
def test_an_embezzlement_closed_as_a_non_case_fires_once(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, kind: str
) -> None:
    # Registered as a 家庭纠纷 (not a case type): case_type_downgraded cannot see it, this rule does.
    alert = closed(clerk, officer, leader, kind, EMBEZZLEMENT, category_code="0302")
    patrol(bureau_a.bureau)
    finding = only(CODE)
    assert finding.alert_id == alert.pk and finding.status == FindingStatus.OPEN
    assert (finding.unit_id, finding.officer_id) == (officer.unit_id, officer.pk)
    evidence = finding.evidence
    assert evidence["nature"] == "职务侵占" and evidence["closing_kind"] == kind
    assert evidence["percent"] >= 20 and evidence["elements_found"]
    assert evidence["checklist_version"] == 1 and evidence["model_version"]
    assert "5万元" not in str(evidence) and "张某" not in str(evidence)  # no narrative text
    assert "职务侵占" in finding.summary
    patrol(bureau_a.bureau)
    assert len(findings_of(CODE)) == 1 and only(CODE).pk == finding.pk


def test_a_labour_dispute_closed_the_same_way_stays_quiet(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    closed(clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, LABOUR, category_code="0302")
    closed(clerk, officer, leader, DecisionKind.NOT_POLICE, LABOUR, category_code="0302")
    patrol(bureau_a.bureau)
    assert not findings_of(CODE)


def test_a_crime_like_alert_that_was_filed_stays_quiet(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer, narrative=EMBEZZLEMENT)
    decision = propose(officer, alert, DecisionKind.CRIMINAL_FILE)
    approve(leader, decision)
    approve(bureau_head, decision)
    patrol(bureau_a.bureau)
    assert not findings_of(CODE)


def test_closes_with_a_reason_when_the_closing_decision_is_set_aside(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    alert = closed(
        clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, EMBEZZLEMENT, category_code="0302"
    )
    patrol(bureau_a.bureau)
    finding = only(CODE)
    # No service reopens a non-case closure yet (复议/复核 set aside only 不予立案); the rule reads
    # the decision's status, so the test sets it as a revocation would.
    Decision.objects.filter(alert=alert, kind=DecisionKind.CLOSE_NON_CASE).update(
        status=DecisionStatus.REVOKED
    )
    patrol(bureau_a.bureau)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED
    assert "不再符合规则" in finding.close_reason and finding.closed_at is not None


def test_a_category_moved_out_of_the_criminal_group_fires_and_clears_once_filed(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer, narrative=EMBEZZLEMENT, category_code="0101")
    criminal = alert.category
    # The center reclassifies at routing; no reclassification service exists yet, so the test sets
    # the column the rule reads (as supervision's case_type_downgraded test does).
    Alert.objects.filter(pk=alert.pk).update(category=Category.objects.get(code="0203"))
    patrol(bureau_a.bureau)
    finding = only(CODE)
    assert finding.evidence["how"] == "改为其他类别"
    assert (finding.evidence["registered_category"], finding.evidence["category"]) == (
        "0101",
        "0203",
    )
    Alert.objects.filter(pk=alert.pk).update(category=criminal)
    decision = propose(officer, alert, DecisionKind.CRIMINAL_FILE)
    approve(leader, decision)
    approve(bureau_head, decision)
    patrol(bureau_a.bureau)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED and "不再符合规则" in finding.close_reason


def test_parameters_are_data_a_stricter_version_clears(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    closed(clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, EMBEZZLEMENT, category_code="0302")
    patrol(bureau_a.bureau)
    finding = only(CODE)
    PatrolRule.objects.filter(code=CODE, bureau=None, version=1).update(
        params={"min_percent": 100, "min_elements": 4}
    )
    patrol(bureau_a.bureau)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED


@pytest.fixture
def ranked(monkeypatch: Any) -> list[str]:
    """The narratives the model ranks from now on, in order."""
    texts: list[str] = []
    real = rule.rank

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        texts.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(rule, "rank", counting)
    return texts


def test_only_the_sql_candidates_are_ranked(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, ranked: list[str]
) -> None:
    # A 家庭纠纷 (not a case type): 不属于公安职责 is refused on case-type categories.
    target = closed(
        clerk, officer, leader, DecisionKind.NOT_POLICE, EMBEZZLEMENT, category_code="0302"
    )
    for _ in range(3):
        handling(clerk, officer, narrative=EMBEZZLEMENT)  # in handling: not a candidate
    # The closing step's incremental evaluation ranked it; the patrol reads that ranking.
    assert ranked == [target.narrative]
    with CaptureQueriesContext(connection) as queries:
        patrol(bureau_a.bureau, codes=[CODE])
    assert ranked == [target.narrative]
    assert len(queries.captured_queries) < 40
    assert only(CODE).alert_id == target.pk


def rule_hits(bureau: Any) -> list[Any]:
    """The rule's hits for the bureau now, described as a finding would be."""
    ctx = PatrolContext(
        bureau=bureau, now=timezone.now(), params=registry.get(CODE).defaults()["params"]
    )
    with transaction.atomic():
        return sorted(
            (h.key, h.unit_id, h.officer_id, h.summary, h.evidence)
            for h in registry.described(ctx, list(rule.crime_narrative_unaccepted(ctx)))
        )


def test_a_second_patrol_ranks_no_unchanged_narrative_and_finds_the_same(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, ranked: list[str], monkeypatch: Any
) -> None:
    for narrative in (EMBEZZLEMENT, LABOUR, EMBEZZLEMENT):
        closed(clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, narrative, category_code="0302")
    # Each narrative went through the model once: the second embezzlement's text was known.
    assert sorted(ranked) == sorted([EMBEZZLEMENT, LABOUR])
    ranked.clear()
    first = rule_hits(bureau_a.bureau)
    patrol(bureau_a.bureau)
    second = rule_hits(bureau_a.bureau)
    assert ranked == [] and first == second and len(first) == 2
    assert NarrativeRanking.objects.count() == 3
    # Without any stored ranking, the model ranks both texts again (once each, even when the
    # same text comes in another chunk of candidates) and finds the same.
    NarrativeRanking.objects.all().delete()
    monkeypatch.setattr(rule, "CHUNK", 1)
    assert rule_hits(bureau_a.bureau) == first
    assert sorted(ranked) == sorted([EMBEZZLEMENT, LABOUR])
    assert len(findings_of(CODE)) == 2


def test_a_changed_narrative_is_ranked_again(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, ranked: list[str]
) -> None:
    alert = closed(
        clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, LABOUR, category_code="0302"
    )
    patrol(bureau_a.bureau)
    assert not findings_of(CODE)
    ranked.clear()
    # Completing a registration is the one edit of a narrative, and it moves the alert's version
    # (intake's ``alert_complete_registration``); a closed alert cannot go through it, so the test
    # writes the two columns as that service does.
    Alert.objects.filter(pk=alert.pk).update(narrative=EMBEZZLEMENT, version=F("version") + 1)
    patrol(bureau_a.bureau)
    assert ranked == [EMBEZZLEMENT]
    assert only(CODE).alert_id == alert.pk
    # An edit that leaves the text as it was reads the narrative but does not rank it.
    ranked.clear()
    Alert.objects.filter(pk=alert.pk).update(version=F("version") + 1)
    patrol(bureau_a.bureau)
    assert ranked == [] and only(CODE).status == FindingStatus.OPEN
    assert NarrativeRanking.objects.get(alert=alert).alert_version == fresh(alert).version


def test_a_new_model_or_a_revised_checklist_ranks_every_candidate_again(
    bureau_a: Any,
    clerk: Any,
    officer: Any,
    leader: Any,
    legal: Any,
    ranked: list[str],
    monkeypatch: Any,
) -> None:
    closed(clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, EMBEZZLEMENT, category_code="0302")
    ranked.clear()
    shipped = classifier.shipped()
    monkeypatch.setattr(classifier, "shipped", lambda: dataclasses.replace(shipped, version="next"))
    patrol(bureau_a.bureau)
    assert ranked == [EMBEZZLEMENT]
    assert NarrativeRanking.objects.get().model_version == "next"
    assert only(CODE).evidence["model_version"] == shipped.version  # opened before, kept
    ranked.clear()
    patrol(bureau_a.bureau)
    assert ranked == []
    base = Checklist.objects.current().get(label="职务侵占")
    checklist_revise(
        actor=legal, base=base, change_note="核对本省标准。", verified=not base.verified
    )
    patrol(bureau_a.bureau)
    assert ranked == [EMBEZZLEMENT]
    assert NarrativeRanking.objects.get().checklist_version == base.version + 1


def test_revised_parameters_apply_to_the_stored_rankings_without_ranking_again(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, ranked: list[str]
) -> None:
    closed(clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, EMBEZZLEMENT, category_code="0302")
    patrol(bureau_a.bureau)
    finding = only(CODE)
    ranked.clear()
    PatrolRule.objects.filter(code=CODE, bureau=None, version=1).update(
        params={"min_percent": 100, "min_elements": 4}
    )
    patrol(bureau_a.bureau)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED and ranked == []


def test_one_alerts_candidate_row_is_the_full_patrols(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    """One changed alert's statement is compiled once and read raw: it reads what the full
    patrol's statement reads for that alert, stored ranking included."""
    alerts = [
        closed(clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, text, category_code="0302")
        for text in (EMBEZZLEMENT, LABOUR)
    ]
    params = registry.get(CODE).defaults()["params"]
    now = timezone.now()
    everyone = rule.candidates(PatrolContext(bureau=bureau_a.bureau, now=now, params=params))
    assert len(everyone) == 2 and all(c.label for c in everyone)
    for alert in alerts * 2:  # the second time from the kept statement
        one = PatrolContext(
            bureau=bureau_a.bureau, now=now, params=params, alert_ids=frozenset({alert.pk})
        )
        assert rule.candidates(one) == [c for c in everyone if c.pk == alert.pk]


def test_storing_rankings_is_journalled_without_the_narrative(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    closed(clerk, officer, leader, DecisionKind.CLOSE_NON_CASE, EMBEZZLEMENT, category_code="0302")
    event = AuditEvent.objects.filter(event_type=EventType.NARRATIVES_RANKED).get()
    assert event.data["rows"] == 1 and event.data["ranked"] == 1
    assert event.data["model_version"] == classifier.shipped().version
    assert "5万元" not in str(event.body) and "张某" not in str(event.body)


def test_the_rule_list_shows_the_assistants_rule(
    bureau_a: Any, client_for: Any, legal: Any
) -> None:
    listing = client_for(legal).get(reverse("supervision:rules")).content.decode()
    assert "涉刑警情作非案件处理（有案不受）" in listing
    page = client_for(legal).get(reverse("supervision:rule", kwargs={"code": CODE}))
    body = page.content.decode()
    assert page.status_code == 200 and "以查全为先" in body and "min_percent" in body
