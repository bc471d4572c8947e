"""What the ledger should hold: the facts supervision has recorded (findings, overdue nodes,
findings left unrectified) and the points a version of the 考核办法 gives them.

Facts are read from supervision's rows, never from the workflow: a finding (巡查发现, not a 预警)
on the day the patrol opened it; for a ``deadline_overdue`` / ``non_filing_notice_late`` finding
the node (its deadline's rule code) as well; a finding escalated for want of rectification on the
day its first rectification period ran out. The same reading serves the nightly job (new facts),
the replay of a revision (the difference) and the tests."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shoulian.assessment.choices import (
    UNRECTIFIED_CODE,
    EntryKind,
    ItemKind,
    Subject,
)
from shoulian.assessment.models import Scheme, ScoreEntry
from shoulian.assessment.periods import month_of
from shoulian.assessment.versions import Chain
from shoulian.deadlines.models import Deadline
from shoulian.deadlines.versions import legal_date
from shoulian.supervision.choices import MANUAL_RULE_CODE, FindingKind
from shoulian.supervision.models import Finding
from shoulian.supervision.services.findings import rectification_due

# Finding rules whose subject is a running deadline: their findings are charged by node.
NODE_RULES = frozenset({"deadline_overdue", "non_filing_notice_late"})
ZERO = Decimal("0")
MAX_RECTIFY = dt.timedelta(days=91)


@dataclass(frozen=True)
class Fact:
    key: str
    kind: str
    code: str
    # For a node: the finding rule whose item applies when the node has none of its own.
    fallback_code: str
    occurred_at: dt.datetime
    unit_id: int
    officer_id: int | None
    alert_id: int | None
    # None for a failed item of a 专项评查 campaign (its sample entry is the source).
    finding_id: int | None
    deadline_id: int | None
    summary: str

    def subjects(self) -> list[str]:
        return [Subject.OFFICER, Subject.UNIT] if self.officer_id else [Subject.UNIT]


def facts(
    bureau: Any,
    *,
    until: dt.datetime,
    since: dt.datetime | None = None,
    finding_ids: Iterable[int] | None = None,
) -> list[Fact]:
    """Every fact of ``bureau`` that had happened by ``until`` (and from ``since``)."""
    qs = Finding.objects.filter(bureau=bureau, kind=FindingKind.FINDING, opened_at__lte=until)
    if since is not None:
        # An unrectified fact happens after its finding opened, at most a rectification period
        # (≤ 90 days, the rule form's limit) later.
        qs = qs.filter(opened_at__gte=since - MAX_RECTIFY)
    if finding_ids is not None:
        qs = qs.filter(pk__in=list(finding_ids))
    rows = list(qs.select_related("rule").order_by("opened_at", "pk"))
    deadline_ids = [
        int(f.subject_id)
        for f in rows
        if f.rule_code in NODE_RULES and f.subject_type == "deadline" and f.subject_id.isdigit()
    ]
    nodes = dict(Deadline.objects.filter(pk__in=deadline_ids).values_list("pk", "code"))
    from shoulian.review.selectors import campaign_review_ids

    # A campaign's score raises a finding for the unit to rectify; the campaign's failed
    # checklist items (``campaign_facts``) are what is charged for it, not that finding again.
    by_review = {
        int(f.subject_id): f.pk
        for f in rows
        if f.rule_code == MANUAL_RULE_CODE and f.subject_type == "review" and f.subject_id.isdigit()
    }
    charged_by_campaign = {by_review[pk] for pk in campaign_review_ids(by_review)}
    found: list[Fact] = []
    for f in rows:
        deadline_id = int(f.subject_id) if f.subject_id.isdigit() else None
        node = nodes.get(deadline_id) if deadline_id and f.rule_code in NODE_RULES else None
        common: dict[str, Any] = {
            "unit_id": f.unit_id,
            "officer_id": f.officer_id,
            "alert_id": f.alert_id,
            "finding_id": f.pk,
            "deadline_id": deadline_id if node else None,
            # A reviewer's own words stay on the finding (where they can be corrected); the
            # append-only ledger keeps the rule's name, never free text.
            "summary": (f.rule.name if f.rule_code == MANUAL_RULE_CODE else f.summary[:300]),
        }
        if node:
            found.append(
                Fact(
                    f"finding:{f.pk}",
                    ItemKind.OVERDUE_NODE,
                    node,
                    f.rule_code,
                    f.opened_at,
                    **common,
                )  # fmt: skip
            )
        elif f.pk not in charged_by_campaign:
            found.append(
                Fact(
                    f"finding:{f.pk}", ItemKind.FINDING_RULE, f.rule_code, "", f.opened_at, **common
                )  # fmt: skip
            )
        if f.escalation >= 1:
            # Not rectified by the first period the rule gave it (the rule version it was
            # opened under): that is when the unit failed, whenever the patrol noticed.
            first_due = rectification_due(f.opened_at, f.rule.rectify_days or 7)
            if first_due is not None and first_due <= until:
                found.append(
                    Fact(
                        f"unrectified:{f.pk}",
                        ItemKind.UNRECTIFIED,
                        UNRECTIFIED_CODE,
                        "",
                        first_due,
                        **common,
                    )  # fmt: skip
                )
    if finding_ids is None:
        found += campaign_facts(bureau, until=until, since=since)
    if since is not None:
        found = [fact for fact in found if fact.occurred_at >= since]
    return found


def campaign_facts(
    bureau: Any, *, until: dt.datetime, since: dt.datetime | None = None
) -> list[Fact]:
    """Each checklist item an alert failed in a scored 专项评查 campaign (review), on the day it
    was scored: charged to the unit answerable when the sample was drawn and to the alert's
    handling officer, by the item's code (``campaign_check`` items of the 考核办法)."""
    from shoulian.review.selectors import campaign_results
    from shoulian.workflow.models import AlertFlow

    start = since or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    entries = list(campaign_results(bureau, start, until + dt.timedelta(microseconds=1)))
    officers = dict(
        AlertFlow.objects.filter(alert_id__in={e.alert_id for e in entries}).values_list(
            "alert_id", "handling_officer_id"
        )
    )
    found = []
    for entry in entries:
        if entry.scored_at is None:  # pragma: no cover - campaign_results returns scored ones
            continue
        for score in entry.scores.all():
            if score.passed:
                continue
            found.append(
                Fact(
                    f"campaign:{score.pk}",
                    ItemKind.CAMPAIGN_CHECK,
                    score.item.code,
                    "",
                    entry.scored_at,
                    unit_id=entry.unit_id,
                    officer_id=officers.get(entry.alert_id),
                    alert_id=entry.alert_id,
                    finding_id=None,
                    deadline_id=None,
                    # Not the scorer's note: free text stays out of the append-only ledger.
                    summary=f"{entry.campaign.title}：{score.item.text}",
                )
            )
    return found


def item_for(scheme: Scheme, fact: Fact) -> dict[str, Any] | None:
    if fact.kind == ItemKind.OVERDUE_NODE:
        return scheme.item(ItemKind.OVERDUE_NODE, fact.code) or scheme.item(
            ItemKind.FINDING_RULE, fact.fallback_code
        )
    return scheme.item(fact.kind, fact.code)


def points(item: dict[str, Any] | None, subject: str) -> Decimal:
    """The (negative) points ``item`` deducts from ``subject``; zero without an item."""
    if item is None:
        return ZERO
    value = Decimal(str(item.get(subject) or 0))
    return -abs(value)


@dataclass(frozen=True)
class Planned:
    """An entry the ledger should get: a new fact's deduction or a revision's difference."""

    fact: Fact
    subject: str
    kind: str
    points: Decimal
    scheme: Scheme
    item: dict[str, Any]
    current: Decimal = ZERO

    @property
    def period(self) -> dt.date:
        return month_of(self.fact.occurred_at)


def _item_label(item: dict[str, Any] | None, fact: Fact) -> dict[str, Any]:
    if item is not None:
        return item
    return {"kind": fact.kind, "code": fact.code, "label": fact.code}


def plan_new(bureau: Any, found: list[Fact], chain: Chain) -> list[Planned]:
    """Deductions for facts the ledger does not hold yet (for that subject)."""
    keys = [f.key for f in found]
    have = set(
        ScoreEntry.objects.filter(bureau=bureau, fact_key__in=keys).values_list(
            "fact_key", "subject"
        )
    )
    plans = []
    for fact in found:
        scheme = chain.on(legal_date(fact.occurred_at))
        if scheme is None:
            continue
        item = item_for(scheme, fact)
        for subject in fact.subjects():
            if (fact.key, subject) in have:
                continue
            value = points(item, subject)
            if value:
                plans.append(
                    Planned(
                        fact, subject, EntryKind.DEDUCTION, value, scheme, _item_label(item, fact)
                    )  # fmt: skip
                )
    return plans


def plan_replay(bureau: Any, found: list[Fact], chain: Chain) -> list[Planned]:
    """The differences between what the ledger holds for ``found`` and what ``chain`` gives:
    one adjustment per fact and subject whose points change. A fact whose entry a challenge
    reversed stays at zero: the answer to the challenge is not undone by a revision."""
    keys = [f.key for f in found]
    net: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    waived: set[tuple[str, str]] = set()
    for key, subject, value, kind in ScoreEntry.objects.filter(
        bureau=bureau, fact_key__in=keys
    ).values_list("fact_key", "subject", "points", "kind"):
        net[(key, subject)] += value
        if kind == EntryKind.REVERSAL:
            waived.add((key, subject))
    plans = []
    for fact in found:
        scheme = chain.on(legal_date(fact.occurred_at))
        item = item_for(scheme, fact) if scheme is not None else None
        for subject in fact.subjects():
            if (fact.key, subject) in waived:
                continue
            target = points(item, subject)
            current = net[(fact.key, subject)]
            if target != current and scheme is not None:
                plans.append(
                    Planned(
                        fact,
                        subject,
                        EntryKind.ADJUSTMENT,
                        target - current,
                        scheme,
                        _item_label(item, fact),
                        current,
                    )  # fmt: skip
                )
    return plans
