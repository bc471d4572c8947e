"""Demo assessment for 沙县公安分局: the score ledger over the months the demo's findings span,
posted by the scoring run every Monday and every day of the last ten (09:00, after the patrol),
a few challenges answered both ways, one 约谈 and one referral to 纪检监察 left for the inspector.

The months are read from the data (the earliest finding to today), never from fixed dates: the
demo is laid out relative to the day it is seeded. Idempotent: a bureau with ledger entries is
left as it is."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from shoulian.core.demo import demo_seeder

BUREAU_CODE = "350427"
CHALLENGES = 8
CHALLENGE_TEXTS = [
    "该节点已于期限内报请延长，审批手续齐全，请予核查。",
    "该警情签收前由其他单位办理，超期责任不在本人。",
    "当日系统故障导致回执未能打印，已当场手写出具。",
]
ANSWERS_UPHELD = [
    "经核查，延长审批手续齐全，异议成立，撤销扣分。",
    "经查超期系移交单位造成，撤销对本人的扣分。",
]
ANSWERS_REJECTED = ["经核查，未见延长审批材料，异议不成立，维持扣分。", "理由不能成立，维持扣分。"]


def _at(day: dt.date, hour: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(0)) + dt.timedelta(hours=hour)
    return timezone.make_aware(naive)


def _run_days(first: dt.date, today: dt.date) -> list[dt.date]:
    days = []
    day = first + dt.timedelta(days=(7 - first.weekday()) % 7)  # the first Monday
    while day < today - dt.timedelta(days=10):
        days.append(day)
        day += dt.timedelta(days=7)
    days.extend(today - dt.timedelta(days=n) for n in range(10, -1, -1))
    return days


def _holder(bureau: Any, role: str) -> Any:
    from shoulian.accounts.models import User

    return (
        User.objects.filter(unit__path__startswith=bureau.path, roles__role=role, is_active=True)
        .order_by("username")
        .first()
    )


@demo_seeder(order=75, name="assessment")
def seed_assessment(**_: Any) -> str:
    from shoulian.accounts.choices import Role
    from shoulian.assessment.choices import Subject
    from shoulian.assessment.models import Challenge, Interview, Referral, ScoreEntry
    from shoulian.assessment.services import (
        challenge_answer,
        challenge_file,
        interview_record,
        referral_make,
        score_bureau,
    )
    from shoulian.core import context
    from shoulian.org.models import Unit
    from shoulian.supervision.models import Finding

    bureau = Unit.objects.filter(code=BUREAU_CODE).first()
    if bureau is None:
        return "未找到演示分局，跳过"
    first = Finding.objects.filter(bureau=bureau, kind="finding").order_by("opened_at").first()
    if first is None:
        return "没有巡查发现，跳过"
    legal = _holder(bureau, Role.LEGAL_BRIGADE)
    if not ScoreEntry.objects.filter(bureau=bureau).exists() and legal is not None:
        rng = random.Random("assessment-demo")  # noqa: S311 - demo data
        now = timezone.now()
        today = timezone.localdate()
        filed = 0
        with context.acting(channel="worker"):
            for day in _run_days(timezone.localtime(first.opened_at).date(), today):
                moment = _at(day, 9)
                if moment > now:
                    break
                seen = set(ScoreEntry.objects.filter(bureau=bureau).values_list("pk", flat=True))
                # Back-dated runs tell nobody; the last days' runs fill the inboxes.
                score_bureau(bureau=bureau, now=moment, notify=day >= today - dt.timedelta(days=2))
                if filed >= CHALLENGES:
                    continue
                fresh = list(
                    ScoreEntry.objects.filter(
                        bureau=bureau, subject=Subject.OFFICER, officer__is_active=True
                    )
                    .exclude(pk__in=seen)
                    .select_related("officer", "unit")
                    .order_by("pk")
                )
                if not fresh or rng.random() > 0.5:
                    continue
                entry = rng.choice(fresh)
                filed_at, answered_at = moment + dt.timedelta(days=1), moment + dt.timedelta(days=2)
                if answered_at > now:
                    continue
                challenge = challenge_file(
                    actor=entry.officer, entry=entry,
                    reason=CHALLENGE_TEXTS[filed % len(CHALLENGE_TEXTS)], now=filed_at,
                )  # fmt: skip
                upheld = filed % 2 == 0
                texts = ANSWERS_UPHELD if upheld else ANSWERS_REJECTED
                challenge_answer(
                    actor=legal, challenge=challenge, upheld=upheld,
                    answer=texts[filed % len(texts)], now=answered_at,
                )  # fmt: skip
                filed += 1
            _accountability(bureau, legal, today, interview_record, referral_make)
    entries = ScoreEntry.objects.filter(bureau=bureau)
    months = entries.values("period").distinct().count()
    challenges = Challenge.objects.filter(entry__bureau=bureau)
    return (
        f"考评记分 {entries.count()} 笔（{months} 个月）；申诉 {challenges.count()} 件"
        f"（成立 {challenges.filter(status='upheld').count()}）；"
        f"约谈 {Interview.objects.filter(bureau=bureau).count()} 次；"
        f"移送纪检监察 {Referral.objects.filter(bureau=bureau).count()} 件"
    )


def _accountability(bureau: Any, legal: Any, today: dt.date, interview: Any, refer: Any) -> None:
    """One 约谈 of the leader of the unit with the most escalated findings, and one referral of
    that unit's findings still not rectified after escalation."""
    from collections import Counter

    from shoulian.accounts.choices import Role
    from shoulian.accounts.models import User
    from shoulian.supervision.choices import ACTIVE_STATUSES
    from shoulian.supervision.models import Finding

    escalated = list(
        Finding.objects.filter(bureau=bureau, escalation__gt=0).select_related("unit", "officer")
    )
    if not escalated:
        return
    unit_id, _count = Counter(f.unit_id for f in escalated).most_common(1)[0]
    mine = [f for f in escalated if f.unit_id == unit_id]
    leader = (
        User.objects.filter(unit_id=unit_id, roles__role=Role.LEADER, is_active=True)
        .order_by("username")
        .first()
    )
    if leader is not None:
        interview(
            actor=legal, interviewee=leader, held_at=_at(today - dt.timedelta(days=5), 15),
            place="法制大队会议室",
            reason=f"本单位{len(mine)}条巡查发现逾期未整改，受立案审查多次超期。",
            outcome="被约谈人说明了原因，表示立即组织整改；要求一周内逐条销号，每周向法制大队报告进展。",
            finding_ids=[f.pk for f in mine[:3]],
            now=_at(today - dt.timedelta(days=5), 16),
        )  # fmt: skip
    open_ones = [f for f in mine if f.status in ACTIVE_STATUSES] or mine
    officer = next((f.officer for f in open_ones if f.officer is not None), None)
    refer(
        actor=legal, unit=open_ones[0].unit,
        officer=officer if officer is not None and officer.unit_id == unit_id else None,
        reason="约谈后仍未落实整改，相关警情久拖未决，群众多次投诉，造成不良影响。",
        finding_ids=[f.pk for f in open_ones[:3]],
        now=_at(today - dt.timedelta(days=2), 10),
    )  # fmt: skip
