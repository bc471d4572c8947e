"""Writes of assessment. Each service runs in one transaction with its journal event (72xx); a
refusal is journalled (``ASSESSMENT_REFUSED``) and changes nothing.

The ledger is written here only: ``score_bureau`` (the nightly job, and 立即计分) posts the
deductions for supervision's new facts, ``scheme_publish`` the differences a revision makes,
``challenge_answer`` the reversal of an upheld challenge, ``bonus_award`` a bonus. The workflow
never writes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.assessment import scoring
from shoulian.assessment.choices import (
    ChallengeStatus,
    EntryKind,
    ItemKind,
    ReferralStatus,
    SchemeStatus,
    Subject,
)
from shoulian.assessment.models import (
    Challenge,
    DocumentCounter,
    Interview,
    Referral,
    Scheme,
    ScoreEntry,
)
from shoulian.assessment.periods import month_of
from shoulian.assessment.versions import Chain, next_version_number
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, durable_atomic, record, record_read
from shoulian.core import policy
from shoulian.core.scoping import ScopeDomain, covers
from shoulian.deadlines.choices import DeadlineStatus
from shoulian.deadlines.models import Deadline
from shoulian.deadlines.services import deadline_start, deadline_stop
from shoulian.deadlines.versions import LEGAL_TZ, legal_date
from shoulian.documents.numbering import default_prefix, issue_number, next_number
from shoulian.org.models import Unit
from shoulian.supervision.models import Finding

WINDOW_RULE = "score_challenge"
ANSWER_RULE = "score_challenge_answer"
ENTRY_OBJECT = "score_entry"
CHALLENGE_OBJECT = "score_challenge"
MAX_POINTS = Decimal("100")
CONFLICT = "该记录已被他人处理，请刷新页面后重试。"
LOOKBACK = dt.timedelta(days=62)


def _refuse(actor: Any, action: str, obj: Any, message: str, code: str) -> NoReturn:
    deny(
        actor,
        action=action,
        obj=obj,
        code=code,
        message=message,
        event_type=EventType.ASSESSMENT_REFUSED,
        error=ValidationError(message, code=code),
    )


def _forbid(actor: Any, action: str, obj: Any, message: str, code: str = "role") -> NoReturn:
    deny(
        actor,
        action=action,
        obj=obj,
        code=code,
        message=message,
        event_type=EventType.ASSESSMENT_REFUSED,
    )


def _bureau_of(actor: Any) -> Unit:
    unit: Unit = actor.unit
    return unit.bureau()


# --- the 考核办法 -----------------------------------------------------------------------------------
SCHEME_FIELDS = (
    "title",
    "document_number",
    "effective_from",
    "items",
    "period_cap",
    "alert_cap",
    "bonus_cap",
)


def _clean_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clean = []
    seen = set()
    for raw in items:
        kind, code = str(raw.get("kind", "")), str(raw.get("code", "")).strip()
        if kind not in ItemKind.values or not code:
            raise ValidationError({"items": "考核项目的类型或代码无效。"})
        if (kind, code) in seen:
            raise ValidationError({"items": f"考核项目“{code}”重复。"})
        seen.add((kind, code))
        row: dict[str, Any] = {
            "kind": kind,
            "code": code[:60],
            "label": str(raw.get("label") or code).strip()[:120],
        }
        for subject in (Subject.OFFICER, Subject.UNIT):
            value = Decimal(str(raw.get(subject) or 0))
            if value < 0 or value > MAX_POINTS or value != value.quantize(Decimal("0.1")):
                raise ValidationError(
                    {"items": f"“{row['label']}”的分值须在0至100之间，最多一位小数。"}
                )
            row[subject] = str(value)
        if row[Subject.OFFICER] == "0" and row[Subject.UNIT] == "0":
            continue
        clean.append(row)
    return clean


def scheme_draft(*, actor: Any, change_reason: str, **fields: Any) -> Scheme:
    """A new draft version of the bureau's 考核办法 (the legal brigade). Not in force until
    published; replay it on past periods first."""
    with durable_atomic():
        if not (getattr(actor, "is_authenticated", False) and actor.has_role(Role.LEGAL_BRIGADE)):
            _forbid(actor, "scheme_draft", None, "只有法制大队可以修订考核办法。")
        bureau = _bureau_of(actor)
        unknown = set(fields) - set(SCHEME_FIELDS)
        if unknown:
            raise ValidationError(f"未知字段：{', '.join(sorted(unknown))}")
        if not str(fields.get("document_number", "")).strip():
            raise ValidationError({"document_number": "请填写考核办法的文号。"})
        if not change_reason.strip():
            raise ValidationError({"change_reason": "请填写修订理由。"})
        for cap in ("period_cap", "alert_cap", "bonus_cap"):
            value = fields.get(cap)
            if value is not None and not (0 <= Decimal(str(value)) <= MAX_POINTS):
                raise ValidationError({cap: "上限须在0至100之间。"})
        scheme = Scheme.objects.create(
            bureau=bureau,
            version=next_version_number(bureau.pk),
            title=str(fields["title"]).strip()[:120],
            document_number=str(fields["document_number"]).strip()[:60],
            effective_from=fields["effective_from"],
            items=_clean_items(list(fields.get("items") or [])),
            period_cap=fields.get("period_cap"),
            alert_cap=fields.get("alert_cap"),
            bonus_cap=fields.get("bonus_cap") or Decimal("0"),
            change_reason=change_reason.strip()[:300],
            created_by=actor,
        )
        record(
            EventType.SCHEME_DRAFTED,
            obj=scheme,
            actor=actor,
            data={
                "version": scheme.version,
                "document_number": scheme.document_number,
                "effective_from": scheme.effective_from,
                "items": scheme.items,
                "caps": [str(scheme.period_cap), str(scheme.alert_cap), str(scheme.bonus_cap)],
                "reason": scheme.change_reason,
            },
        )
    return scheme


@dataclass
class Published:
    scheme: Scheme
    adjustments: int


def scheme_publish(*, actor: Any, scheme: Scheme, now: dt.datetime | None = None) -> Published:
    """Publish a draft: it is in force from its effective date, and the facts it covers that the
    ledger already scored are adjusted by the difference (the replay the page showed)."""
    now = now or timezone.now()
    with durable_atomic():
        if not (getattr(actor, "is_authenticated", False) and actor.has_role(Role.LEGAL_BRIGADE)):
            _forbid(actor, "scheme_publish", scheme, "只有法制大队可以发布考核办法。")
        bureau = _bureau_of(actor)
        if scheme.bureau_id != bureau.pk:
            _forbid(actor, "scheme_publish", scheme, "考核办法不存在。", code="not_found")
        won = Scheme.objects.filter(pk=scheme.pk, status=SchemeStatus.DRAFT).update(
            status=SchemeStatus.PUBLISHED, published_at=now, published_by=actor
        )
        if won != 1:
            _refuse(actor, "scheme_publish", scheme, "该版本已发布。", "published")
        scheme.status, scheme.published_at, scheme.published_by = (
            SchemeStatus.PUBLISHED,
            now,
            actor,
        )
        # Midnight of the effective day in Beijing time, as every period here is counted.
        since = dt.datetime.combine(scheme.effective_from, dt.time(0), tzinfo=LEGAL_TZ)
        found = scoring.facts(bureau, until=now, since=since)
        plans = scoring.plan_replay(bureau, found, Chain(bureau.pk))
        for plan in plans:
            _post(plan, bureau=bureau, now=now, actor=actor, event=EventType.SCORE_ADJUSTED)
        record(
            EventType.SCHEME_PUBLISHED,
            obj=scheme,
            actor=actor,
            data={
                "version": scheme.version,
                "document_number": scheme.document_number,
                "effective_from": scheme.effective_from,
                "adjustments": len(plans),
            },
        )
    return Published(scheme, len(plans))


# --- the ledger ---------------------------------------------------------------------------------
def _post(
    plan: scoring.Planned,
    *,
    bureau: Unit,
    now: dt.datetime,
    actor: Any,
    event: EventType,
) -> ScoreEntry:
    fact = plan.fact
    entry = ScoreEntry.objects.create(
        bureau=bureau,
        subject=plan.subject,
        unit_id=fact.unit_id,
        officer_id=fact.officer_id if plan.subject == Subject.OFFICER else None,
        kind=plan.kind,
        item_kind=plan.item.get("kind", fact.kind),
        item_code=plan.item.get("code", fact.code),
        item_label=str(plan.item.get("label", fact.code))[:120],
        points=plan.points,
        scheme=plan.scheme,
        period=plan.period,
        occurred_at=fact.occurred_at,
        posted_at=now,
        fact_key=fact.key,
        finding_id=fact.finding_id,
        deadline_id=fact.deadline_id,
        alert_id=fact.alert_id,
        reason=fact.summary,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        event,
        obj=entry,
        actor=actor,
        data={
            "subject": entry.subject,
            "unit": entry.unit_id,
            "officer": entry.officer_id,
            "points": str(entry.points),
            "item": [entry.item_kind, entry.item_code],
            "scheme": entry.scheme_id,
            "scheme_version": plan.scheme.version,
            "period": entry.period,
            "fact": entry.fact_key,
            "finding": entry.finding_id,
            "deadline": entry.deadline_id,
        },
    )
    if entry.points < 0:
        _open_window(entry, now)
    return entry


def _open_window(entry: ScoreEntry, now: dt.datetime) -> None:
    """The 3-day challenge period (the seeded ``score_challenge`` rule) starts when the deduction
    is posted (its ``score_published`` event)."""
    try:
        with transaction.atomic():
            deadline_start(
                actor=None,
                rule_code=WINDOW_RULE,
                obj=(ENTRY_OBJECT, entry.pk),
                unit=entry.unit,
                started_at=now,
                title=f"考评扣分异议期：{entry.item_label}"[:120],
            )
    except ValidationError:
        # The bureau withdrew the rule: the entry has no challenge period (the card says so).
        return


def window_of(entry: ScoreEntry) -> Deadline | None:
    return (
        Deadline.objects.filter(object_type=ENTRY_OBJECT, object_id=str(entry.pk), code=WINDOW_RULE)
        .order_by("-id")
        .first()
    )


def answer_deadline_of(challenge: Challenge) -> Deadline | None:
    return (
        Deadline.objects.filter(
            object_type=CHALLENGE_OBJECT, object_id=str(challenge.pk), code=ANSWER_RULE
        )
        .order_by("-id")
        .first()
    )


@dataclass
class RunStats:
    posted: int = 0
    expired: int = 0
    notified: int = 0


def _notify_deductions(entries: list[ScoreEntry], *, now: dt.datetime) -> int:
    """Tell the people concerned of the deductions one run posted, in its transaction: the
    officer of each officer entry, and the leaders of the unit of every entry (its own and its
    officers'). One inbox message per person and run, with the count, the total and the 3-day
    challenge period; it links to the entry when there is one, else to the person's card."""
    from django.urls import reverse

    from shoulian.supervision.choices import MessageKind
    from shoulian.supervision.recipients import Directory
    from shoulian.supervision.services import inbox_notify

    directory = Directory()
    deductions = [e for e in entries if e.kind == EntryKind.DEDUCTION and e.points < 0]
    officers = User.objects.in_bulk({e.officer_id for e in deductions if e.officer_id})
    people: dict[int, User] = {}
    concerning: dict[int, dict[int, ScoreEntry]] = {}
    leads: set[int] = set()

    def add(user: User, entry: ScoreEntry) -> None:
        people.setdefault(user.pk, user)
        concerning.setdefault(user.pk, {})[entry.pk] = entry

    for entry in deductions:
        if entry.subject == Subject.OFFICER and entry.officer_id in officers:
            add(officers[entry.officer_id], entry)
        # The unit's leaders; a unit without one (the center) tells its head.
        leaders = directory.holders(entry.unit_id, Role.LEADER) or directory.holders(
            entry.unit_id, Role.CENTER_HEAD
        )
        for leader in leaders:
            add(leader, entry)
            leads.add(leader.pk)
    sent = 0
    for pk, user in people.items():
        own = list(concerning[pk].values())
        total = sum((e.points for e in own), Decimal(0))
        labels = "、".join(dict.fromkeys(e.item_label for e in own))
        if len(own) == 1:
            link = reverse("assessment:entry", args=[own[0].pk])
        elif pk in leads:
            link = reverse("assessment:unit", args=[own[0].unit_id])
        else:
            link = reverse("assessment:officer", args=[user.pk])
        whose = "本单位及民警" if pk in leads else "本人"
        points = format(total.normalize(), "f")
        title = (
            f"{whose}新增扣分 {len(own)} 笔，合计 {points} 分（{labels}）；有异议的可在三日内申诉"
        )
        if not user.is_active:
            continue
        sent += len(
            inbox_notify(
                users=[user], kind=MessageKind.DEDUCTION, title=title[:180], link=link, now=now
            )
        )
    return sent


def score_bureau(
    *, bureau: Unit, now: dt.datetime | None = None, actor: Any = None, notify: bool = True
) -> RunStats:
    """Post the deductions for every fact supervision has recorded that the ledger does not
    hold yet, and close the challenge periods that ran out. Idempotent: a second run posts
    nothing. The officers and unit leaders concerned get an inbox message of the new
    deductions (``notify``; the demo's back-dated runs turn it off but for the last days)."""
    now = now or timezone.now()
    stats = RunStats()
    with transaction.atomic():
        chain = Chain(bureau.pk)
        # The first run of a bureau scores everything supervision ever found; later runs look
        # back two months (a finding is opened when the patrol sees it, so nothing older is new).
        first = not ScoreEntry.objects.filter(bureau=bureau).exists()
        found = scoring.facts(bureau, until=now, since=None if first else now - LOOKBACK)
        posted = []
        for plan in scoring.plan_new(bureau, found, chain):
            posted.append(
                _post(plan, bureau=bureau, now=now, actor=actor, event=EventType.SCORE_POSTED)
            )
            stats.posted += 1
        if notify and posted:
            stats.notified = _notify_deductions(posted, now=now)
        expired = Deadline.objects.filter(
            object_type=ENTRY_OBJECT,
            code=WINDOW_RULE,
            status=DeadlineStatus.OPEN,
            due_at__lte=now,
            unit__path__startswith=bureau.path,
        ).select_related("unit", "rule")
        for window in expired:
            if window.due_at is None:  # pragma: no cover - filtered on due_at above
                continue
            deadline_stop(
                actor=None, deadline=window, at=window.due_at, note="异议期届满，未提出申诉"
            )
            stats.expired += 1
        record(
            EventType.SCORE_RUN,
            obj=bureau,
            actor=actor,
            data={
                "until": now,
                "posted": stats.posted,
                "expired": stats.expired,
                "notified": stats.notified,
            },
        )
    return stats


def bonus_award(
    *,
    actor: Any,
    unit: Unit,
    officer: User | None,
    code: str,
    reason: str,
    occurred_at: dt.datetime,
    now: dt.datetime | None = None,
) -> list[ScoreEntry]:
    """A bonus item of the 考核办法 in force, awarded by the legal brigade to a unit (and its
    officer when named)."""
    now = now or timezone.now()
    with durable_atomic():
        if not policy.allows(actor, ScoreEntry, "award"):
            _forbid(actor, "bonus_award", unit, "只有法制大队可以加分。")
        if not covers(actor, unit, ScopeDomain.CONTENT):
            _forbid(actor, "bonus_award", unit, "单位不存在。", code="not_found")
        if officer is not None and officer.unit_id != unit.pk:
            raise ValidationError({"officer": "该民警不属于所选单位。"})
        if not reason.strip():
            raise ValidationError({"reason": "请写明加分事由。"})
        if occurred_at > now:
            raise ValidationError({"occurred_at": "加分事项的时间不能晚于当前时间。"})
        bureau = _bureau_of(actor)
        scheme = Chain(bureau.pk).on(legal_date(occurred_at))
        item = scheme.item(ItemKind.BONUS, code) if scheme is not None else None
        if scheme is None or item is None:
            raise ValidationError({"code": "现行考核办法没有该加分项目。"})
        key = f"bonus:{ScoreEntry.objects.filter(bureau=bureau).count() + 1}:{now.timestamp()}"
        entries = []
        subjects = [Subject.UNIT] + ([Subject.OFFICER] if officer is not None else [])
        for subject in subjects:
            value = abs(Decimal(str(item.get(subject) or 0)))
            if not value:
                continue
            entry = ScoreEntry.objects.create(
                bureau=bureau,
                subject=subject,
                unit=unit,
                officer=officer if subject == Subject.OFFICER else None,
                kind=EntryKind.BONUS,
                item_kind=ItemKind.BONUS,
                item_code=code,
                item_label=item["label"],
                points=value,
                scheme=scheme,
                period=month_of(occurred_at),
                occurred_at=occurred_at,
                posted_at=now,
                fact_key=key,
                reason=reason.strip()[:300],
                created_by=actor,
            )
            record(
                EventType.SCORE_BONUS_AWARDED,
                obj=entry,
                actor=actor,
                data={"subject": subject, "points": str(value), "item": code, "fact": key},
            )
            entries.append(entry)
        if not entries:
            raise ValidationError({"code": "该加分项目的分值为0。"})
    return entries


# --- challenges ---------------------------------------------------------------------------------
def _may_challenge(actor: Any, entry: ScoreEntry) -> bool:
    if entry.subject == Subject.OFFICER and actor.pk == entry.officer_id:
        return True
    return bool(actor.unit_id == entry.unit_id and actor.has_role(Role.LEADER, Role.LEGAL_OFFICER))


def challenge_file(
    *, actor: Any, entry: ScoreEntry, reason: str, now: dt.datetime | None = None
) -> Challenge:
    """申诉: the officer (or the unit's leader or 法制员) challenges a deduction within its
    3-day period; the legal brigade's 3-day answer period starts."""
    now = now or timezone.now()
    with durable_atomic():
        if not (getattr(actor, "is_authenticated", False) and actor.is_active):
            _forbid(actor, "challenge_file", entry, "请先登录。", code="anonymous")
        if not ScoreEntry.objects.visible_to(actor).filter(pk=entry.pk).exists():
            _forbid(actor, "challenge_file", entry, "考评记分不存在。", code="not_found")
        if not _may_challenge(actor, entry):
            _forbid(
                actor, "challenge_file", entry, "只有被扣分的民警或本单位领导、法制员可以申诉。"
            )
        if entry.points >= 0 or entry.kind not in (EntryKind.DEDUCTION, EntryKind.ADJUSTMENT):
            _refuse(actor, "challenge_file", entry, "只能对扣分提出申诉。", "not_deduction")
        if Challenge.objects.filter(entry=entry).exists():
            _refuse(actor, "challenge_file", entry, "该记分已提出过申诉。", "duplicate")
        window = window_of(entry)
        if (
            window is None
            or window.status == DeadlineStatus.STOPPED
            or (window.due_at is not None and now > window.due_at)
        ):
            until = (
                f"（截止于{timezone.localtime(window.due_at):%Y年%m月%d日 %H:%M}）"
                if window is not None and window.due_at is not None
                else ""
            )
            _refuse(actor, "challenge_file", entry, f"申诉期已过{until}，不能再提出申诉。", "late")
        text = reason.strip()
        if len(text) < 5:
            raise ValidationError({"reason": "请写明申诉理由（至少5个字）。"})
        challenge = Challenge.objects.create(
            entry=entry, filed_by=actor, filed_at=now, reason=text[:4000]
        )
        if window is not None:  # checked above: an entry without a period is refused
            deadline_stop(actor=None, deadline=window, at=now, note="已提出申诉")
        answer = deadline_start(
            actor=None,
            rule_code=ANSWER_RULE,
            obj=(CHALLENGE_OBJECT, challenge.pk),
            unit=entry.unit,
            started_at=now,
            title=f"答复考评申诉：{entry.item_label}"[:120],
        )
        record(
            EventType.SCORE_CHALLENGED,
            obj=challenge,
            actor=actor,
            data={"entry": entry.pk, "points": str(entry.points), "answer_due": answer.due_at},
        )
    return challenge


def challenge_answer(
    *,
    actor: Any,
    challenge: Challenge,
    upheld: bool,
    answer: str,
    now: dt.datetime | None = None,
) -> Challenge:
    """The legal brigade's answer. Upheld: a new entry gives the points back (the entry itself
    is never edited)."""
    now = now or timezone.now()
    with durable_atomic():
        if (
            not Challenge.objects.visible_to(actor, action="answer")
            .filter(pk=challenge.pk)
            .exists()
        ):
            _forbid(actor, "challenge_answer", challenge, "只有法制大队可以答复申诉。")
        if challenge.filed_by_id == actor.pk:
            _forbid(actor, "challenge_answer", challenge, "不能答复本人提出的申诉。", "own")
        text = answer.strip()
        if len(text) < 2:
            raise ValidationError({"answer": "请填写答复意见。"})
        status = ChallengeStatus.UPHELD if upheld else ChallengeStatus.REJECTED
        won = Challenge.objects.filter(pk=challenge.pk, status=ChallengeStatus.PENDING).update(
            status=status, answered_by=actor, answered_at=now, answer=text[:4000]
        )
        if won != 1:
            _refuse(actor, "challenge_answer", challenge, "该申诉已答复。", "answered")
        entry = ScoreEntry.objects.select_related("unit", "scheme").get(pk=challenge.entry_id)
        reversal = None
        if upheld:
            net = ScoreEntry.objects.filter(
                bureau=entry.bureau, fact_key=entry.fact_key, subject=entry.subject
            ).aggregate(total=Sum("points"))["total"] or Decimal("0")
            reversal = ScoreEntry.objects.create(
                bureau_id=entry.bureau_id,
                subject=entry.subject,
                unit_id=entry.unit_id,
                officer_id=entry.officer_id,
                kind=EntryKind.REVERSAL,
                item_kind=entry.item_kind,
                item_code=entry.item_code,
                item_label=entry.item_label,
                points=-net,
                scheme=entry.scheme,
                period=entry.period,
                occurred_at=entry.occurred_at,
                posted_at=now,
                fact_key=entry.fact_key,
                finding_id=entry.finding_id,
                deadline_id=entry.deadline_id,
                alert_id=entry.alert_id,
                reverses=entry,
                reason=f"申诉成立：{text}"[:300],
                created_by=actor,
            )
            Challenge.objects.filter(pk=challenge.pk).update(reversal=reversal)
        deadline = answer_deadline_of(challenge)
        late = None
        if deadline is not None and deadline.status != DeadlineStatus.STOPPED:
            deadline_stop(actor=None, deadline=deadline, at=now, note=status.label)
            late = deadline.stopped_late
        record(
            EventType.SCORE_CHALLENGE_UPHELD if upheld else EventType.SCORE_CHALLENGE_REJECTED,
            obj=challenge,
            actor=actor,
            data={
                "entry": entry.pk,
                "reversal": reversal.pk if reversal else None,
                "points": str(reversal.points) if reversal else "0",
                "late": late,
            },
        )
        challenge.refresh_from_db()
    return challenge


# --- accountability -----------------------------------------------------------------------------
def _number(bureau: Unit, kind: str, word: str, now: dt.datetime) -> str:
    year = legal_date(now).year
    sequence = next_number(DocumentCounter, bureau=bureau, kind=kind, year=year)
    return issue_number(default_prefix(bureau.name), year, sequence, word=word)


def _findings_for(actor: Any, ids: list[int], unit: Unit | None = None) -> list[Finding]:
    rows = list(Finding.objects.visible_to(actor).filter(pk__in=ids))
    if len(rows) != len(set(ids)):
        raise ValidationError({"findings": "所选巡查发现不存在。"})
    if unit is not None and any(not f.unit.path.startswith(unit.path) for f in rows):
        raise ValidationError({"findings": "所选巡查发现不属于该单位。"})
    return rows


def interview_record(
    *,
    actor: Any,
    interviewee: User,
    held_at: dt.datetime,
    place: str,
    reason: str,
    outcome: str,
    finding_ids: list[int],
    now: dt.datetime | None = None,
) -> Interview:
    """约谈: recorded by the legal brigade, the center head or the bureau head who held it."""
    now = now or timezone.now()
    with durable_atomic():
        if not (
            getattr(actor, "is_authenticated", False)
            and actor.has_role(Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD)
        ):
            _forbid(actor, "interview_record", None, "无权登记约谈。")
        unit = interviewee.unit
        if unit is None or not covers(actor, unit, ScopeDomain.CONTENT):
            _forbid(actor, "interview_record", None, "被约谈人不存在。", code="not_found")
        if interviewee.pk == actor.pk:
            raise ValidationError({"interviewee": "不能约谈本人。"})
        if held_at > now:
            raise ValidationError({"held_at": "约谈时间不能晚于当前时间。"})
        if not reason.strip() or not outcome.strip() or not place.strip():
            raise ValidationError("请填写约谈事由、地点和约谈情况。")
        findings = _findings_for(actor, finding_ids)
        bureau = _bureau_of(actor)
        interview = Interview.objects.create(
            bureau=bureau,
            unit=unit,
            interviewee=interviewee,
            interviewer=actor,
            held_at=held_at,
            place=place.strip()[:100],
            reason=reason.strip()[:4000],
            outcome=outcome.strip()[:4000],
            number=_number(bureau, "interview", "考约", now),
            created_at=now,
        )
        interview.findings.set(findings)
        record(
            EventType.INTERVIEW_RECORDED,
            obj=interview,
            actor=actor,
            data={
                "number": interview.number,
                "interviewee": interviewee.pk,
                "unit": interview.unit_id,
                "held_at": held_at,
                "findings": sorted(f.pk for f in findings),
            },
        )
    return interview


def referral_make(
    *,
    actor: Any,
    unit: Unit,
    officer: User | None,
    reason: str,
    finding_ids: list[int],
    now: dt.datetime | None = None,
) -> Referral:
    """移送纪检监察: the findings whose rectification was not carried out, with the unit and the
    officer answerable; the inspector receives it with its evidence bundle."""
    now = now or timezone.now()
    with durable_atomic():
        if not (
            getattr(actor, "is_authenticated", False)
            and actor.has_role(Role.LEGAL_BRIGADE, Role.BUREAU_HEAD)
        ):
            _forbid(actor, "referral_make", None, "只有法制大队或局领导可以移送纪检监察。")
        if not covers(actor, unit, ScopeDomain.CONTENT):
            _forbid(actor, "referral_make", None, "单位不存在。", code="not_found")
        if officer is not None and officer.unit_id != unit.pk:
            raise ValidationError({"officer": "该民警不属于所选单位。"})
        if not reason.strip():
            raise ValidationError({"reason": "请写明移送理由。"})
        if not finding_ids:
            raise ValidationError({"findings": "请选择移送所涉的巡查发现。"})
        findings = _findings_for(actor, finding_ids, unit)
        bureau = _bureau_of(actor)
        referral = Referral.objects.create(
            bureau=bureau,
            unit=unit,
            officer=officer,
            reason=reason.strip()[:4000],
            number=_number(bureau, "referral", "考移", now),
            referred_by=actor,
            referred_at=now,
        )
        referral.findings.set(findings)
        record(
            EventType.REFERRAL_MADE,
            obj=referral,
            actor=actor,
            data={
                "number": referral.number,
                "unit": unit.pk,
                "officer": officer.pk if officer else None,
                "findings": sorted(f.pk for f in findings),
            },
        )
    return referral


def referral_conclude(
    *,
    actor: Any,
    referral: Referral,
    outcome: str,
    expected_version: int,
    now: dt.datetime | None = None,
) -> Referral:
    """The inspector records what discipline inspection decided."""
    now = now or timezone.now()
    with durable_atomic():
        if (
            not Referral.objects.visible_to(actor, action="conclude")
            .filter(pk=referral.pk)
            .exists()
        ):
            _forbid(actor, "referral_conclude", referral, "只有纪检可以登记处理结果。")
        if not outcome.strip():
            raise ValidationError({"outcome": "请填写处理结果。"})
        won = Referral.objects.filter(
            pk=referral.pk, status=ReferralStatus.REFERRED, version=expected_version
        ).update(
            status=ReferralStatus.CONCLUDED,
            outcome=outcome.strip()[:4000],
            outcome_by=actor,
            outcome_at=now,
            version=F("version") + 1,
        )
        if won != 1:
            _refuse(actor, "referral_conclude", referral, CONFLICT, "conflict")
        record(
            EventType.REFERRAL_CONCLUDED,
            obj=referral,
            actor=actor,
            data={"number": referral.number, "outcome": outcome.strip()[:200]},
        )
        referral.refresh_from_db()
    return referral


# --- reads that are journalled (exports, printed documents) --------------------------------------
def rankings_export(*, actor: Any, period: Any) -> bytes:
    """The XLSX of a period's rankings; journalled ``DATA_EXPORTED`` (U1)."""
    from shoulian.assessment import export, selectors

    if not selectors.is_ranking_reader(actor):
        _forbid(actor, "rankings_export", None, "无权导出考评结果。")
    bureau = _bureau_of(actor)
    rankings = selectors.compute_rankings(bureau, period)
    data = export.rankings_xlsx(rankings, bureau_name=bureau.name)
    with transaction.atomic():
        record_read(
            EventType.DATA_EXPORTED,
            obj=bureau,
            actor=actor,
            what="assessment_rankings",
            period=period.token,
            units=len(rankings.units),
            officers=len(rankings.officers),
        )
    return data


def accountability_document(*, actor: Any, obj: Interview | Referral, fmt: str) -> bytes:
    """The 约谈 record or the referral letter, DOCX or PDF; journalled ``DOCUMENT_PRINTED``."""
    from shoulian.assessment import documents

    doc = (
        documents.interview_document(obj)
        if isinstance(obj, Interview)
        else documents.referral_document(obj)
    )
    data = documents.render(doc, fmt)
    with transaction.atomic():
        record_read(EventType.DOCUMENT_PRINTED, obj=obj, actor=actor, format=fmt, number=obj.number)
    return data


def referral_bundle(*, actor: Any, referral: Referral) -> bytes:
    """The evidence bundle, for the inspector only (it carries journal proofs, Z6)."""
    from shoulian.assessment import documents

    if not (getattr(actor, "is_authenticated", False) and actor.has_role(Role.INSPECTOR)):
        _forbid(actor, "referral_bundle", referral, "只有纪检可以下载证据包。")
    data = documents.evidence_bundle(referral)
    with transaction.atomic():
        record_read(
            EventType.DATA_EXPORTED, obj=referral, actor=actor, what="referral_bundle",
            number=referral.number,
        )  # fmt: skip
    return data
