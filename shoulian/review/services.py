"""Writes of the review work: a review of an alert at one of the three levels, AV records (an
uploaded recording or a reference to the 执法记录仪 store) and their reviews, guidance on case
nature. Each is an entry point (``durable_atomic``): its journal event in its transaction, its
refusals journalled so that they survive the rollback (U1). A problem found becomes a finding
through supervision's ``finding_raise`` (supervision never hears of this app)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, durable_atomic, record
from shoulian.intake.choices import FileKind, FilePurpose
from shoulian.intake.models import Alert
from shoulian.intake.services import FileInput, evidence_attach
from shoulian.review.choices import (
    FINDING_RESULTS,
    LEVEL_ROLES,
    AvIssue,
    AvResult,
    AvSource,
    GuidanceStatus,
    ReviewChannel,
    ReviewLevel,
    ReviewMode,
    ReviewResult,
)
from shoulian.review.models import AvRecord, AvReview, Guidance, Review
from shoulian.supervision.choices import Level
from shoulian.supervision.services import (
    evaluate,
    finding_raise,
    inbox_notify,
    manual_rule_choices,
)

COMMENT_MAX = 2000
# The code of the rule in review/patrol.py (not imported: patrol imports the models this module
# writes, and the registry is filled once the app is ready).
AV_RULE = "av_record_missing"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_DURATION = 24 * 3600
# Who registers a recording: the unit that handled the scene, and the reviewers.
AV_ROLES = frozenset({"officer", "leader", "legal_officer", "center_head", "legal_brigade"})


class ReviewDenied(PermissionDenied):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.refusal_code = code


def _refuse(actor: Any, action: str, obj: Any, code: str, message: str) -> None:
    deny(
        actor,
        action=action,
        obj=obj,
        code=code,
        event_type=EventType.REVIEW_REFUSED,
        error=ReviewDenied(message, code),
    )


def levels_of(user: Any) -> list[str]:
    """The levels at which ``user`` reviews (a 辅警 at none: a review is a legal judgement)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_auxiliary:
        return []
    roles = set(user.role_set)
    return [level for level, role in LEVEL_ROLES.items() if role in roles]


def responsible_unit(alert: Alert) -> Any:
    return alert.handling_unit if alert.handling_unit_id else alert.registering_unit


def _check_reviewer(actor: Any, alert: Alert, level: str, action: str) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        _refuse(actor, action, alert, "anonymous", "请先登录。")
    if level not in ReviewLevel.values or level not in levels_of(actor):
        _refuse(actor, action, alert, "level", "您不能以该层级评查。")
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        _refuse(actor, action, alert, "not_found", "警情不存在。")
    if level == ReviewLevel.UNIT and not responsible_unit(alert).path.startswith(actor.unit.path):
        # The first level is the unit's own: its legal officer reviews its own alerts.
        _refuse(actor, action, alert, "unit", "所队法制员只能评查本单位办理的警情。")


def _clean_comment(text: str) -> str:
    value = str(text or "").strip()
    if len(value) > COMMENT_MAX:
        raise ValidationError({"comment": f"意见不超过 {COMMENT_MAX} 字。"})
    return value


def review_record(
    *,
    actor: Any,
    alert: Alert,
    level: str,
    mode: str = ReviewMode.DAILY,
    channel: str = ReviewChannel.ONLINE,
    result: str,
    comment: str = "",
    rule_code: str = "",
    finding_level: str = "",
    finding_summary: str = "",
    now: dt.datetime | None = None,
) -> Review:
    """Record that ``actor`` reviewed ``alert``. A problem (``result`` other than no problem)
    raises a supervision finding in the same transaction: citing ``rule_code``, or free with
    ``finding_level``; ``finding_summary`` says what the problem is."""
    with durable_atomic():
        return record_review(
            actor=actor,
            alert=alert,
            level=level,
            mode=mode,
            channel=channel,
            result=result,
            comment=comment,
            rule_code=rule_code,
            finding_level=finding_level,
            finding_summary=finding_summary,
            now=now,
        )


def record_review(
    *,
    actor: Any,
    alert: Alert,
    level: str,
    mode: str,
    channel: str,
    result: str,
    comment: str = "",
    rule_code: str = "",
    finding_level: str = "",
    finding_summary: str = "",
    now: dt.datetime | None = None,
    campaign: Any = None,
) -> Review:
    """``review_record`` in the caller's transaction (an entry point that scores a campaign's
    alert records its review with it)."""
    moment = now or timezone.now()
    _check_reviewer(actor, alert, level, "review_record")
    errors: dict[str, str] = {}
    if mode not in ReviewMode.values:
        errors["mode"] = "请选择评查方式。"
    if channel not in ReviewChannel.values:
        errors["channel"] = "请选择网上或网下。"
    if result not in ReviewResult.values:
        errors["result"] = "请选择评查结果。"
    if result == ReviewResult.RULE_FINDING and rule_code not in dict(manual_rule_choices()):
        errors["rule_code"] = "请选择问题所依据的巡查规则。"
    if result == ReviewResult.FREE_FINDING and finding_level not in Level.values:
        errors["finding_level"] = "请选择问题等级。"
    if finding_level and finding_level not in Level.values:
        errors["finding_level"] = "请选择问题等级。"
    if result in FINDING_RESULTS and not str(finding_summary or "").strip():
        errors["finding_summary"] = "请写明发现的问题。"
    text = _clean_comment(comment)
    if errors:
        raise ValidationError(errors)
    unit = responsible_unit(alert)
    review = Review.objects.create(
        bureau=alert.registering_unit.bureau(),
        unit=unit,
        alert=alert,
        reviewer=actor,
        reviewer_unit=actor.unit,
        level=level,
        mode=mode,
        channel=channel,
        reviewed_at=moment,
        result=result,
        rule_code=rule_code if result == ReviewResult.RULE_FINDING else "",
        finding_level=finding_level if result in FINDING_RESULTS else "",
        comment=text,
        campaign=campaign,
    )
    if result in FINDING_RESULTS:
        finding = finding_raise(
            actor=actor,
            alert=alert,
            summary=finding_summary,
            subject_type="review",
            subject_id=review.pk,
            rule_code=rule_code if result == ReviewResult.RULE_FINDING else None,
            level=finding_level or None,
            note=text,
            now=moment,
        )
        Review.objects.filter(pk=review.pk).update(finding=finding, finding_level=finding.level)
        review.finding, review.finding_level = finding, finding.level
    record(
        EventType.REVIEW_RECORDED,
        obj=review,
        actor=actor,
        data={
            "alert": alert.number,
            "unit": unit.code,
            "level": level,
            "mode": mode,
            "channel": channel,
            "result": result,
            "rule": review.rule_code or None,
            "finding": review.finding.pk if review.finding else None,
            "campaign": campaign.pk if campaign is not None else None,
        },
    )
    return review


# --- AV records -----------------------------------------------------------------------------------
def _check_av_actor(actor: Any, alert: Alert, action: str) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        _refuse(actor, action, alert, "anonymous", "请先登录。")
    if not set(actor.role_set) & AV_ROLES:
        _refuse(actor, action, alert, "role", "您不能登记现场处警视音频。")
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        _refuse(actor, action, alert, "not_found", "警情不存在。")


def _av_fields(
    duration_seconds: int | None, recorded_at: dt.datetime | None, moment: dt.datetime
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if duration_seconds is not None and not 0 < duration_seconds <= MAX_DURATION:
        errors["duration_seconds"] = "时长应在 1 秒至 24 小时之间。"
    if recorded_at is not None and recorded_at > moment + dt.timedelta(minutes=5):
        errors["recorded_at"] = "拍摄时间不能晚于现在。"
    return errors


def _registered(actor: Any, row: AvRecord) -> AvRecord:
    # The recording answers the "no AV record" rule: look at the alert again now, so its finding
    # (if any) closes with the reason instead of waiting for tomorrow's patrol.
    evaluate(bureau=row.bureau, now=row.registered_at, alert_ids=[row.alert_id], codes=[AV_RULE])
    record(
        EventType.AV_RECORD_ADDED,
        obj=row,
        actor=actor,
        data={
            "alert": row.alert.number,
            "source": row.source,
            "store": row.store or None,
            "external_id": row.external_id or None,
            "sha256": row.sha256,
            "duration_seconds": row.duration_seconds,
            "evidence_file": row.evidence_file_id,
        },
    )
    return row


def av_record_upload(
    *,
    actor: Any,
    alert: Alert,
    file: FileInput,
    duration_seconds: int | None = None,
    recorded_at: dt.datetime | None = None,
    device_no: str = "",
    title: str = "",
    now: dt.datetime | None = None,
) -> AvRecord:
    """An uploaded recording, stored through intake's evidence pipeline (F1–F6) with the purpose
    现场处警视音频 and registered as the alert's AV record."""
    moment = now or timezone.now()
    with durable_atomic():
        _check_av_actor(actor, alert, "av_record_upload")
        errors = _av_fields(duration_seconds, recorded_at, moment)
        if file.inspection.kind not in (FileKind.AUDIO, FileKind.VIDEO):
            errors["file"] = "现场处警视音频只能是音频或视频文件。"
        if AvRecord.objects.filter(alert=alert, sha256=file.inspection.sha256).exists():
            errors["file"] = "该文件已登记为本警情的视音频。"
        if errors:
            raise ValidationError(errors)
        upload = FileInput(
            upload=file.upload,
            inspection=file.inspection,
            original_name=file.original_name,
            purpose=FilePurpose.ONSCENE_AV,
        )
        (stored,) = evidence_attach(actor=actor, alert=alert, files=[upload], now=moment)
        row = AvRecord.objects.create(
            bureau=alert.registering_unit.bureau(),
            unit=responsible_unit(alert),
            alert=alert,
            source=AvSource.UPLOAD,
            evidence_file=stored,
            sha256=stored.sha256,
            duration_seconds=duration_seconds,
            recorded_at=recorded_at,
            device_no=str(device_no or "").strip()[:40],
            title=str(title or "").strip()[:120],
            registered_by=actor,
            registered_at=moment,
        )
        return _registered(actor, row)


def av_record_link(
    *,
    actor: Any,
    alert: Alert,
    store: str,
    external_id: str,
    sha256: str,
    duration_seconds: int,
    recorded_at: dt.datetime | None = None,
    device_no: str = "",
    title: str = "",
    now: dt.datetime | None = None,
) -> AvRecord:
    """A recording kept in the bureau's 执法记录仪 store, referenced by its id there, the SHA-256
    of the file (so a later copy can be checked) and its duration."""
    moment = now or timezone.now()
    with durable_atomic():
        _check_av_actor(actor, alert, "av_record_link")
        errors = _av_fields(duration_seconds, recorded_at, moment)
        store = str(store or "").strip()
        external_id = str(external_id or "").strip()
        digest = str(sha256 or "").strip().lower()
        if not store or len(store) > 60:
            errors["store"] = "请填写存储系统（不超过 60 字）。"
        if not external_id or len(external_id) > 80:
            errors["external_id"] = "请填写存储编号（不超过 80 字）。"
        if not SHA256.match(digest):
            errors["sha256"] = "SHA-256 应为 64 位十六进制数。"
        if not duration_seconds:
            errors.setdefault("duration_seconds", "请填写时长。")
        if (
            not errors
            and AvRecord.objects.filter(
                source=AvSource.EXTERNAL, store=store, external_id=external_id
            ).exists()
        ):
            errors["external_id"] = "该存储编号的视音频已登记。"
        if not errors and AvRecord.objects.filter(alert=alert, sha256=digest).exists():
            errors["sha256"] = "该文件已登记为本警情的视音频。"
        if errors:
            raise ValidationError(errors)
        row = AvRecord.objects.create(
            bureau=alert.registering_unit.bureau(),
            unit=responsible_unit(alert),
            alert=alert,
            source=AvSource.EXTERNAL,
            store=store,
            external_id=external_id,
            sha256=digest,
            duration_seconds=duration_seconds,
            recorded_at=recorded_at,
            device_no=str(device_no or "").strip()[:40],
            title=str(title or "").strip()[:120],
            registered_by=actor,
            registered_at=moment,
        )
        return _registered(actor, row)


def av_review_record(
    *,
    actor: Any,
    av_record: AvRecord,
    level: str,
    result: str,
    issues: list[str] | None = None,
    comment: str = "",
    finding_level: str = "",
    now: dt.datetime | None = None,
) -> AvReview:
    """Review one AV record. A problem lists its issues; with ``finding_level`` it also raises a
    free finding on the alert (the unit must rectify, e.g. upload the missing part)."""
    moment = now or timezone.now()
    alert = av_record.alert
    chosen = list(dict.fromkeys(issues or []))
    with durable_atomic():
        _check_reviewer(actor, alert, level, "av_review_record")
        if not AvRecord.objects.visible_to(actor).filter(pk=av_record.pk).exists():
            _refuse(actor, "av_review_record", av_record, "not_found", "视音频不存在。")
        errors: dict[str, str] = {}
        if result not in AvResult.values:
            errors["result"] = "请选择审查结果。"
        if any(i not in AvIssue.values for i in chosen):
            errors["issues"] = "请选择有效的问题。"
        elif result == AvResult.PROBLEM and not chosen:
            errors["issues"] = "存在问题时请选择具体问题。"
        elif result == AvResult.COMPLIANT and chosen:
            errors["issues"] = "审查结果为规范时不应选择问题。"
        if finding_level and (finding_level not in Level.values or result != AvResult.PROBLEM):
            errors["finding_level"] = "只有存在问题时才能提出巡查发现。"
        text = _clean_comment(comment)
        if errors:
            raise ValidationError(errors)
        row = AvReview.objects.create(
            av_record=av_record,
            bureau=av_record.bureau,
            unit=av_record.unit,
            alert=alert,
            reviewer=actor,
            reviewer_unit=actor.unit,
            level=level,
            reviewed_at=moment,
            result=result,
            issues=chosen,
            comment=text,
        )
        if finding_level:
            labels = "、".join(str(AvIssue(i).label) for i in chosen)
            finding = finding_raise(
                actor=actor,
                alert=alert,
                summary=f"现场处警视音频存在问题：{labels}",
                subject_type="av_review",
                subject_id=row.pk,
                level=finding_level,
                note=text,
                now=moment,
            )
            AvReview.objects.filter(pk=row.pk).update(finding=finding)
            row.finding = finding
        record(
            EventType.AV_REVIEWED,
            obj=row,
            actor=actor,
            data={
                "alert": alert.number,
                "av_record": av_record.pk,
                "sha256": av_record.sha256,
                "level": level,
                "result": result,
                "issues": chosen,
                "finding": row.finding_id,
            },
        )
    return row


# --- guidance on case nature (精准指导) ----------------------------------------------------------------
ASKER_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER})
QUESTION_MAX = 2000


def guidance_request(
    *, actor: Any, alert: Alert, question: str, now: dt.datetime | None = None
) -> Guidance:
    """An officer of a unit that handles ``alert`` asks the legal brigade how to qualify it; the
    brigade's members are told in their inbox."""
    moment = now or timezone.now()
    with durable_atomic():
        if not (getattr(actor, "is_authenticated", False) and actor.is_active):
            _refuse(actor, "guidance_request", alert, "anonymous", "请先登录。")
        if not set(actor.role_set) & ASKER_ROLES or actor.is_auxiliary:
            _refuse(
                actor, "guidance_request", alert, "role", "只有办案单位的民警可以申请定性指导。"
            )
        if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
            _refuse(actor, "guidance_request", alert, "not_found", "警情不存在。")
        text = str(question or "").strip()
        if len(text) < 5 or len(text) > QUESTION_MAX:
            raise ValidationError({"question": f"请写明请示事项（5–{QUESTION_MAX} 字）。"})
        bureau = alert.registering_unit.bureau()
        if Guidance.objects.filter(
            alert=alert, asked_by=actor, status=GuidanceStatus.PENDING
        ).exists():
            raise ValidationError({"question": "您对该警情的指导申请尚未答复，请勿重复申请。"})
        row = Guidance.objects.create(
            bureau=bureau,
            unit=actor.unit,
            alert=alert,
            asked_by=actor,
            asked_at=moment,
            question=text,
        )
        brigade = [
            u
            for u in get_user_model()
            .objects.filter(
                is_active=True,
                unit__path__startswith=bureau.path,
                roles__role=Role.LEGAL_BRIGADE,
            )
            .distinct()
        ]
        inbox_notify(
            users=brigade,
            title=f"案件定性指导申请：警情 {alert.number}（{actor.unit.name}）",
            link=reverse("review:guidance", kwargs={"pk": row.pk}),
            now=moment,
        )
        record(
            EventType.GUIDANCE_REQUESTED,
            obj=row,
            actor=actor,
            data={
                "alert": alert.number,
                "unit": actor.unit.code,
                "question_sha256": hashlib.sha256(text.encode()).hexdigest(),
            },
        )
    return row


def guidance_answer(
    *,
    actor: Any,
    guidance: Guidance,
    nature: str,
    legal_basis: str,
    evidence_to_collect: str,
    case_title: str = "",
    now: dt.datetime | None = None,
) -> Guidance:
    """The legal brigade's answer, written onto the alert's file (the 巡查/视音频 tab) and kept as
    a case (案例); the asking officer is told in the inbox. Answered once."""
    moment = now or timezone.now()
    with durable_atomic():
        if not Guidance.objects.visible_to(actor, action="answer").filter(pk=guidance.pk).exists():
            _refuse(actor, "guidance_answer", guidance, "role", "只有法制大队可以答复定性指导。")
        if actor.is_auxiliary:
            _refuse(actor, "guidance_answer", guidance, "auxiliary", "辅警不能答复定性指导。")
        fields = {
            "nature": (str(nature or "").strip(), 200, "请填写定性意见（不超过 200 字）。"),
            "legal_basis": (str(legal_basis or "").strip(), 2000, "请写明法律依据。"),
            "evidence_to_collect": (
                str(evidence_to_collect or "").strip(),
                2000,
                "请写明需补充收集的证据。",
            ),
        }
        errors = {k: msg for k, (v, limit, msg) in fields.items() if not v or len(v) > limit}
        title = str(case_title or "").strip()[:120]
        if errors:
            raise ValidationError(errors)
        won = Guidance.objects.filter(pk=guidance.pk, status=GuidanceStatus.PENDING).update(
            status=GuidanceStatus.ANSWERED,
            answered_by=actor,
            answered_at=moment,
            nature=fields["nature"][0],
            legal_basis=fields["legal_basis"][0],
            evidence_to_collect=fields["evidence_to_collect"][0],
            case_title=title,
        )
        if won != 1:
            raise ValidationError("该指导申请已答复。")
        guidance.refresh_from_db()
        inbox_notify(
            users=[guidance.asked_by],
            title=f"法制大队已答复定性指导：警情 {guidance.alert.number}",
            link=reverse("review:guidance", kwargs={"pk": guidance.pk}),
            now=moment,
        )
        record(
            EventType.GUIDANCE_ANSWERED,
            obj=guidance,
            actor=actor,
            data={
                "alert": guidance.alert.number,
                "nature": guidance.nature,
                "case_title": title or None,
            },
        )
    return guidance
