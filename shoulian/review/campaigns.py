"""重点评查 / 专项评查 campaigns: the legal brigade defines one (period, units, categories, channel,
sample size or all, checklist version); the system draws the sample reproducibly (a seeded draw
over the population's ids in id order; the seed, the population's size and hash journalled);
reviewers are assigned round robin; each alert is scored item by item against the checklist; a
problem becomes a finding; the campaign closes with its conclusion and a report (公文 layout)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, durable_atomic, record
from shoulian.intake.choices import Channel
from shoulian.intake.models import Alert, Category
from shoulian.review.choices import (
    CampaignKind,
    CampaignStatus,
    EntryStatus,
    ReviewChannel,
    ReviewLevel,
    ReviewResult,
)
from shoulian.review.lifecycles import LIFECYCLE, Ctx
from shoulian.review.models import Campaign, CampaignEntry, CampaignScore, Checklist, ChecklistItem
from shoulian.review.services import ReviewDenied, levels_of, record_review
from shoulian.supervision.choices import Level

TITLE_MAX = 100
MAX_SAMPLE = 1000
# Who scores: the legal brigade, and the center's head when the brigade assigns it.
SCORER_ROLES = frozenset({Role.LEGAL_BRIGADE, Role.CENTER_HEAD})


# --- the checklist ---------------------------------------------------------------------------------
def checklist_in_force(bureau: Any, on: dt.date, code: str = "acceptance_filing") -> Checklist:
    """The bureau's own latest version in force on ``on``, else the default's."""
    rows = Checklist.objects.filter(code=code, effective_from__lte=on).filter(
        Q(bureau=bureau) | Q(bureau__isnull=True)
    )
    own = rows.filter(bureau=bureau).order_by("-effective_from", "-version").first()
    found = own or rows.filter(bureau__isnull=True).order_by("-effective_from", "-version").first()
    if found is None:
        raise ValidationError("没有生效的评查标准。")
    return found


def checklist_publish(
    *,
    actor: Any,
    name: str,
    items: Sequence[Mapping[str, Any]],
    change_reason: str,
    effective_from: dt.date,
    code: str = "acceptance_filing",
) -> Checklist:
    """A new version of the bureau's checklist (the legal brigade's): ``items`` are dicts of
    ``code``, ``text``, ``points``, ``legal_basis``. Earlier versions stay as they were, so a
    campaign scored against one keeps its marks."""
    with durable_atomic():
        _legal_only(actor, "checklist_publish", ("checklist", code))
        bureau = actor.unit.bureau()
        errors: list[str] = []
        if not str(name).strip():
            errors.append("请填写名称。")
        if not str(change_reason).strip():
            errors.append("请写明修订理由。")
        codes = [str(i.get("code", "")).strip() for i in items]
        if not items or len(set(codes)) != len(codes) or not all(codes):
            errors.append("评查项目代码须填写且不能重复。")
        for i in items:
            if not str(i.get("text", "")).strip() or not str(i.get("legal_basis", "")).strip():
                errors.append("每个评查项目须写明内容和依据。")
                break
            if not isinstance(i.get("points"), int) or not 1 <= i["points"] <= 100:
                errors.append("每项分值应为 1–100 的整数。")
                break
        if errors:
            raise ValidationError(errors)
        latest = Checklist.objects.filter(code=code, bureau=bureau).order_by("-version").first()
        checklist = Checklist.objects.create(
            code=code,
            bureau=bureau,
            version=(latest.version + 1) if latest else 1,
            name=str(name).strip()[:80],
            effective_from=effective_from,
            change_reason=str(change_reason).strip()[:300],
            created_by=actor,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                checklist=checklist,
                position=n,
                code=str(i["code"]).strip()[:40],
                text=str(i["text"]).strip()[:200],
                points=i["points"],
                legal_basis=str(i["legal_basis"]).strip()[:300],
            )
            for n, i in enumerate(items, start=1)
        )
        record(
            EventType.CHECKLIST_PUBLISHED,
            obj=checklist,
            actor=actor,
            data={
                "code": code,
                "version": checklist.version,
                "effective_from": effective_from.isoformat(),
                "items": [[i["code"], i["points"]] for i in items],
            },
        )
    return checklist


def _legal_only(actor: Any, action: str, obj: Any) -> None:
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.has_role(Role.LEGAL_BRIGADE)
        and not actor.is_auxiliary
    ):
        deny(
            actor,
            action=action,
            obj=obj,
            code="role",
            event_type=EventType.REVIEW_REFUSED,
            error=ReviewDenied("只有法制大队可以办理专项评查。", "role"),
        )


# --- defining and drawing ---------------------------------------------------------------------------
def campaign_define(
    *,
    actor: Any,
    title: str,
    kind: str,
    period_start: dt.date,
    period_end: dt.date,
    units: Iterable[Any] = (),
    categories: Iterable[Category] = (),
    channel: str = "",
    sample_size: int | None = None,
    review_channel: str = ReviewChannel.ONLINE,
    now: dt.datetime | None = None,
) -> Campaign:
    moment = now or timezone.now()
    unit_list, category_list = list(units), list(categories)
    with durable_atomic():
        _legal_only(actor, "campaign_define", ("campaign", "new"))
        bureau = actor.unit.bureau()
        errors: dict[str, str] = {}
        text = str(title or "").strip()
        if not text or len(text) > TITLE_MAX:
            errors["title"] = f"请填写名称（不超过 {TITLE_MAX} 字）。"
        if kind not in CampaignKind.values:
            errors["kind"] = "请选择评查类型。"
        if review_channel not in ReviewChannel.values:
            errors["review_channel"] = "请选择网上或网下。"
        if period_end < period_start:
            errors["period_end"] = "截止日期不能早于起始日期。"
        if period_end > timezone.localdate(moment):
            errors["period_end"] = "截止日期不能晚于今天。"
        if channel and channel not in Channel.values:
            errors["channel"] = "请选择有效的报警方式。"
        if sample_size is not None and not 1 <= sample_size <= MAX_SAMPLE:
            errors["sample_size"] = f"抽样数量应为 1–{MAX_SAMPLE}，不填则评查全部。"
        if any(not u.path.startswith(bureau.path) or u.pk == bureau.pk for u in unit_list):
            errors["units"] = "只能选择本局的单位。"
        if errors:
            raise ValidationError(errors)
        campaign = Campaign.objects.create(
            bureau=bureau,
            title=text,
            kind=kind,
            review_channel=review_channel,
            period_start=period_start,
            period_end=period_end,
            channel=channel,
            sample_size=sample_size,
            checklist=checklist_in_force(bureau, timezone.localdate(moment)),
            created_by=actor,
            created_at=moment,
        )
        campaign.units.set(unit_list)
        campaign.categories.set(category_list)
        record(
            EventType.CAMPAIGN_DEFINED,
            obj=campaign,
            actor=actor,
            data={
                "title": text,
                "kind": kind,
                "period": [period_start.isoformat(), period_end.isoformat()],
                "units": sorted(u.code for u in unit_list),
                "categories": sorted(c.code for c in category_list),
                "channel": channel or None,
                "sample_size": sample_size,
                "checklist": [campaign.checklist.code, campaign.checklist.version],
            },
        )
    return campaign


def population(campaign: Campaign) -> QuerySet[Alert]:
    """The alerts the campaign is about, in id order: registered in the bureau on the period's
    days (Asia/Shanghai), of its units (handling unit, else the registering desk), categories and
    channel where it names any."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(campaign.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(campaign.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Alert.objects.filter(
        registering_unit__path__startswith=campaign.bureau.path,
        registered_at__gte=start,
        registered_at__lt=end,
    )
    unit_ids = list(campaign.units.values_list("pk", flat=True))
    if unit_ids:
        qs = qs.filter(
            Q(handling_unit_id__in=unit_ids)
            | Q(handling_unit__isnull=True, registering_unit_id__in=unit_ids)
        )
    category_ids = list(campaign.categories.values_list("pk", flat=True))
    if category_ids:
        qs = qs.filter(category_id__in=category_ids)
    if campaign.channel:
        qs = qs.filter(channel=campaign.channel)
    return qs.order_by("pk")


def draw_sample(ids: Sequence[int], seed: str, size: int | None) -> list[int]:
    """The sample: ``size`` of ``ids`` drawn by a generator seeded with ``seed`` (every id when
    ``size`` is None or not smaller). The same ids in the same order and the same seed draw the
    same sample on any machine (``random.Random`` seeds a str through SHA-512, version 2)."""
    ordered = list(ids)
    if size is None or size >= len(ordered):
        return ordered
    return random.Random(seed).sample(ordered, size)  # noqa: S311 - a sample, not a secret


def ids_sha256(ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in ids).encode()).hexdigest()


def _transition(
    actor: Any, campaign: Campaign, action: str, expected_version: int, **payload: Any
) -> tuple[Campaign, Ctx, Any]:
    """Load, check the row (who, state, guards); the caller applies it."""
    visible = Campaign.objects.visible_to(actor).filter(pk=campaign.pk).first() if actor else None
    if visible is None:
        from shoulian.core.lifecycle import Refusal

        raise Refusal("not_found", "专项评查不存在。", permission=True)
    if visible.version != expected_version:
        from shoulian.core.lifecycle import Refusal

        raise Refusal("conflict", LIFECYCLE.conflict_message)
    ctx = Ctx(actor=actor, campaign=visible, payload=payload, action=action)
    row = LIFECYCLE.checked_row(
        ctx, visible.status, action, f"专项评查当前为“{visible.get_status_display()}”，不能办理。"
    )
    return visible, ctx, row


def campaign_draw(
    *,
    actor: Any,
    campaign: Campaign,
    expected_version: int,
    seed: str | None = None,
    now: dt.datetime | None = None,
) -> Campaign:
    """Draw the sample (or take all) and start scoring. ``seed`` is for replaying a draw; by
    default a fresh random one, journalled with the population's size and hash."""
    moment = now or timezone.now()
    chosen_seed = seed or secrets.token_hex(8)
    with LIFECYCLE.refusals(actor=actor, obj=("campaign", campaign.pk), action="draw"):
        with durable_atomic():
            current, ctx, row = _transition(actor, campaign, "draw", expected_version)
            rows = list(
                population(current).values_list("pk", "handling_unit_id", "registering_unit_id")
            )
            ids = [r[0] for r in rows]
            if not ids:
                raise ValidationError("该范围内没有警情，无法抽样。")
            sample = draw_sample(ids, chosen_seed, current.sample_size)
            units = {r[0]: r[1] or r[2] for r in rows}
            total = sum(current.checklist.items.values_list("points", flat=True))

            def then() -> None:
                CampaignEntry.objects.bulk_create(
                    CampaignEntry(
                        campaign=current,
                        alert_id=pk,
                        unit_id=units[pk],
                        position=n,
                        total_points=total,
                    )
                    for n, pk in enumerate(sample, start=1)
                )

            LIFECYCLE.apply(
                current,
                row,
                expected_version=expected_version,
                actor=actor,
                updates={
                    "seed": chosen_seed,
                    "population": len(ids),
                    "population_sha256": ids_sha256(ids),
                    "sampled_at": moment,
                },
                then=then,
                data={
                    "seed": chosen_seed,
                    "population": len(ids),
                    "population_sha256": ids_sha256(ids),
                    "sample_size": len(sample),
                    "sample_sha256": ids_sha256(sample),
                    "changed": {"status": [row.source, row.target]},
                },
            )
    return current


def campaign_cancel(*, actor: Any, campaign: Campaign, expected_version: int) -> Campaign:
    with LIFECYCLE.refusals(actor=actor, obj=("campaign", campaign.pk), action="cancel"):
        with durable_atomic():
            current, ctx, row = _transition(actor, campaign, "cancel", expected_version)
            LIFECYCLE.apply(
                current,
                row,
                expected_version=expected_version,
                actor=actor,
                data={"changed": {"status": [row.source, row.target]}},
            )
    return current


def scorers(bureau: Any) -> QuerySet[Any]:
    """Who may be assigned: the bureau's legal brigade and center heads (not 辅警)."""
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(is_active=True, unit__path__startswith=bureau.path)
        .exclude(police_kind="auxiliary")
    )
    return users.filter(roles__role__in=list(SCORER_ROLES)).distinct().order_by("unit", "pk")


def campaign_assign(
    *, actor: Any, campaign: Campaign, expected_version: int, reviewers: Sequence[Any]
) -> Campaign:
    """Assign the unscored alerts round robin, in sample order, to ``reviewers``."""
    with LIFECYCLE.refusals(actor=actor, obj=("campaign", campaign.pk), action="assign"):
        with durable_atomic():
            current, ctx, row = _transition(
                actor, campaign, "assign", expected_version, reviewers=list(reviewers)
            )
            allowed = set(scorers(current.bureau).values_list("pk", flat=True))
            people = [r for r in reviewers if r.pk in allowed]
            if len(people) != len(reviewers):
                raise ValidationError({"reviewers": "只能选择本局法制大队、受立案中心的民警。"})
            pending = list(current.entries.filter(status=EntryStatus.PENDING).order_by("position"))

            def then() -> dict[str, int]:
                counts: dict[str, int] = {}
                for n, entry in enumerate(pending):
                    person = people[n % len(people)]
                    CampaignEntry.objects.filter(pk=entry.pk).update(reviewer=person)
                    counts[person.username] = counts.get(person.username, 0) + 1
                return counts

            LIFECYCLE.apply(
                current,
                row,
                expected_version=expected_version,
                actor=actor,
                then=then,
                data=lambda counts: {"assigned": counts},
            )
    return current


def campaign_score(
    *,
    actor: Any,
    entry: CampaignEntry,
    failed: Mapping[str, str],
    finding_level: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
) -> CampaignEntry:
    """Score one alert: ``failed`` maps the codes of the items it does not meet to a note (every
    other item is met). Its review is recorded (mode of the campaign); if any item failed, the
    problem becomes a free finding at ``finding_level`` (required then)."""
    moment = now or timezone.now()
    with durable_atomic():
        current = (
            CampaignEntry.objects.visible_to(actor)
            .select_related("campaign", "campaign__checklist", "alert", "alert__registering_unit")
            .filter(pk=entry.pk)
            .first()
        )
        if current is None:
            deny(
                actor,
                action="campaign_score",
                obj=("campaign_entry", entry.pk),
                code="not_found",
                event_type=EventType.REVIEW_REFUSED,
                error=ReviewDenied("评查样本不存在。", "not_found"),
            )
        campaign = current.campaign
        mine = current.reviewer_id == actor.pk or (
            current.reviewer_id is None and actor.has_role(Role.LEGAL_BRIGADE)
        )
        if not mine or not set(levels_of(actor)) & {ReviewLevel.LEGAL_BRIGADE, ReviewLevel.CENTER}:
            deny(
                actor,
                action="campaign_score",
                obj=current,
                code="not_assigned",
                event_type=EventType.REVIEW_REFUSED,
                error=ReviewDenied("该警情未分配给您评查。", "not_assigned"),
            )
        if campaign.status != CampaignStatus.SCORING or current.status != EntryStatus.PENDING:
            raise ValidationError("该警情已评分或评查已结束。")
        items = list(campaign.checklist.items.order_by("position"))
        by_code = {i.code: i for i in items}
        unknown = [code for code in failed if code not in by_code]
        errors: dict[str, str] = {}
        if unknown:
            errors["failed"] = "评查项目不属于本次评查标准。"
        if failed and finding_level not in Level.values:
            errors["finding_level"] = "有扣分项时须选择问题等级，问题将推送责任单位整改。"
        if errors:
            raise ValidationError(errors)
        deducted = sum(by_code[code].points for code in failed)
        total = sum(i.points for i in items)
        level = (
            ReviewLevel.LEGAL_BRIGADE
            if ReviewLevel.LEGAL_BRIGADE in levels_of(actor)
            else ReviewLevel.CENTER
        )
        summary = "《{}》评查扣分：{}".format(
            campaign.title, "；".join(by_code[c].text for c in by_code if c in failed)
        )
        review = record_review(
            actor=actor,
            alert=current.alert,
            level=level,
            mode=campaign.kind,
            channel=campaign.review_channel,
            result=ReviewResult.FREE_FINDING if failed else ReviewResult.NO_PROBLEM,
            finding_level=finding_level if failed else "",
            finding_summary=summary[:250] if failed else "",
            comment=comment,
            now=moment,
            campaign=campaign,
        )
        won = CampaignEntry.objects.filter(pk=current.pk, status=EntryStatus.PENDING).update(
            status=EntryStatus.SCORED,
            total_points=total,
            deducted=deducted,
            score=total - deducted,
            scored_at=moment,
            review=review,
            reviewer=actor,
        )
        if won != 1:
            raise ValidationError("该警情已被他人评分，请刷新页面。")
        CampaignScore.objects.bulk_create(
            CampaignScore(
                entry=current,
                item=item,
                passed=item.code not in failed,
                deducted=item.points if item.code in failed else 0,
                note=str(failed.get(item.code, "") or "")[:300],
            )
            for item in items
        )
        record(
            EventType.CAMPAIGN_SCORED,
            obj=current,
            actor=actor,
            data={
                "campaign": campaign.pk,
                "alert": current.alert.number,
                "checklist": [campaign.checklist.code, campaign.checklist.version],
                "failed": sorted(failed),
                "deducted": deducted,
                "score": total - deducted,
                "finding": review.finding.pk if review.finding else None,
            },
        )
        current.refresh_from_db()
    return current


def campaign_close(
    *,
    actor: Any,
    campaign: Campaign,
    expected_version: int,
    conclusion: str,
    now: dt.datetime | None = None,
) -> Campaign:
    moment = now or timezone.now()
    text = str(conclusion or "").strip()[:4000]
    with LIFECYCLE.refusals(actor=actor, obj=("campaign", campaign.pk), action="close"):
        with durable_atomic():
            current, ctx, row = _transition(
                actor, campaign, "close", expected_version, conclusion=text
            )
            entries = list(current.entries.all())
            LIFECYCLE.apply(
                current,
                row,
                expected_version=expected_version,
                actor=actor,
                updates={"conclusion": text, "closed_at": moment},
                data={
                    "changed": {"status": [row.source, row.target]},
                    "entries": len(entries),
                    "deducted": sum(e.deducted for e in entries),
                    "with_problems": sum(1 for e in entries if e.deducted),
                },
            )
    return current
