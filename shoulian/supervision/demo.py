"""Demo supervision for 沙县公安分局: the patrol run over the demo months, and the units answering.

A patrol runs every Monday over the five demo months and every day of the last ten, each at
08:00 with its run record, exactly as the daily job would have. Between patrols the units act on
their findings through the real services, with the historical moment passed as ``now``: most are
rectified and climb the whole review chain to 销号 (some after one return), some are returned and
not answered again yet, some wait at a review level, and some are neglected, so the next patrols escalate them one level at a time and raise
their colour. A third of the answers carry a photo of the proof, through intake's evidence
pipeline like any upload.

Inboxes stay readable: whoever acts on a finding has opened it, so its messages are read (as the
finding page does); at the end each user keeps at most ``KEEP_UNREAD`` unread messages, the
newest, the older ones read as a user working through the inbox would have. Idempotent: a bureau
with a patrol record is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from shoulian.core.demo import demo_seeder, demo_window

BUREAU_CODE = "350427"
RECTIFY_TEXTS = [
    "已补办相关手续并在系统中更正，组织所队民警学习受案立案规定，明确值班交接责任。",
    "经查系值班交接遗漏，已当场纠正，对责任民警进行批评教育，并由法制员每日核查。",
    "已向报案人当面说明情况并补充材料，相关文书已送达，今后由所队领导每周抽查。",
]
RETURN_COMMENTS = ["整改情况未写明原因分析，请补充。", "未附更正后的办理情况，请补充后再报。"]
# Unread messages a demo user is left with (the header's count stays a number one can act on).
KEEP_UNREAD = 20


def _proof(pk: int) -> list[Any]:
    """A photo of the proof for every third answer (a generated image, checked like any upload)."""
    if pk % 3:
        return []
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from shoulian.intake import uploads
    from shoulian.intake.choices import FilePurpose
    from shoulian.intake.services import FileInput

    buffer = io.BytesIO()
    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).rectangle((10, 10, 310, 190), outline="black", width=3)
    image.save(buffer, format="PNG")
    upload = SimpleUploadedFile(f"整改材料-{pk}.png", buffer.getvalue(), "image/png")
    inspection = uploads.inspect_upload(upload)
    return [FileInput(upload, inspection, f"整改材料-{pk}.png", FilePurpose.RECTIFICATION)]


def _trim_inboxes(bureau: Any) -> int:
    """Leave each user of the bureau at most ``KEEP_UNREAD`` unread messages (the newest)."""
    from shoulian.accounts.models import User
    from shoulian.supervision.models import InboxMessage
    from shoulian.supervision.services import inbox_mark_read

    trimmed = 0
    users = User.objects.filter(unit__path__startswith=bureau.path, is_active=True)
    for user in users:
        older = list(
            InboxMessage.objects.for_user(user)
            .unread()
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[KEEP_UNREAD:]
        )
        if older:
            trimmed += inbox_mark_read(actor=user, pks=older)
    return trimmed


def _days(today: dt.date) -> list[dt.date]:
    days: list[dt.date] = []
    first = demo_window(today)[0]
    day = first + dt.timedelta(days=-first.weekday() % 7)  # the first Monday of the demo months
    while day < today - dt.timedelta(days=10):
        days.append(day)
        day += dt.timedelta(days=7)
    days.extend(today - dt.timedelta(days=n) for n in range(10, 0, -1))
    return days


def _at(day: dt.date, hour: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(0)) + dt.timedelta(hours=hour)
    return timezone.make_aware(naive)


def _responsible(finding: Any, directory: Any) -> Any:
    from shoulian.accounts.choices import Role

    if finding.officer_id and finding.officer.is_active:
        return finding.officer
    for role in (Role.LEADER, Role.CENTER_HEAD):
        holders = directory.holders(finding.unit_id, role)
        if holders:
            return holders[0]
    return None


def _reviewer(finding: Any, directory: Any) -> Any:
    from shoulian.supervision.models import ReviewStep

    step = (
        ReviewStep.objects.filter(rectification__finding=finding, status="pending")
        .select_related("rectification")
        .first()
    )
    if step is None:
        return None
    for user in directory.holders(step.unit_id, step.role):
        if user.pk != step.rectification.submitted_by_id and not user.is_auxiliary:
            return user
    return None


def _act(plans: dict[int, dict[str, Any]], day: dt.date, directory: Any) -> dict[str, int]:
    """Carry out what the units do on ``day`` with the findings they have."""
    from shoulian.supervision.choices import FindingStatus
    from shoulian.supervision.models import Finding
    from shoulian.supervision.services import (
        inbox_mark_read,
        rectification_approve,
        rectification_return,
        rectification_submit,
    )

    done = {"submitted": 0, "approved": 0, "returned": 0}
    for pk, plan in plans.items():
        if plan["next"] > day or plan["style"] == "neglect":
            continue
        if plan["style"] == "return_wait" and plan.get("returned"):
            # Returned and not answered again yet: the demo keeps 退回整改 in the unit's queue.
            continue
        finding = Finding.objects.select_related("officer", "unit", "bureau").get(pk=pk)
        moment = _at(day, plan["hour"])
        if finding.status in (FindingStatus.OPEN, FindingStatus.RETURNED):
            actor = _responsible(finding, directory)
            if actor is None:
                continue
            rectification_submit(
                actor=actor,
                finding=finding,
                text=RECTIFY_TEXTS[pk % len(RECTIFY_TEXTS)],
                files=_proof(pk) if finding.alert_id else [],
                expected_version=finding.version,
                now=moment,
            )
            inbox_mark_read(actor=actor, finding=finding)
            done["submitted"] += 1
        elif finding.status == FindingStatus.REVIEWING:
            reviewer = _reviewer(finding, directory)
            if reviewer is None:
                continue
            returns = plan["style"] in ("return_once", "return_wait")
            if returns and not plan.get("returned") and plan["levels"] >= 1:
                rectification_return(
                    actor=reviewer,
                    finding=finding,
                    expected_version=finding.version,
                    comment=RETURN_COMMENTS[pk % len(RETURN_COMMENTS)],
                    now=moment,
                )
                plan["returned"] = True
                inbox_mark_read(actor=reviewer, finding=finding)
                done["returned"] += 1
            elif plan["style"] == "stall" and plan["levels"] >= plan["stall_at"]:
                continue
            else:
                rectification_approve(
                    actor=reviewer,
                    finding=finding,
                    expected_version=finding.version,
                    comment="同意。",
                    now=moment,
                )
                plan["levels"] += 1
                inbox_mark_read(actor=reviewer, finding=finding)
                done["approved"] += 1
        plan["next"] = day + dt.timedelta(days=plan["pace"])
    return done


@demo_seeder(order=70, name="supervision")
def seed_supervision(**_: Any) -> str:
    from django.db.models import Count, Max

    from shoulian.core import context
    from shoulian.org.models import Unit
    from shoulian.supervision.choices import FindingKind
    from shoulian.supervision.models import Finding, InboxMessage, PatrolRun
    from shoulian.supervision.recipients import Directory
    from shoulian.supervision.services import patrol_run

    bureau = Unit.objects.filter(code=BUREAU_CODE).first()
    if bureau is None:
        return "未找到演示分局，跳过"
    if not PatrolRun.objects.filter(bureau=bureau).exists():
        rng = random.Random("supervision-demo")  # noqa: S311 - demo data
        directory = Directory()
        plans: dict[int, dict[str, Any]] = {}
        today = timezone.localdate()
        with context.acting(channel="worker"):
            for day in _days(today):
                patrol_run(bureau=bureau, now=_at(day, 8))
                new = Finding.objects.filter(bureau=bureau, kind=FindingKind.FINDING).exclude(
                    pk__in=plans
                )
                for pk in new.values_list("pk", flat=True):
                    roll = rng.random()
                    style = (
                        "neglect"
                        if roll < 0.2
                        else "stall"
                        if roll < 0.35
                        else "return_once"
                        if roll < 0.5
                        else "return_wait"
                        if roll < 0.58
                        else "through"
                    )
                    plans[pk] = {
                        "style": style,
                        "next": day + dt.timedelta(days=rng.randint(1, 3)),
                        "pace": rng.randint(1, 2),
                        "hour": rng.uniform(9, 17),
                        "levels": 0,
                        "stall_at": rng.randint(1, 3),
                    }
                step_days = [
                    day + dt.timedelta(days=n)
                    for n in range(7 if day < today - dt.timedelta(days=10) else 1)
                ]
                for act_day in step_days:
                    if act_day < today:
                        _act(plans, act_day, directory)
            _trim_inboxes(bureau)
    runs = PatrolRun.objects.filter(bureau=bureau).count()
    by_status: dict[str, int] = {}
    for status in Finding.objects.filter(bureau=bureau).values_list("status", flat=True):
        by_status[status] = by_status.get(status, 0) + 1
    escalated = Finding.objects.filter(bureau=bureau, escalation__gt=0).count()
    levels = dict(
        Finding.objects.filter(bureau=bureau, kind=FindingKind.FINDING)
        .values_list("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    unread = (
        InboxMessage.objects.filter(recipient__unit__path__startswith=bureau.path, read_at=None)
        .values("recipient")
        .annotate(n=Count("pk"))
        .aggregate(most=Max("n"))["most"]
        or 0
    )
    return (
        f"巡查 {runs} 次；巡查发现与预警 {sum(by_status.values())} 条（"
        + "、".join(f"{k} {v}" for k, v in sorted(by_status.items()))
        + "；"
        + "、".join(f"{k} {v}" for k, v in sorted(levels.items()))
        + f"），逾期升级 {escalated} 条；未读消息最多的用户 {unread} 条"
    )


# Last of all: the apps seeded after supervision (考评 deductions, bulletins) push notices to the
# same inbox, so the trim runs again once everyone has pushed.
@demo_seeder(order=99, name="inboxes")
def seed_inbox_trim(**_: Any) -> str:
    from shoulian.org.models import Unit

    bureau = Unit.objects.filter(code=BUREAU_CODE).first()
    if bureau is None:
        return "未找到演示分局，跳过"
    return f"每人最多保留 {KEEP_UNREAD} 条未读消息，本次标为已读 {_trim_inboxes(bureau)} 条"
