"""The ledger: each rule kind, caps, period boundaries, idempotence, replay of a revision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shoulian.assessment import cards, selectors
from shoulian.assessment.choices import EntryKind, ItemKind, PeriodKind, Subject
from shoulian.assessment.models import Scheme, ScoreEntry
from shoulian.assessment.periods import Period, month_of
from shoulian.assessment.services import scheme_draft, scheme_publish, score_bureau
from shoulian.assessment.tests.helpers import at, neglected_alert, net, patrol_and_score
from shoulian.assessment.versions import Chain

pytestmark = pytest.mark.django_db


def test_an_overdue_node_costs_the_officer_and_the_unit_the_nodes_points(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    alert = neglected_alert(clerk, officer)
    stats = patrol_and_score(bureau_a.bureau)
    rows = list(ScoreEntry.objects.filter(item_kind=ItemKind.OVERDUE_NODE, alert=alert))
    assert {(r.subject, r.item_code, r.points) for r in rows} == {
        (Subject.OFFICER, "criminal_filing_review", Decimal("-3")),
        (Subject.UNIT, "criminal_filing_review", Decimal("-2")),
    }
    entry = rows[0]
    assert entry.finding is not None and entry.finding.rule_code == "deadline_overdue"
    assert entry.deadline is not None and entry.deadline.code == "criminal_filing_review"
    assert entry.scheme.version == 1 and entry.period == month_of(entry.finding.opened_at)
    assert stats.posted == len(ScoreEntry.objects.all())
    # A second run finds nothing new.
    assert score_bureau(bureau=bureau_a.bureau).posted == 0


def test_a_finding_rule_costs_its_points_and_a_warning_costs_nothing(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    # No receipt at the desk: 三个当场缺失, answered by the desk's clerk and the center.
    alert = neglected_alert(clerk, officer, days=1, receipt=False)
    patrol_and_score(bureau_a.bureau)
    rows = ScoreEntry.objects.filter(item_kind=ItemKind.FINDING_RULE, alert=alert)
    assert {(r.subject, r.item_code, r.points, r.unit_id) for r in rows} == {
        (Subject.OFFICER, "on_the_spot_missing", Decimal("-2"), bureau_a.center.pk),
        (Subject.UNIT, "on_the_spot_missing", Decimal("-1"), bureau_a.center.pk),
    }
    # One day in, the 3-day review is only a warning (预警): nothing charged for it.
    assert not ScoreEntry.objects.filter(item_code="criminal_filing_review").exists()


def test_an_unrectified_finding_costs_again_when_its_period_runs_out(
    bureau_a: Any, clerk: Any, officer: Any, time_machine: Any
) -> None:
    neglected_alert(clerk, officer, days=10)
    patrol_and_score(bureau_a.bureau)
    assert not ScoreEntry.objects.filter(item_kind=ItemKind.UNRECTIFIED).exists()
    # Nobody rectifies: the patrol a week later escalates the overdue finding.
    later = timezone.now() + dt.timedelta(days=7)
    time_machine.move_to(later)
    patrol_and_score(bureau_a.bureau, now=later)
    rows = ScoreEntry.objects.filter(item_kind=ItemKind.UNRECTIFIED)
    assert {(r.subject, r.points) for r in rows} == {
        (Subject.OFFICER, Decimal("-3")),
        (Subject.UNIT, Decimal("-2")),
    }
    entry = rows.first()
    assert entry is not None and entry.finding is not None
    assert entry.finding.escalation >= 1 and entry.occurred_at < later


def test_a_failed_campaign_checklist_item_costs_its_points(
    bureau_a: Any, legal: Any, clerk: Any, officer: Any
) -> None:
    from shoulian.review.campaigns import campaign_define, campaign_draw, campaign_score
    from shoulian.review.choices import CampaignKind
    from shoulian.supervision.choices import Level
    from shoulian.workflow.tests.helpers import handling

    base = Scheme.objects.get(bureau=None, version=1)
    # The bureau also prices a reviewer's manual finding: the campaign's score raises one, and
    # the same defect must not cost points twice.
    items = [*base.items, {"kind": "campaign_check", "code": "receipt", "label": "未当场出具回执",
                           "officer": "2", "unit": "1"},
             {"kind": "finding_rule", "code": "manual_review", "label": "人工巡查发现",
              "officer": "3", "unit": "3"}]  # fmt: skip
    draft = scheme_draft(
        actor=legal, change_reason="增加专项评查", title=base.title, document_number="沙公法〔2026〕3号",
        effective_from=dt.date(2026, 1, 1), items=items, period_cap=None, alert_cap=None,
        bonus_cap=Decimal("5"),
    )  # fmt: skip
    assert draft.item(ItemKind.CAMPAIGN_CHECK, "receipt") is not None
    scheme_publish(actor=legal, scheme=draft)
    alerts = [handling(clerk, officer), handling(clerk, officer)]
    today = timezone.localdate()
    campaign = campaign_define(
        actor=legal, title="受案立案专项评查", kind=CampaignKind.SPECIAL,
        period_start=today - dt.timedelta(days=30), period_end=today, sample_size=2,
    )  # fmt: skip
    campaign_draw(actor=legal, campaign=campaign, expected_version=1, seed="s")
    failed, clean = list(campaign.entries.order_by("position"))
    # Two items failed: only the one the 考核办法 prices costs points; a clean alert costs none.
    campaign_score(
        actor=legal,
        entry=failed,
        failed={"receipt": "报案人王某某称窗口打印机故障", "classification": ""},
        finding_level=Level.ORANGE,
    )
    campaign_score(actor=legal, entry=clean, failed={})
    score_bureau(bureau=bureau_a.bureau)
    rows = ScoreEntry.objects.filter(item_kind=ItemKind.CAMPAIGN_CHECK)
    assert {(r.subject, r.item_code, r.points, r.alert_id) for r in rows} == {
        (Subject.OFFICER, "receipt", Decimal("-2"), failed.alert_id),
        (Subject.UNIT, "receipt", Decimal("-1"), failed.alert_id),
    }
    entry = rows.get(subject=Subject.OFFICER)
    assert entry.officer == officer and entry.unit_id == failed.unit_id
    assert entry.finding is None and entry.fact_key.startswith("campaign:")
    assert "受案立案专项评查" in entry.reason and {a.pk for a in alerts} >= {entry.alert_id}
    # The scorer's note (free text, a name in it) stays out of the append-only ledger.
    assert not ScoreEntry.objects.filter(reason__contains="王某某").exists()
    # The finding the score raised is for rectification; it is not charged again.
    failed.refresh_from_db()
    assert failed.review is not None and failed.review.finding is not None
    assert not ScoreEntry.objects.filter(item_code="manual_review").exists()
    # The nightly run posts it once.
    assert score_bureau(bureau=bureau_a.bureau).posted == 0


def test_a_bonus_item_adds_points_and_only_the_legal_brigade_awards_it(
    bureau_a: Any, legal: Any, leader: Any, officer: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from shoulian.assessment.services import bonus_award

    with pytest.raises(PermissionDenied):
        bonus_award(actor=leader, unit=officer.unit, officer=officer, code="commendation",
                    reason="表彰", occurred_at=timezone.now())  # fmt: skip
    entries = bonus_award(actor=legal, unit=officer.unit, officer=officer, code="commendation",
                          reason="市局通报表彰", occurred_at=timezone.now())  # fmt: skip
    assert {(e.subject, e.points, e.kind) for e in entries} == {
        (Subject.UNIT, Decimal("2"), EntryKind.BONUS),
        (Subject.OFFICER, Decimal("2"), EntryKind.BONUS),
    }
    card = selectors.card_for(legal, subject=Subject.OFFICER, key=officer.pk,
                              period=Period.of(PeriodKind.MONTH, timezone.localdate()))  # fmt: skip
    assert card.score == Decimal("102.0") and card.bonus == Decimal("2.0")
    with pytest.raises(ValidationError):
        bonus_award(actor=legal, unit=officer.unit, officer=None, code="nonexistent",
                    reason="x", occurred_at=timezone.now())  # fmt: skip


# --- caps ------------------------------------------------------------------------------------------
def _line(points: str, key: str, alert: int | None, kind: str = ItemKind.FINDING_RULE) -> Any:
    return cards.Line(Subject.UNIT, 1, None, dt.date(2026, 6, 1), key, kind, alert, Decimal(points))


def _scheme(**caps: Any) -> Scheme:
    return Scheme(effective_from=dt.date(2000, 1, 1), bonus_cap=Decimal("5"), **caps)


def test_the_per_alert_cap_limits_what_one_alert_costs() -> None:
    lines = [_line("-3", "finding:1", 7), _line("-3", "finding:2", 7), _line("-2", "finding:3", 8)]
    score = cards.month_score(dt.date(2026, 6, 1), lines, _scheme(alert_cap=Decimal("4")))
    assert (score.raw_deduction, score.deduction, score.score) == (
        Decimal("8.0"), Decimal("6.0"), Decimal("94.0"),
    )  # fmt: skip


def test_the_per_period_cap_limits_the_months_deduction_and_bonuses_have_their_own_cap() -> None:
    lines = [_line("-30", f"finding:{n}", n) for n in range(3)] + [
        _line("4", "bonus:1", None, ItemKind.BONUS),
        _line("4", "bonus:2", None, ItemKind.BONUS),
    ]
    score = cards.month_score(dt.date(2026, 6, 1), lines, _scheme(period_cap=Decimal("40")))
    assert (score.deduction, score.bonus, score.score) == (
        Decimal("40.0"), Decimal("5.0"), Decimal("65.0"),
    )  # fmt: skip


def test_a_reversed_entry_costs_nothing() -> None:
    lines = [_line("-3", "finding:1", 7), _line("3", "finding:1", 7)]
    assert cards.month_score(dt.date(2026, 6, 1), lines, _scheme()).score == Decimal("100.0")


# --- period boundaries --------------------------------------------------------------------------
def test_months_and_quarters_end_at_midnight_in_shanghai_not_utc() -> None:
    utc = dt.UTC
    # 2026-06-30 23:30 in Shanghai is 15:30 UTC on the 30th: June.
    assert month_of(dt.datetime(2026, 6, 30, 15, 30, tzinfo=utc)) == dt.date(2026, 6, 1)
    # 2026-07-01 00:30 in Shanghai is still 30 June in UTC: July already.
    assert month_of(dt.datetime(2026, 6, 30, 16, 30, tzinfo=utc)) == dt.date(2026, 7, 1)
    q1 = Period.of(PeriodKind.QUARTER, dt.date(2026, 3, 31))
    q2 = Period.of(PeriodKind.QUARTER, dt.date(2026, 4, 1))
    assert (q1.token, q2.token) == ("2026-Q1", "2026-Q2")
    start, end = q1.bounds()
    assert start == at(2026, 1, 1, 0) and end == at(2026, 4, 1, 0)
    assert end.astimezone(utc) == dt.datetime(2026, 3, 31, 16, 0, tzinfo=utc)
    assert Period.parse(PeriodKind.YEAR, "2026").months[-1] == dt.date(2026, 12, 1)
    assert Period.parse(PeriodKind.MONTH, "2026-12").end == dt.date(2027, 1, 1)


def test_a_quarter_is_the_mean_of_its_months_so_far() -> None:
    lines = [
        cards.Line(Subject.UNIT, 1, None, dt.date(2026, 4, 1), "finding:1", "finding_rule", 1,
                   Decimal("-9")),
        cards.Line(Subject.UNIT, 1, None, dt.date(2026, 5, 1), "finding:2", "finding_rule", 2,
                   Decimal("-3")),
    ]  # fmt: skip

    class NoCaps:
        def on(self, day: dt.date) -> Any:
            return None

    card = cards.cards(
        lines, subject=Subject.UNIT, keys=[1], period=Period.parse(PeriodKind.QUARTER, "2026-Q2"),
        chain=NoCaps(), today=dt.date(2026, 6, 15),  # type: ignore[arg-type]
    )[1]  # fmt: skip
    assert [m.score for m in card.months] == [Decimal("91.0"), Decimal("97.0"), Decimal("100.0")]
    assert card.score == Decimal("96.0") and card.deduction == Decimal("12.0")
    # In May only April and May have begun.
    card = cards.cards(
        lines, subject=Subject.UNIT, keys=[1], period=Period.parse(PeriodKind.QUARTER, "2026-Q2"),
        chain=NoCaps(), today=dt.date(2026, 5, 31),  # type: ignore[arg-type]
    )[1]  # fmt: skip
    assert card.score == Decimal("94.0")


# --- replay ---------------------------------------------------------------------------------------
def test_a_revision_is_replayed_before_it_is_published_and_publishing_applies_the_difference(
    bureau_a: Any, legal: Any, clerk: Any, officer: Any
) -> None:
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    month = Period.of(PeriodKind.MONTH, timezone.localdate())
    before = selectors.card_for(legal, subject=Subject.OFFICER, key=officer.pk, period=month)
    base = Scheme.objects.get(bureau=None, version=1)
    items = [
        {**i, "officer": "5"} if i["code"] == "criminal_filing_review" else i for i in base.items
    ]
    draft = scheme_draft(
        actor=legal, change_reason="立案审查超期加重", title=base.title,
        document_number="沙公法〔2026〕7号", effective_from=dt.date(2026, 6, 1), items=items,
        period_cap=Decimal("40"), alert_cap=Decimal("10"), bonus_cap=Decimal("5"),
    )  # fmt: skip
    replay = selectors.replay(legal, draft, month)
    assert [(p.subject, p.points) for p in replay.plans] == [(Subject.OFFICER, Decimal("-2"))]
    changed = {(b.subject, b.key): (b.score, a.score) for b, a, _ in replay.rows}
    assert changed == {(Subject.OFFICER, officer.pk): (before.score, before.score - 2)}
    # Nothing is written until it is published.
    assert not ScoreEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
    assert Chain(bureau_a.bureau.pk).on(timezone.localdate()).version == 1  # type: ignore[union-attr]
    published = scheme_publish(actor=legal, scheme=draft)
    assert published.adjustments == 1
    after = selectors.card_for(legal, subject=Subject.OFFICER, key=officer.pk, period=month)
    assert after.score == before.score - 2
    adjustment = ScoreEntry.objects.get(kind=EntryKind.ADJUSTMENT)
    assert adjustment.scheme == draft and adjustment.points == Decimal("-2")
    # Publishing twice is refused; replaying the published version changes nothing more.
    with pytest.raises(ValidationError):
        scheme_publish(actor=legal, scheme=draft)
    assert net(subject=Subject.OFFICER, officer=officer, item_code="criminal_filing_review") == (
        Decimal("-5")
    )


def test_only_the_legal_brigade_drafts_and_publishes_the_scheme(
    bureau_a: Any, leader: Any, head: Any, legal: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    fields = {"title": "办法", "document_number": "文号", "effective_from": dt.date(2026, 1, 1),
              "items": [], "period_cap": None, "alert_cap": None, "bonus_cap": Decimal("0")}  # fmt: skip
    for user in (leader, head):
        with pytest.raises(PermissionDenied):
            scheme_draft(actor=user, change_reason="x", **fields)
    draft = scheme_draft(actor=legal, change_reason="x", **fields)
    with pytest.raises(PermissionDenied):
        scheme_publish(actor=head, scheme=draft)
    with pytest.raises(ValidationError):
        scheme_draft(actor=legal, change_reason="x", **{**fields, "document_number": " "})
    with pytest.raises(ValidationError):
        scheme_draft(actor=legal, change_reason="x", **{**fields, "items": [
            {"kind": "finding_rule", "code": "x", "officer": "101", "unit": "0"}]})  # fmt: skip


def test_the_ledger_refuses_edits_and_deletions(bureau_a: Any, clerk: Any, officer: Any) -> None:
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    entry = ScoreEntry.objects.first()
    assert entry is not None
    entry.points = Decimal("0")
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        ScoreEntry.objects.filter(pk=entry.pk).update(points=0)
    with pytest.raises(ValidationError):
        ScoreEntry.objects.all().delete()
    assert ScoreEntry.objects.get(pk=entry.pk).points < 0


def _ledger_row(bureau_a: Any) -> ScoreEntry:
    now = timezone.now()
    return ScoreEntry.objects.create(
        bureau=bureau_a.bureau,
        subject=Subject.UNIT,
        unit=bureau_a.station,
        kind=EntryKind.DEDUCTION,
        item_kind=ItemKind.FINDING_RULE,
        item_code="deadline_overdue",
        item_label="节点超期",
        points=Decimal("-1"),
        scheme=Scheme.objects.get(bureau=None, version=1),
        period=month_of(now),
        occurred_at=now,
        posted_at=now,
        fact_key="trigger-test",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE assessment_scoreentry SET points = 0",
        "UPDATE assessment_scoreentry SET reason = 'x' WHERE id = %(pk)s",
        "DELETE FROM assessment_scoreentry",
        "DELETE FROM assessment_scoreentry WHERE id = %(pk)s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes_of_ledger_rows(
    bureau_a: Any, statement: str
) -> None:
    # Past the model and its queryset: the triggers of migration 0003, on SQLite and PostgreSQL.
    entry = _ledger_row(bureau_a)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement % {"pk": entry.pk})
    assert ScoreEntry.objects.get(pk=entry.pk).points == Decimal("-1")


def test_the_ledger_triggers_let_only_the_test_flush_empty_the_table(bureau_a: Any) -> None:
    from shoulian.audit import guard

    entry = _ledger_row(bureau_a)
    with guard.maintenance(guard.MODE_FLUSH), connection.cursor() as cursor:
        # Even in the flush mode a row is never rewritten.
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute(f"UPDATE assessment_scoreentry SET points = 0 WHERE id = {entry.pk}")  # noqa: S608
        cursor.execute(f"DELETE FROM assessment_scoreentry WHERE id = {entry.pk}")  # noqa: S608
    assert not ScoreEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only statement")
def test_postgresql_refuses_truncating_the_ledger(bureau_a: Any) -> None:
    _ledger_row(bureau_a)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE assessment_scoreentry")
    assert ScoreEntry.objects.exists()


def test_publishing_replays_from_midnight_beijing_time_of_the_effective_day(
    bureau_a: Any, legal: Any, clerk: Any, officer: Any, time_machine: Any
) -> None:
    # 02:00 in Beijing is still the day before in UTC: a finding opened then, on the version's
    # effective day, is under the new version and publishing must adjust it.
    early = dt.datetime(2026, 6, 17, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    time_machine.move_to(early)
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    base = Scheme.objects.get(bureau=None, version=1)
    items = [
        {**i, "officer": "5"} if i["code"] == "criminal_filing_review" else i for i in base.items
    ]
    draft = scheme_draft(
        actor=legal, change_reason="立案审查超期加重", title=base.title,
        document_number="沙公法〔2026〕8号", effective_from=dt.date(2026, 6, 17), items=items,
        period_cap=Decimal("40"), alert_cap=Decimal("10"), bonus_cap=Decimal("5"),
    )  # fmt: skip
    assert scheme_publish(actor=legal, scheme=draft).adjustments == 1
    assert net(subject=Subject.OFFICER, officer=officer, item_code="criminal_filing_review") == (
        Decimal("-5")
    )
