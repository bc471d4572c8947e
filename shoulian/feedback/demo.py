"""Demo complaints, suggestions and follow-ups for 沙县公安分局.

The workflow seeder (order 30) closed alerts through the real services, so their follow-up tasks
already exist (the workflow hook opened them) and the 回访 steps it recorded closed theirs. This
seeder opens the tasks whose 复议 windows have run out, records a few calls in the 回访任务 queue
(reached and satisfied, basically satisfied, dissatisfied → a supervision finding, unreachable) and
files a handful of complaints and suggestions from the desk and the query page, most answered,
one close to its due date and one overdue. Idempotent: complaints replay by their keys, calls
are only made on tasks nobody has called yet.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from shoulian.core.demo import demo_seeder

BUREAU_CODE = "350427"
CENTER_CODE = "35042701"
KEY_PREFIX = "demo-complaint-"

# (kind, channel, days ago, answered after days (None: not yet), content, answer)
COMPLAINTS: list[tuple[str, str, float, float | None, str, str]] = [
    (
        "complaint", "query", 38, 6,
        "报警后一直没有人联系我，打派出所电话也没人接，希望尽快告知电动车被盗案的进展。",
        "经核查，城关派出所已于受案后开展调查，因值班电话转接故障未能及时接听。已督促办案民警"
        "向您当面通报进展，并修复值班电话转接。感谢您的监督。",
    ),
    (
        "suggestion", "desk", 31, 3,
        "建议在办事大厅增加老年人取号帮办服务，自助终端字太小，看不清。",
        "感谢您的建议。中心已在大厅安排一名辅警专门为老年人提供帮办服务，自助终端已开启大字模式。",
    ),
    (
        "complaint", "query", 24, 14,
        "不予立案的理由没有说清楚，民警只让我签字，没有解释可以申请复议。",
        "经调阅执法记录，办案民警送达不予立案通知书时未充分释明复议权利。已对其进行批评教育，"
        "法制员已电话向您说明理由及申请复议的途径和期限。",
    ),
    (
        "complaint", "desk", 17, 2,
        "窗口民警接待时态度生硬，没有告知我如何查询办理进度。",
        "已约谈当班民警并在窗口公示查询方式（回执上的查询码、手机号和短信验证码）。欢迎继续监督。",
    ),
    (
        "suggestion", "query", 9, None,
        "希望短信里能写上办案民警的联系方式，方便补充材料。",
        "",
    ),
    (
        "complaint", "desk", 18, None,
        "报案材料交给中心后，派出所又让我重新提交一遍，来回跑了两趟。",
        "",
    ),
    (
        "complaint", "query", 2, None,
        "移交给刑侦大队后没有人通知我新的联系电话。",
        "",
    ),
]  # fmt: skip

# Calls made in the queue on the oldest open tasks: (reached, satisfaction, note).
CALLS: list[tuple[bool, str, str]] = [
    (True, "satisfied", "电话回访，报案人对办理结果和民警态度表示满意。"),
    (True, "basically", "电话回访，报案人基本满意，希望今后反馈更及时。"),
    (True, "dissatisfied", "电话回访，报案人认为派出所答复敷衍，未告知损失能否追回。"),
    (True, "satisfied", "上门回访，报案人表示满意并送来感谢信。"),
]


def _cast() -> dict[str, Any] | None:
    from shoulian.accounts.models import User

    users = {
        u.username: u for u in User.objects.filter(unit__code=CENTER_CODE).select_related("unit")
    }
    if "center.head" not in users or "center.clerk" not in users:
        return None
    callers = [users[n] for n in ("center.clerk", "center.aux1", "center.aux2") if n in users]
    return {"head": users["center.head"], "clerk": users["center.clerk"], "callers": callers}


def _complaints(cast: dict[str, Any], rng: random.Random, now: dt.datetime) -> tuple[int, int]:
    from shoulian.feedback.choices import ComplaintStatus
    from shoulian.feedback.models import Complaint
    from shoulian.feedback.services import complaint_answer, complaint_submit
    from shoulian.intake.choices import AlertStatus, PartyRole
    from shoulian.intake.models import Alert, AlertParty

    closed = list(
        Alert.objects.filter(
            registering_unit__code__startswith=BUREAU_CODE,
            status__in=(
                AlertStatus.FOLLOWED_UP,
                AlertStatus.CRIMINAL_CASE,
                AlertStatus.ADMIN_CASE,
                AlertStatus.NOT_FILED,
                AlertStatus.TRANSFERRED,
            ),
        )
        .select_related("registering_unit")
        .order_by("registered_at", "pk")
    )
    filed = answered = 0
    existing = set(
        Complaint.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    for n, (kind, channel, days_ago, answer_after, content, answer) in enumerate(COMPLAINTS):
        if f"{KEY_PREFIX}{n}" in existing:
            continue
        submitted_at = now - dt.timedelta(days=days_ago, hours=rng.uniform(1, 6))
        # The alert the complaint is about: closed before the complaint came in.
        candidates = [a for a in closed if a.registered_at < submitted_at - dt.timedelta(days=3)]
        alert = candidates[-1 - n * 3] if channel == "query" and len(candidates) > n * 3 else None
        party = (
            AlertParty.objects.filter(alert=alert, role=PartyRole.REPORTER).first()
            if alert is not None
            else None
        )
        mobile = party.phone.plaintext() if party is not None and party.phone else ""
        if not mobile.startswith("1") or len(mobile) != 11:
            mobile = f"1390598{4100 + n:04d}"
        name = party.name if party is not None else ["林秀英", "陈建国", "黄丽华", "吴志强"][n % 4]
        complaint = complaint_submit(
            channel=channel if alert is not None or channel == "desk" else "desk",
            kind=kind,
            content=content,
            mobile=mobile,
            name=name,
            alert=alert,
            actor=cast["clerk"] if channel == "desk" or alert is None else None,
            idempotency_key=f"{KEY_PREFIX}{n}",
            now=submitted_at,
        )
        filed += 1
        if answer_after is not None and complaint.status == ComplaintStatus.RECEIVED:
            complaint_answer(
                actor=cast["head"],
                complaint=Complaint.objects.get(pk=complaint.pk),
                answer=answer,
                now=submitted_at + dt.timedelta(days=answer_after, hours=rng.uniform(1, 5)),
            )
            answered += 1
    return filed, answered


def _calls(cast: dict[str, Any], rng: random.Random, now: dt.datetime) -> tuple[int, int, int]:
    from shoulian.feedback.choices import FollowUpStatus
    from shoulian.feedback.models import FollowUp
    from shoulian.feedback.services import follow_up_record, follow_ups_release

    released = follow_ups_release(now=now)
    untouched = list(
        FollowUp.objects.filter(
            center__code=CENTER_CODE,
            status=FollowUpStatus.OPEN,
            attempts=0,
            ready_at__lte=now - dt.timedelta(days=2),
        )
        .select_related("alert", "center")
        .order_by("ready_at", "pk")
    )
    recorded = unreachable = 0
    for follow_up, (reached, satisfaction, note) in zip(untouched, CALLS, strict=False):
        at = min(follow_up.ready_at + dt.timedelta(days=rng.uniform(1, 3)), now)  # type: ignore[operator]
        follow_up_record(
            actor=cast["clerk"] if satisfaction != "dissatisfied" else cast["head"],
            follow_up=follow_up,
            reached=reached,
            satisfaction=satisfaction,
            note=note,
            now=at,
        )
        recorded += 1
    # One reporter never answers: three calls over three days close the task as 无法联系; another
    # missed the first call and waits for the second.
    rest = untouched[len(CALLS) :]
    for follow_up, calls in zip(rest, (3, 1), strict=False):
        task = follow_up
        for k in range(calls):
            at = min(task.ready_at + dt.timedelta(days=1 + k, hours=rng.uniform(0, 4)), now)  # type: ignore[operator]
            task = follow_up_record(
                actor=cast["clerk"], follow_up=task, reached=False, note="电话无人接听", now=at
            )
        unreachable += 1
    # The center keeps up with its calls: older tasks were done within a few days of closing,
    # so only the last days' closings (and a few overdue ones) wait in the queue.
    backlog = (
        FollowUp.objects.filter(
            center__code=CENTER_CODE,
            status=FollowUpStatus.OPEN,
            attempts=0,
            ready_at__lte=now - dt.timedelta(days=12),
        )
        .select_related("alert", "center")
        .order_by("ready_at", "pk")
    )
    for follow_up in list(backlog)[3:]:
        roll = rng.random()
        satisfaction = (
            "satisfied" if roll < 0.85 else "basically" if roll < 0.97 else "dissatisfied"
        )
        note = {
            "satisfied": "电话回访，报案人对办理情况表示满意。",
            "basically": "电话回访，报案人基本满意，希望进展反馈更及时。",
            "dissatisfied": "电话回访，报案人认为办理结果未达预期，对民警解释不满意。",
        }[satisfaction]
        follow_up_record(
            actor=rng.choice(cast["callers"]),
            follow_up=follow_up,
            reached=True,
            satisfaction=satisfaction,
            note=note,
            now=follow_up.ready_at + dt.timedelta(days=rng.uniform(0.5, 5)),  # type: ignore[operator]
        )
        recorded += 1
    return released, recorded, unreachable


@demo_seeder(order=40, name="feedback")
def seed_feedback(**_: Any) -> str:
    cast = _cast()
    if cast is None:
        return "未找到演示分局，跳过"
    now = timezone.now()
    rng = random.Random("feedback-demo")  # noqa: S311 - demo data
    from shoulian.feedback.models import Complaint, FollowUp

    # The first complaint's key marks a seeded database: the calls are made once only (a later
    # run would otherwise find the tasks closed since then and call them).
    seeded = Complaint.objects.filter(idempotency_key=f"{KEY_PREFIX}0").exists()
    # No transaction around these: answering and recording calls are entry-point services, each
    # durable in its own transaction (its refusals must survive a rollback).
    filed, answered = _complaints(cast, rng, now)
    released, recorded, unreachable = (0, 0, 0) if seeded else _calls(cast, rng, now)

    filed_total = Complaint.objects.filter(idempotency_key__startswith=KEY_PREFIX).count()
    open_tasks = FollowUp.objects.filter(center__code=CENTER_CODE, status="open").count()
    return (
        f"投诉建议 +{filed}（共 {filed_total} 件，本次答复 {answered}）；回访任务待办 {open_tasks}，"
        f"本次放行 {released}、记录 {recorded}、未联系上 {unreachable}"
    )
