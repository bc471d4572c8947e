"""The 有案不受 patrol rule (issue 18 §5): a report closed as a non-case, decided 不属于公安职责, or
moved out of the case-type categories / the criminal group, whose narrative reads as a crime.

Registered in supervision's code registry from here (the assistant sits above supervision: the app
that contributes a rule sits above the registry's owner); imported by ``AssistantConfig.ready()``.
Its default settings are seeded by ``assistant/migrations/0003_seed_patrol_rule.py``.

Cost stays bounded: SQL selects the candidates (the few alerts closed that way or moved), and only
their narratives are ranked — never every alert of the bureau.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery

from shoulian.assistant.ranking import rank
from shoulian.assistant.screening import DEFAULT_MIN_ELEMENTS, DEFAULT_MIN_P, crime_signal
from shoulian.assistant.selectors import current_checklists
from shoulian.intake.choices import CategoryGroup
from shoulian.supervision.choices import Level
from shoulian.supervision.registry import Hit, Param, PatrolContext, patrol_rule
from shoulian.workflow.choices import DecisionKind, DecisionStatus
from shoulian.workflow.models import AlertFlow, Decision

CODE = "crime_narrative_unaccepted"
CLOSED_AS_NON_CASE = (DecisionKind.CLOSE_NON_CASE, DecisionKind.NOT_POLICE)


def candidates(ctx: PatrolContext) -> list[dict[str, Any]]:
    """The alerts the rule looks at, chosen by SQL: an approved non-case / not-police decision
    (as of ``ctx.now``), or a category moved out of the case types or out of the criminal group."""
    # The latest approved closing decision of that kind, if any.
    closing = (
        Decision.objects.filter(
            alert=OuterRef("pk"),
            status=DecisionStatus.APPROVED,
            kind__in=CLOSED_AS_NON_CASE,
            decided_at__lte=ctx.now,
        )
        .order_by("-decided_at", "-pk")
        .values("kind")[:1]
    )
    out_of_case_types = Q(registered_category__is_case_type=True, category__is_case_type=False)
    out_of_criminal = Q(registered_category__group=CategoryGroup.CRIMINAL) & ~Q(
        category__group=CategoryGroup.CRIMINAL
    )
    rows = (
        ctx.alerts()
        .annotate(closing_kind=Subquery(closing))
        .filter(Q(closing_kind__isnull=False) | out_of_case_types | out_of_criminal)
        .values(
            "pk",
            "number",
            "narrative",
            "handling_unit_id",
            "registering_unit_id",
            "closing_kind",
            registered_code=F("registered_category__code"),
            current_code=F("category__code"),
        )
        .order_by("pk")
    )
    return [dict(r) for r in rows]


def _officers(alert_ids: Iterable[int]) -> dict[int, int | None]:
    ids = list(set(alert_ids))
    if not ids:
        return {}
    return dict(
        AlertFlow.objects.filter(alert_id__in=ids).values_list("alert_id", "handling_officer_id")
    )


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
    rows = candidates(ctx)
    if not rows:
        return []
    min_p = ctx.param("min_percent") / 100
    min_elements = ctx.param("min_elements")
    checklists = current_checklists()
    officers = _officers(r["pk"] for r in rows)
    hits = []
    for r in rows:
        ranking = rank(r["narrative"], checklists)
        signal = crime_signal(ranking, min_p=min_p, min_elements=min_elements)
        if signal is None:
            continue
        how = DecisionKind(r["closing_kind"]).label if r["closing_kind"] else "改为其他类别"
        hits.append(
            Hit(
                subject_type="alert",
                subject_id=r["pk"],
                alert_id=r["pk"],
                unit_id=r["handling_unit_id"] or r["registering_unit_id"],
                officer_id=officers.get(r["pk"]),
                summary=(
                    f"警情 {r['number']}：{how}，案情疑似{signal.label}"
                    f"（{round(signal.p * 100)}%），请复核定性"
                ),
                # No narrative text: the nature, the numbers and the names of the elements found.
                evidence={
                    "number": r["number"],
                    "how": how,
                    "closing_kind": r["closing_kind"],
                    "registered_category": r["registered_code"],
                    "category": r["current_code"],
                    "nature": signal.label,
                    "percent": round(signal.p * 100, 1),
                    "elements_found": [e.element for e in signal.elements if e.found],
                    "elements_missing": [e.element for e in signal.elements if not e.found],
                    "threshold_met": signal.threshold.met if signal.threshold else None,
                    "checklist_version": signal.checklist_version,
                    "model_version": ranking.model_version,
                },
            )
        )
    return hits
