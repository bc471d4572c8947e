"""Writes of the assistant: the legal brigade's revision of a checklist (a new version) and the
officer's choice of nature beside a suggestion. Both journalled in their transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.assistant.choices import Context, Nature
from shoulian.assistant.models import Checklist, NarrativeRanking
from shoulian.assistant.ranking import Ranking, rank
from shoulian.assistant.selectors import current_checklists
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record

# The fields a revision may change; everything else (label, version, who, when) the service sets.
CHECKLIST_FIELDS = (
    "statute",
    "object_text",
    "object_cues",
    "object_question",
    "conduct_text",
    "conduct_cues",
    "conduct_question",
    "subject_text",
    "subject_cues",
    "subject_question",
    "intent_text",
    "intent_cues",
    "intent_question",
    "threshold_kind",
    "threshold_yuan",
    "threshold_text",
    "threshold_source",
    "threshold_date",
    "threshold_alternatives",
    "province",
    "province_threshold_yuan",
    "province_source",
    "province_note",
    "verified",
    "evidence",
    "procedure",
)


def checklist_revise(*, actor: Any, base: Checklist, change_note: str, **fields: Any) -> Checklist:
    """Save a new version of ``base``'s nature. Only the legal brigade revises; the revision must
    start from the version in force (a concurrent revision makes the later one start again)."""
    if actor is None or not actor.has_role(Role.LEGAL_BRIGADE):
        deny(actor, action="checklist_revise", obj=base)
    unknown = set(fields) - set(CHECKLIST_FIELDS)
    if unknown:
        raise TypeError(f"unknown checklist fields: {sorted(unknown)}")
    change_note = change_note.strip()
    if not change_note:
        raise ValidationError({"change_note": "请写明修订说明（如依据的新文件、核对结果）。"})
    changes = {
        name: [_plain(getattr(base, name)), _plain(value)]
        for name, value in fields.items()
        if getattr(base, name) != value
    }
    if not changes:
        raise ValidationError("与现行版本相同，无需修订。")
    with transaction.atomic():
        try:
            values = {name: getattr(base, name) for name in CHECKLIST_FIELDS} | fields
            revised = Checklist.objects.create(
                label=base.label,
                version=base.version + 1,
                changed_by=actor,
                changed_at=timezone.now(),
                change_note=change_note[:300],
                **values,
            )
        except IntegrityError:
            raise ValidationError(
                "该清单刚刚被其他人修订，请刷新页面，在最新版本的基础上重新修订。"
            ) from None
        record(
            EventType.NATURE_CHECKLIST_REVISED,
            obj=revised,
            actor=actor,
            data={
                "label": revised.label,
                "version": revised.version,
                "previous": base.pk,
                "changes": changes,
                "note": change_note[:300],
            },
        )
    return revised


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def nature_choice_record(
    *,
    actor: Any,
    context: str,
    text: str,
    chosen: str,
    alert: Any = None,
    form_key: str = "",
) -> tuple[Ranking, dict[str, Any]]:
    """Journal the nature the officer chose beside the suggestion and whether it followed it.

    The suggestion is computed again here from the same text, so the journal says what the
    assistant would have shown, not what a browser claims it showed. The narrative itself is not
    journalled (it holds personal data): its SHA-256 and length are, and the form's idempotency
    key ties a registration-time choice to the alert it became."""
    if chosen not in Nature.values:
        raise ValidationError({"chosen": "未知的定性。"})
    if context not in Context.values:
        raise ValidationError({"context": "未知的使用场景。"})
    ranking = rank(text, current_checklists())
    labels = [s.label for s in ranking.top]
    data = {
        "context": context,
        "chosen": chosen,
        "suggested": [{"label": s.label, "p": round(s.p, 4)} for s in ranking.top],
        "followed": bool(labels) and chosen == labels[0],
        "in_top3": chosen in labels,
        "model": ranking.model_version,
        "checklist_versions": {s.label: s.checklist_version for s in ranking.top},
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "text_chars": len(text),
    }
    if form_key:
        data["form_key"] = form_key[:80]
    with transaction.atomic():
        record(EventType.NATURE_CHOICE_RECORDED, obj=alert, actor=actor, data=data)
    return ranking, data


RANKING_FIELDS = (
    "alert_version",
    "digest",
    "basis",
    "label",
    "p",
    "found",
    "found_count",
    "missing",
    "threshold_met",
    "checklist_version",
    "model_version",
    "ranked_at",
)


def narrative_rankings_store(
    *, rankings: list[NarrativeRanking], ranked: int, bureau_path: str
) -> None:
    """Keep the rankings the 有案不受 rule computed (one row per alert, replaced), journalled once
    per call: how many rows, how many narratives the model ranked (the rest were known by their
    digest), under which model and checklists. Runs in the caller's transaction (the patrol's, or
    the officer's step that evaluated its alert)."""
    if not rankings:
        return
    with transaction.atomic():
        NarrativeRanking.objects.bulk_create(
            rankings,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["alert"],
            update_fields=list(RANKING_FIELDS),
        )
        record(
            EventType.NARRATIVES_RANKED,
            data={
                "rows": len(rankings),
                "ranked": ranked,
                "model_version": rankings[0].model_version,
                "basis": rankings[0].basis,
                # A job or a step's subscriber, no signed-in actor: the bureau patrolled (Z2).
                "subject_unit_path": bureau_path,
            },
        )
