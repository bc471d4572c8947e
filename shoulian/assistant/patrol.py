"""The 有案不受 patrol rule (issue 18 §5): a report closed as a non-case, decided 不属于公安职责, or
moved out of the case-type categories / the criminal group, whose narrative reads as a crime.

Registered in supervision's code registry from here (the assistant sits above supervision: the app
that contributes a rule sits above the registry's owner); imported by ``AssistantConfig.ready()``.
Its default settings are seeded by ``assistant/migrations/0003_seed_patrol_rule.py``.

Cost stays bounded: SQL selects the candidates (the few alerts closed that way or moved), and only
their narratives are ranked — never every alert of the bureau. Each ranking is stored
(``NarrativeRanking``, per alert, with the narrative's digest and the basis it was ranked under):
the candidate statement reads the stored rankings, not the narratives, and only a candidate whose
row does not answer (new, its registration edited since, or a new model or checklist) has its
narrative read, and is ranked only if no ranking of the same text under the same basis exists.
The rule's parameters apply to the stored ranking, so revising them ranks nothing again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shoulian.assistant import classifier
from shoulian.assistant.models import NarrativeRanking
from shoulian.assistant.ranking import rank
from shoulian.assistant.screening import (
    DEFAULT_MIN_ELEMENTS,
    DEFAULT_MIN_P,
    SIGNAL_NATURES,
    signal_met,
)
from shoulian.assistant.selectors import current_checklists
from shoulian.assistant.services import RANKING_FIELDS, narrative_rankings_store
from shoulian.intake.choices import CategoryGroup
from shoulian.intake.models import Alert
from shoulian.supervision.choices import Level
from shoulian.supervision.registry import Hit, Param, PatrolContext, compiled, patrol_rule
from shoulian.workflow.choices import DecisionKind, DecisionStatus
from shoulian.workflow.models import Decision

CODE = "crime_narrative_unaccepted"
CLOSED_AS_NON_CASE = (DecisionKind.CLOSE_NON_CASE, DecisionKind.NOT_POLICE)
# Part of every stored ranking's basis: raise it when what a row holds, or how the rule reads
# it, changes (the rows of the old format then answer nothing and are ranked again).
RANKING_FORMAT = 1
CHUNK = 500


def _closing(ctx: PatrolContext) -> QuerySet[Decision]:
    return Decision.objects.filter(
        alert=OuterRef("pk"),
        status=DecisionStatus.APPROVED,
        kind__in=CLOSED_AS_NON_CASE,
        decided_at__lte=ctx.now,
    )


def _candidate_alerts(ctx: PatrolContext) -> QuerySet[Alert]:
    """The alerts the rule looks at, chosen by SQL: an approved non-case / not-police decision
    (as of ``ctx.now``), or a category moved out of the case types or out of the criminal group."""
    out_of_case_types = Q(registered_category__is_case_type=True, category__is_case_type=False)
    out_of_criminal = Q(registered_category__group=CategoryGroup.CRIMINAL) & ~Q(
        category__group=CategoryGroup.CRIMINAL
    )
    return ctx.alerts().filter(Exists(_closing(ctx)) | out_of_case_types | out_of_criminal)


class Candidate(NamedTuple):
    """One candidate and what its stored ranking says (None where no row is stored)."""

    pk: int
    unit_id: int
    version: int
    ranked_version: int | None
    basis: str | None
    label: str | None
    p: float | None
    found_count: int | None
    threshold_met: bool | None


def _candidate_rows(ctx: PatrolContext) -> QuerySet[Any]:
    return _candidate_alerts(ctx).values_list(
        "pk",
        "handling_unit_id",
        "registering_unit_id",
        "version",
        "narrative_ranking__alert_version",
        "narrative_ranking__basis",
        "narrative_ranking__label",
        "narrative_ranking__p",
        "narrative_ranking__found_count",
        "narrative_ranking__threshold_met",
    )


def candidates(ctx: PatrolContext) -> list[Candidate]:
    """The candidates with their stored rankings, in one statement that reads no narrative (for
    one changed alert, the statement compiled once: ``registry.compiled``)."""
    if ctx.alert_ids is None:
        rows: list[tuple[Any, ...]] = list(_candidate_rows(ctx).order_by())
    else:
        sql, params = compiled(ctx, _candidate_rows)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            # Read raw: SQLite answers a boolean as 0/1.
            rows = [(*r[:-1], None if r[-1] is None else bool(r[-1])) for r in cursor.fetchall()]
    return sorted(Candidate(r[0], r[1] or r[2], *r[3:]) for r in rows)


def _unanswered_or_signalled(ctx: PatrolContext, basis: str) -> list[Candidate]:
    """The candidates without a stored ranking under ``basis`` for their current version, and
    those whose stored ranking gives a signal (``signal_met``, in SQL; tested again in Python)."""
    answered = Q(narrative_ranking__alert_version=F("version"), narrative_ranking__basis=basis)
    signalled = Q(
        narrative_ranking__label__in=sorted(SIGNAL_NATURES),
        narrative_ranking__p__gte=ctx.param("min_percent") / 100,
        narrative_ranking__found_count__gte=ctx.param("min_elements"),
    ) & ~Q(narrative_ranking__threshold_met=False)
    rows = _candidate_rows(ctx).filter(~answered | signalled).order_by()
    return sorted(Candidate(r[0], r[1] or r[2], *r[3:]) for r in rows)


def ranking_basis(checklists: Mapping[str, Any]) -> str:
    """What a stored ranking was computed under: the model's version and the checklists in force
    (their thresholds move probability between a crime and its administrative counterpart, their
    cues decide the elements found). A new model or a revised checklist changes it."""
    parts = [f"format {RANKING_FORMAT}", f"model {classifier.shipped().version}"]
    parts += [f"{label}:{c.pk}:{c.version}" for label, c in sorted(checklists.items())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def digest_of(narrative: str) -> str:
    return hashlib.sha256(narrative.encode()).hexdigest()


def _rank_stale(
    ctx: PatrolContext, stale: list[Candidate], basis: str, checklists: Mapping[str, Any]
) -> dict[int, NarrativeRanking]:
    """Rankings for the candidates whose stored one does not answer: their narratives are read
    (only theirs), a narrative already ranked under ``basis`` (the same alert's, unchanged, or
    another alert's with the same text) is copied, the rest go through the model; all are
    stored."""
    now = timezone.now()
    out: dict[int, NarrativeRanking] = {}
    model_calls = 0
    versions = {c.pk: c.version for c in stale}
    ids = sorted(versions)
    # Every text ranked or found so far in this call: the rows are stored at its end.
    known: dict[str, NarrativeRanking] = {}
    for start in range(0, len(ids), CHUNK):
        narratives = dict(
            Alert.objects.filter(pk__in=ids[start : start + CHUNK])
            .order_by()
            .values_list("pk", "narrative")
        )
        digests = {pk: digest_of(text) for pk, text in narratives.items()}
        unknown = set(digests.values()) - known.keys()
        if unknown:
            for row in NarrativeRanking.objects.filter(basis=basis, digest__in=unknown).order_by():
                known.setdefault(row.digest, row)
        for pk, text in narratives.items():
            digest = digests[pk]
            same = known.get(digest)
            if same is None:
                same = _ranked(text, checklists, basis, digest, now)
                known[digest] = same
                model_calls += 1
            out[pk] = NarrativeRanking(
                alert_id=pk,
                alert_version=versions[pk],
                **{f: getattr(same, f) for f in _COPIED},
            )
    narrative_rankings_store(
        rankings=list(out.values()), ranked=model_calls, bureau_path=ctx.bureau.path
    )
    return out


_COPIED = tuple(f for f in RANKING_FIELDS if f != "alert_version")


def _ranked(
    text: str, checklists: Mapping[str, Any], basis: str, digest: str, now: Any
) -> NarrativeRanking:
    ranking = rank(text, checklists)
    first = ranking.first
    found = [e.element for e in first.elements if e.found]
    return NarrativeRanking(
        digest=digest,
        basis=basis,
        label=first.label,
        p=first.p,
        found="、".join(found),
        found_count=len(found),
        missing="、".join(e.element for e in first.elements if not e.found),
        threshold_met=first.threshold.met if first.threshold is not None else None,
        checklist_version=first.checklist_version,
        model_version=ranking.model_version,
        ranked_at=now,
    )


def _describe(ctx: PatrolContext, hits: list[Hit]) -> list[Hit]:
    """Summary, evidence and officer of the hits that open or reopen a finding: the alert's
    number, how it was closed or moved, and its stored ranking (no narrative text)."""
    ids = sorted({int(h.subject_id) for h in hits})
    latest = _closing(ctx).order_by("-decided_at", "-pk").values("kind")[:1]
    rows: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        rows.update(
            (r["pk"], dict(r))
            for r in Alert.objects.filter(pk__in=ids[start : start + CHUNK])
            .annotate(closing_kind=Subquery(latest))
            .order_by()
            .values(
                "pk",
                "number",
                "closing_kind",
                registered_code=F("registered_category__code"),
                current_code=F("category__code"),
            )
        )
    stored = {
        r.alert_id: r
        for start in range(0, len(ids), CHUNK)
        for r in NarrativeRanking.objects.filter(alert_id__in=ids[start : start + CHUNK])
    }
    officers = ctx.officers(ids)
    out = []
    for hit in hits:
        pk = int(hit.subject_id)
        r, ranked = rows.get(pk), stored.get(pk)
        if r is None or ranked is None:
            out.append(hit)
            continue
        how = DecisionKind(r["closing_kind"]).label if r["closing_kind"] else "改为其他类别"
        out.append(
            Hit(
                subject_type="alert",
                subject_id=pk,
                alert_id=pk,
                unit_id=hit.unit_id,
                officer_id=officers.get(pk),
                summary=(
                    f"警情 {r['number']}：{how}，案情疑似{ranked.label}"
                    f"（{round(ranked.p * 100)}%），请复核定性"
                ),
                # No narrative text: the nature, the numbers and the names of the elements found.
                evidence={
                    "number": r["number"],
                    "how": how,
                    "closing_kind": r["closing_kind"],
                    "registered_category": r["registered_code"],
                    "category": r["current_code"],
                    "nature": ranked.label,
                    "percent": round(ranked.p * 100, 1),
                    "elements_found": _names(ranked.found),
                    "elements_missing": _names(ranked.missing),
                    "threshold_met": ranked.threshold_met,
                    "checklist_version": ranked.checklist_version,
                    "model_version": ranked.model_version,
                },
            )
        )
    return out


def _names(joined: str) -> list[str]:
    return joined.split("、") if joined else []


@patrol_rule(
    CODE,
    name="涉刑警情作非案件处理（有案不受）",
    description=(
        "按非案件类办结、不属于公安职责办结，或由涉案类别、刑事类改为其他类别的警情，"
        "其简要案情经案件定性辅助判断首选为刑事案件且要件已具备：请法制人员复核定性。"
        "以查全为先，命中是复核提示，不是结论。"
    ),
    basis="公安部《关于改革完善受案立案制度的意见》（2015）：有案不受、有案不立；案件定性辅助（issue 18）",
    level=Level.ORANGE,
    params=(
        Param(
            "min_percent",
            "首选刑事性质的最低概率（%）",
            round(DEFAULT_MIN_P * 100),
            1,
            100,
            help="越低越全，误报也越多。",
        ),
        Param(
            "min_elements",
            "至少具备的构成要件数",
            DEFAULT_MIN_ELEMENTS,
            0,
            4,
            help="客体、客观方面、主体、主观方面中已在案情中找到的个数。",
        ),
    ),
)
def crime_narrative_unaccepted(ctx: PatrolContext) -> list[Hit]:
    if ctx.alert_ids is None:
        # A full patrol: the statement leaves out the candidates whose stored ranking answers
        # and gives no signal (most of them), so it returns the hits and what must be ranked.
        checklists = current_checklists()
        basis = ranking_basis(checklists)
        rows = _unanswered_or_signalled(ctx, basis)
        if not rows:
            return []
    else:
        rows = candidates(ctx)
        if not rows:
            return []
        checklists = current_checklists()
        basis = ranking_basis(checklists)
    stale = [r for r in rows if r.ranked_version != r.version or r.basis != basis]
    fresh = _rank_stale(ctx, stale, basis, checklists) if stale else {}
    min_p = ctx.param("min_percent") / 100
    min_elements = ctx.param("min_elements")
    hits = []
    for r in rows:
        ranked = fresh.get(r.pk)
        if ranked is not None:
            label, p, found, met = ranked.label, ranked.p, ranked.found_count, ranked.threshold_met
        else:  # its stored row answers: its columns are all set
            label, p, found, met = r.label or "", r.p or 0.0, r.found_count or 0, r.threshold_met
        if signal_met(
            label=label,
            p=p,
            threshold_met=met,
            found=found,
            min_p=min_p,
            min_elements=min_elements,
        ):
            hits.append(Hit("alert", r.pk, r.pk, r.unit_id, describe=_describe))
    return hits
