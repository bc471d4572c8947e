"""Writes of bulletins: the weekly summary (the Monday job), the monthly bulletin's draft, its
approval on the lifecycle (``workflow.py``) and its issue to every unit's inbox; the journalled
reads (the figures' export, a printed bulletin). Each write journals in its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record, record_read
from shoulian.bulletins import documents, stats
from shoulian.bulletins.choices import BulletinKind, BulletinStatus
from shoulian.bulletins.models import Bulletin, BulletinCounter
from shoulian.bulletins.policy import BUREAU_READERS, EDITORS
from shoulian.bulletins.stats import Figures, Period
from shoulian.bulletins.workflow import LIFECYCLE, BulletinAction, Ctx
from shoulian.core.lifecycle import Refusal
from shoulian.deadlines.versions import legal_date
from shoulian.documents.numbering import default_prefix, issue_number, next_number
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.privacy.masking import mask_name
from shoulian.review import selectors as review_selectors
from shoulian.supervision.choices import LEVEL_ORDER, FindingSource
from shoulian.supervision.models import Finding
from shoulian.supervision.services import inbox_notify

DEFAULT_DEMANDS = (
    "各单位要对照本期通报的问题逐项整改，整改情况按期在系统中提交，逾期未整改的将按规定升级督办。",
    "各所队法制员要加强源头把关，对本单位接报的违法犯罪类警情逐件审核，做到应受尽受、应立尽立。",
    "受立案管理中心将继续坚持网上网下、定期专项相结合的巡查监督，对典型问题予以通报、约谈。",
)
CASE_LIMIT = 3
GUIDANCE_LIMIT = 2


def _forbid(actor: Any, action: str, obj: Any, message: str) -> NoReturn:
    deny(actor, action=action, obj=obj, message=message, event_type=EventType.BULLETIN_REFUSED)


def reader_bureau(actor: Any) -> Unit | None:
    """The bureau whose figures ``actor`` reads, or None when the actor may not."""
    if not getattr(actor, "is_authenticated", False) or actor.unit is None:
        return None
    if not actor.role_set & BUREAU_READERS:
        return None
    return bureau_of(actor.unit)


# --- figures ----------------------------------------------------------------------------------
def figures_for(bureau: Unit, period: Period, unit: Unit | None = None) -> Figures:
    """The one source of every printed figure (the page, the summary, the bulletin)."""
    return stats.compute(bureau, period, unit)


def typical_cases(bureau: Unit, period: Period) -> list[dict[str, str]]:
    """案例公开: the gravest findings rectified in the period, told by unit and problem with the
    officer's name masked (DOMAIN §7); no reporter, party, ID or phone ever enters the text."""
    rows = list(
        stats.rectified(bureau, period).select_related("unit", "officer", "alert__category")
    )
    rows.sort(key=lambda f: (-LEVEL_ORDER.get(f.base_level, 0), f.opened_at, f.pk))
    cases = []
    for finding in rows[:CASE_LIMIT]:
        cases.append({"title": _case_title(finding), "text": _case_text(finding)})
    # 精准指导 answered in the period, kept as 案例 under the legal brigade's title.
    guidance = review_selectors.guidance_in_period(bureau, period.since, period.until)
    for answer in guidance.exclude(case_title="")[:GUIDANCE_LIMIT]:
        basis = f"法律依据：{answer.legal_basis.strip()}" if answer.legal_basis.strip() else ""
        cases.append(
            {
                "title": f"精准指导案例：{answer.case_title}",
                "text": f"{answer.unit.name}办理的警情（警情编号{answer.alert.number}），"
                f"经法制大队指导，定性为{answer.nature.rstrip('。')}。{basis}",
            }
        )
    return cases


def _case_title(finding: Finding) -> str:
    category = finding.alert.category.name if finding.alert is not None else "相关"
    return f"{finding.unit.name}办理{category}警情存在问题"


def _case_text(finding: Finding) -> str:
    who = f"民警{mask_name(finding.officer.full_name)}" if finding.officer is not None else ""
    number = f"（警情编号{finding.alert.number}）" if finding.alert is not None else ""
    closed = legal_date(finding.closed_at) if finding.closed_at else None
    done = f"经督促，该单位于{closed.month}月{closed.day}日整改销号。" if closed else ""
    # A reviewer's finding is free text that may name a citizen: a bulletin goes to the whole
    # bureau (DOMAIN §8 names units and problems, not people), so it says only that a review
    # found a problem; the editors describe it in the draft where they see fit.
    if finding.source == FindingSource.MANUAL:
        problem = f"经人工巡查发现执法问题（{finding.get_base_level_display()}）"
    else:
        problem = finding.summary.rstrip("。")
    return f"{finding.unit.name}{who}办理的警情{number}，{problem}。{done}"


def _title(kind: str, period: Period) -> str:
    if kind == BulletinKind.WEEKLY:
        return f"{period.label}受立案巡查监督情况汇总"
    return f"关于{period.label}受立案巡查监督情况的通报"


def _intro(kind: str, period: Period) -> str:
    if kind == BulletinKind.WEEKLY:
        return f"现将{period.label}受立案巡查监督情况汇总如下。"
    return (
        "为进一步规范受案立案工作，落实“情况通报、案例公开、会议推动、警示教育”要求，"
        f"现将{period.label}受立案巡查监督情况通报如下。"
    )


# --- the weekly summary -----------------------------------------------------------------------
def weekly_summary_write(*, bureau: Unit, week: Period, now: dt.datetime | None = None) -> Bulletin:
    """The 周汇总 of ``week``, written once: a second call (the job retried, run twice) returns the
    one already written."""
    existing = Bulletin.objects.filter(
        bureau=bureau, kind=BulletinKind.WEEKLY, period_start=week.start
    ).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    figures = figures_for(bureau, week)
    try:
        with transaction.atomic():
            summary = Bulletin.objects.create(
                bureau=bureau,
                kind=BulletinKind.WEEKLY,
                period_start=week.start,
                period_end=week.end,
                status=BulletinStatus.ISSUED,
                year=week.start.year,
                title=_title(BulletinKind.WEEKLY, week),
                intro=_intro(BulletinKind.WEEKLY, week),
                figures=figures.as_data(),
                created_at=now,
                issued_at=now,
            )
            digest = documents.text_sha256(documents.document(summary, images=False))
            Bulletin.objects.filter(pk=summary.pk).update(content_sha256=digest)
            summary.content_sha256 = digest
            record(
                EventType.WEEKLY_SUMMARY_WRITTEN,
                obj=summary,
                data={"period": [week.start.isoformat(), week.end.isoformat()], "sha256": digest},
            )
    except IntegrityError:
        # Another worker wrote it between our look and our insert.
        return Bulletin.objects.get(
            bureau=bureau, kind=BulletinKind.WEEKLY, period_start=week.start
        )
    return summary


# --- the monthly bulletin -----------------------------------------------------------------------
def bulletin_draft(
    *, actor: Any, bureau: Unit, month: dt.date, now: dt.datetime | None = None
) -> Bulletin:
    """The draft 月通报 of ``month`` with the period's figures, typical cases and the usual
    demands. ``actor`` None is the monthly job. One bulletin per bureau and month."""
    period = Period.month_of(month)
    if actor is not None and (
        not getattr(actor, "is_authenticated", False)
        or not actor.has_role(*EDITORS)
        or actor.unit is None
        or bureau_of(actor.unit).pk != bureau.pk
    ):
        _forbid(actor, "bulletin_draft", bureau, "只有受立案管理中心负责人和法制大队可以起草通报。")
    now = now or timezone.now()
    if period.start > legal_date(now):
        _refuse(actor, bureau, "future", "不能起草尚未开始的月份的通报。")
    if Bulletin.objects.filter(
        bureau=bureau, kind=BulletinKind.MONTHLY, period_start=period.start
    ).exists():
        _refuse(actor, bureau, "exists", f"{period.label}的通报已经起草。")
    figures = figures_for(bureau, period)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                bureau=bureau,
                kind=BulletinKind.MONTHLY,
                period_start=period.start,
                period_end=period.end,
                year=period.start.year,
                title=_title(BulletinKind.MONTHLY, period),
                intro=_intro(BulletinKind.MONTHLY, period),
                demands="\n".join(DEFAULT_DEMANDS),
                cases=typical_cases(bureau, period),
                figures=figures.as_data(),
                created_at=now,
                created_by=actor,
            )
            record(
                EventType.BULLETIN_DRAFTED,
                obj=bulletin,
                actor=actor,
                data={"period": [period.start.isoformat(), period.end.isoformat()]},
            )
    except IntegrityError:
        _refuse(actor, bureau, "exists", f"{period.label}的通报已经起草。")
    return bulletin


def _refuse(actor: Any, obj: Any, code: str, message: str) -> NoReturn:
    from shoulian.bulletins.workflow import BulletinError

    deny(
        actor,
        action="bulletin_draft",
        obj=obj,
        code=code,
        event_type=EventType.BULLETIN_REFUSED,
        error=BulletinError(message, code),
    )


def bulletin_transition(
    *,
    actor: Any,
    bulletin: Bulletin,
    action: str,
    expected_version: int,
    now: dt.datetime | None = None,
    **payload: Any,
) -> Bulletin:
    """Apply ``action`` (edit, center_approve, approve, return, issue) as ``actor``, if the table
    allows it and nobody changed the bulletin since ``expected_version`` was read."""
    with LIFECYCLE.refusals(actor=actor, obj=("bulletin", bulletin.pk), action=str(action)[:40]):
        with transaction.atomic():
            return _apply(
                actor, bulletin.pk, action, expected_version, payload, now or timezone.now()
            )
    raise AssertionError("unreachable: refusals() re-raises")  # pragma: no cover


def _apply(
    actor: Any, pk: int, action: str, expected: int, payload: dict[str, Any], now: dt.datetime
) -> Bulletin:
    bulletin = (
        Bulletin.objects.visible_to(actor).select_related("bureau").filter(pk=pk).first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if bulletin is None:
        raise Refusal("not_found", "通报不存在。", permission=True)
    ctx = Ctx(actor=actor, bulletin=bulletin, payload=payload, action=action, now=now)
    row = LIFECYCLE.checked_row(ctx, bulletin.status, action, "当前状态下不能办理此操作。")
    updates: dict[str, Any] = {}
    data: dict[str, Any] = {}
    then = None
    if action == BulletinAction.EDIT:
        updates = {
            "title": str(payload["title"]).strip()[:120],
            "intro": str(payload.get("intro", "")).strip(),
            "demands": str(payload.get("demands", "")).strip(),
            "cases": [
                c for c in payload.get("cases", bulletin.cases) if str(c.get("text", "")).strip()
            ],
        }
        data = {"fields": sorted(k for k, v in updates.items() if getattr(bulletin, k) != v)}
    elif action == BulletinAction.RETURN:
        data = {"reason": str(payload["reason"]).strip()[:300]}
    elif action == BulletinAction.ISSUE:
        day = legal_date(now)
        sequence = next_number(BulletinCounter, bureau=bulletin.bureau, year=day.year)
        number = issue_number(f"{default_prefix(bulletin.bureau.name)}受", day.year, sequence)
        updates = {
            "year": day.year,
            "sequence": sequence,
            "number": number,
            "signer": str(payload["signer"]).strip()[:40],
            "issued_at": now,
            "issued_by": actor,
        }
        for name, value in updates.items():
            setattr(bulletin, name, value)
        digest = documents.text_sha256(documents.document(bulletin, images=False))
        updates["content_sha256"] = digest
        data = {"sequence": sequence, "number": number, "sha256": digest}

        def then() -> int:
            return len(_send(bulletin, now))

    accepted = LIFECYCLE.apply(
        bulletin,
        row,
        expected_version=expected,
        actor=actor,
        updates=updates,
        then=then,
        data=lambda sent: {**data, **({"sent": sent} if sent is not None else {})},
    )
    del accepted
    bulletin.refresh_from_db()
    return bulletin


def _send(bulletin: Bulletin, now: dt.datetime) -> list[Any]:
    """The issued bulletin in the inbox of every active member of the bureau's staff."""
    users = list(
        User.objects.filter(unit__path__startswith=bulletin.bureau.path, is_active=True)
        .filter(roles__role__in=[r for r in Role.values if r != Role.ADMIN])
        .distinct()
        .order_by("pk")
    )
    link = reverse("bulletins:detail", args=[bulletin.pk])
    title = f"{documents.PERIODICAL}{bulletin.issue_label}：{bulletin.title}"
    return inbox_notify(users=users, title=title, link=link, now=now)


# --- journalled reads -------------------------------------------------------------------------
def bulletin_document(*, actor: Any, bulletin: Bulletin, fmt: str) -> bytes:
    """The bulletin as PDF or DOCX; journalled ``DOCUMENT_PRINTED``."""
    data = documents.render(documents.document(bulletin), fmt)
    with transaction.atomic():
        record_read(
            EventType.DOCUMENT_PRINTED, obj=bulletin, actor=actor, format=fmt,
            number=bulletin.number or bulletin.title,
        )  # fmt: skip
    return data


def figures_export(*, actor: Any, figures: Figures, fmt: str) -> bytes:
    """The figures as CSV or XLSX; journalled ``DATA_EXPORTED`` (U1)."""
    from shoulian.bulletins import export

    bureau = reader_bureau(actor)
    if bureau is None or bureau.pk != figures.bureau_id:
        _forbid(actor, "figures_export", None, "无权导出巡查监督统计。")
    data = export.figures_csv(figures) if fmt == "csv" else export.figures_xlsx(figures)
    with transaction.atomic():
        record_read(
            EventType.DATA_EXPORTED, obj=bureau, actor=actor, what="bulletin_figures",
            format=fmt, period=[figures.start.isoformat(), figures.end.isoformat()],
            unit=figures.unit_id,
        )  # fmt: skip
    return data
