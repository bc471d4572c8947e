"""Complaints and suggestions (投诉建议): filed at the kiosk, the query page or the desk, routed to
the center of the bureau concerned, answered by its head within the deadline engine's 15 days.
Each service is atomic and journals in its own transaction (U5); SMS go through notify's outbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import deny, record
from shoulian.core.lifecycle import Refusal
from shoulian.core.text import date_zh, last_day_zh
from shoulian.deadlines.choices import DeadlineStatus
from shoulian.deadlines.models import Deadline
from shoulian.deadlines.services import deadline_start, deadline_stop
from shoulian.feedback import numbering
from shoulian.feedback.choices import (
    ComplaintChannel,
    ComplaintKind,
)
from shoulian.feedback.lifecycles import (
    ANSWERED_MESSAGE,
    COMPLAINTS,
    DENIED_MESSAGE,
    FeedbackCtx,
)
from shoulian.feedback.models import (
    Complaint,
)
from shoulian.feedback.services._common import (
    _active,
    _at_center,
    _query_url,
    _sms,
)
from shoulian.intake.models import Alert
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of, center_of
from shoulian.privacy.validators import normalize_mobile

COMPLAINT_RULE = "complaint_center_answer"
# 信访工作条例: tell whether accepted within 15 days of receipt, answer within 60 days of that.
ACCEPTANCE_RULE = "complaint_acceptance"
ANSWER_RULE = "complaint_answer"
COMPLAINT_OBJECT_TYPE = "complaint"
CONTENT_MAX = 2000
ANSWER_MAX = 2000


class IdempotencyMismatch(ValidationError):
    """The idempotency key was already used for a different submission (R5: the caller answers
    422)."""


def complaint_deadline(complaint: Complaint, code: str = COMPLAINT_RULE) -> Deadline | None:
    return (
        Deadline.objects.filter(
            object_type=COMPLAINT_OBJECT_TYPE, object_id=str(complaint.pk), code=code
        )
        .order_by("-started_at", "-id")
        .first()
    )


def _stop_running(complaint: Complaint, code: str, at: dt.datetime, note: str) -> Deadline | None:
    deadline = complaint_deadline(complaint, code)
    if deadline is None or deadline.status == DeadlineStatus.STOPPED:
        return None
    return deadline_stop(actor=None, deadline=deadline, at=max(at, deadline.started_at), note=note)


# --- complaints -----------------------------------------------------------------------------------
def _fingerprint(**fields: Any) -> str:
    encoded = json.dumps(fields, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _replay(scope: str, key: str, digest: str) -> Complaint | None:
    existing = Complaint.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != digest:
        with transaction.atomic():
            record(
                EventType.IDEMPOTENCY_CONFLICT,
                obj=existing,
                outcome=Outcome.DENIED,
                data={"scope": scope, "key": key[:80]},
            )
        raise IdempotencyMismatch(
            "该提交编号已用于另一份内容不同的投诉建议，未重复提交。请刷新页面后重新填写。",
            code="idempotency_mismatch",
        )
    return existing


def _new_query_code() -> str:
    # Complaint and alert codes share one query page: a code must name exactly one of them.
    while True:
        code = numbering.new_query_code()
        if (
            not Complaint.objects.filter(query_code=code).exists()
            and not Alert.objects.filter(query_code=code).exists()
        ):
            return code


def complaint_submit(
    *,
    channel: str,
    kind: str,
    content: str,
    mobile: str,
    name: str = "",
    alert: Any = None,
    actor: Any = None,
    kiosk: Any = None,
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """File a complaint or suggestion from the kiosk, the query page or the desk.

    It is routed to the center of the bureau that owns the alert, else the kiosk's or the desk
    clerk's bureau; the center head has 15 days to answer (deadline engine). The same key with
    the same content returns the first complaint; with other content it raises
    ``IdempotencyMismatch`` (R5). ``now`` is for the demo seeder only."""
    errors: dict[str, str] = {}
    if channel not in ComplaintChannel.values:
        errors["channel"] = "提交方式无效。"
    if kind not in ComplaintKind.values:
        errors["kind"] = "请选择投诉或建议。"
    content = (content or "").strip()
    if not content:
        errors["content"] = "请填写投诉或建议的内容。"
    elif len(content) > CONTENT_MAX:
        errors["content"] = f"内容不能超过{CONTENT_MAX}字。"
    name = (name or "").strip()
    if len(name) > 50:
        errors["name"] = "姓名过长。"
    try:
        mobile = normalize_mobile((mobile or "").strip())
    except ValidationError:
        errors["mobile"] = "请填写11位手机号码，答复将以短信通知。"
    key = (idempotency_key or "").strip()[:80]
    if not key:
        errors["idempotency_key"] = "缺少提交编号，请刷新页面后重试。"
    if errors:
        raise ValidationError(errors)

    source_unit: Unit | None
    if channel == ComplaintChannel.DESK:
        if not (
            _active(actor) and actor.has_role(Role.CLERK, Role.CENTER_HEAD) and _at_center(actor)
        ):
            deny(actor, action="complaint_desk")
        if alert is not None and not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
            deny(actor, action="complaint_desk", obj=alert)
        source_unit = actor.unit
        scope = f"user:{actor.pk}"
    elif channel == ComplaintChannel.KIOSK:
        if kiosk is None or getattr(kiosk, "unit", None) is None:
            raise ValidationError({"channel": "自助终端未登记，不能提交。"})
        source_unit = kiosk.unit
        scope = f"kiosk:{kiosk.pk}"
    else:
        if alert is None:
            raise ValidationError({"alert": "请先查询警情后再提交投诉建议。"})
        source_unit = None
        scope = f"query:{alert.pk}"

    # The alert's bureau answers for the alert; otherwise the bureau where it was handed in.
    base_unit = alert.registering_unit if alert is not None else source_unit
    assert base_unit is not None  # noqa: S101 - every branch above sets one
    bureau = bureau_of(base_unit)
    center = center_of(bureau)
    if center is None:
        raise ValidationError(f"{bureau.name}未设受立案管理中心，无法受理。")
    digest = _fingerprint(
        channel=channel,
        kind=kind,
        content=content,
        mobile=mobile,
        name=name,
        alert=alert.pk if alert is not None else None,
    )
    replay = _replay(scope, key, digest)
    if replay is not None:
        return replay
    now = now or timezone.now()
    try:
        with transaction.atomic():
            year = timezone.localtime(now).year
            sequence = numbering.next_sequence(bureau, year)
            complaint = Complaint(
                number=numbering.format_number(bureau, year, sequence),
                query_code=_new_query_code(),
                kind=kind,
                channel=channel,
                alert=alert,
                bureau=bureau,
                center=center,
                source_unit=source_unit,
                complainant_name=name,
                mobile=mobile,
                content=content,
                submitted_at=now,
                submitted_by=actor if channel == ComplaintChannel.DESK else None,
                idempotency_scope=scope,
                idempotency_key=key,
                fingerprint=digest,
            )
            complaint.save()
            deadline = deadline_start(
                actor=None,
                rule_code=COMPLAINT_RULE,
                obj=complaint,
                unit=center,
                started_at=now,
                title=f"{complaint.get_kind_display()} {complaint.number}",
            )
            deadline_start(
                actor=None,
                rule_code=ACCEPTANCE_RULE,
                obj=complaint,
                unit=center,
                started_at=now,
                title=f"{complaint.get_kind_display()} {complaint.number}",
            )
            record(
                EventType.COMPLAINT_SUBMITTED,
                obj=complaint,
                actor=actor if channel == ComplaintChannel.DESK else None,
                data={
                    "number": complaint.number,
                    "kind": kind,
                    "channel": channel,
                    "alert": alert.number if alert is not None else None,
                    "center": center.code,
                    "kiosk": getattr(kiosk, "pk", None),
                    "due_at": deadline.due_at,
                },
            )
            _sms(
                template="complaint_received",
                to=mobile,
                context={
                    "bureau": bureau.name,
                    "complaint_number": complaint.number,
                    "number": complaint.number,
                    "query_code": complaint.query_code_display,
                    "unit": center.name,
                    "unit_phone": center.phone,
                    "date": date_zh(now),
                    "deadline": last_day_zh(deadline.due_at),
                    "query_url": _query_url(),
                },
                key=f"complaint:{complaint.pk}:received",
                alert=alert,
                unit=center,
                now=now,
            )
    except IntegrityError:
        # A concurrent duplicate (double tap, retry) lost the race on the key's unique index.
        replay = _replay(scope, key, digest)
        if replay is not None:
            return replay
        raise
    return complaint


def complaint_accept(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The center head tells the complainant the matter is accepted (信访工作条例: within 15 days
    of receipt): the acceptance period stops and the 60-day answer period starts. An entry point
    (durable): a refusal stays on record."""
    now = now or timezone.now()
    version = complaint.version if expected_version is None else expected_version
    try:
        with journal.durable_atomic():
            current = (
                Complaint.objects.visible_to(actor)
                .select_related("bureau", "center", "alert")
                .filter(pk=complaint.pk)
                .first()
            )
            if current is None:
                raise Refusal("not_found", DENIED_MESSAGE, permission=True)
            ctx = FeedbackCtx(actor=actor, obj=current, now=now, action="accept")
            row = COMPLAINTS.checked_row(ctx, current.status, "accept", ANSWERED_MESSAGE)

            def periods() -> dict[str, Any]:
                told = _stop_running(current, ACCEPTANCE_RULE, now, "已告知受理")
                answer = deadline_start(
                    actor=None,
                    rule_code=ANSWER_RULE,
                    obj=current,
                    unit=current.center,
                    started_at=now,
                    title=f"{current.get_kind_display()} {current.number}",
                )
                return {
                    "number": current.number,
                    "late": told.stopped_late if told is not None else None,
                    "answer_due_at": answer.due_at,
                }

            COMPLAINTS.apply(
                current,
                row,
                expected_version=version,
                actor=actor,
                updates={"accepted_at": now, "accepted_by": actor},
                then=periods,
                data=lambda result: result or {"number": current.number},
            )
    except Refusal as refusal:
        COMPLAINTS.refuse(refusal, actor=actor, obj=complaint, action="complaint_accept")
    complaint.refresh_from_db()
    return complaint


def complaint_answer(
    *,
    actor: Any,
    complaint: Complaint,
    answer: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The center head answers: the deadline stops, the complainant gets an SMS and reads the
    answer on the query page. An entry point (durable): a refusal stays on record."""
    now = now or timezone.now()
    version = complaint.version if expected_version is None else expected_version
    try:
        with journal.durable_atomic():
            current = (
                Complaint.objects.visible_to(actor)
                .select_related("bureau", "center", "alert")
                .filter(pk=complaint.pk)
                .first()
            )
            if current is None:
                raise Refusal("not_found", DENIED_MESSAGE, permission=True)
            ctx = FeedbackCtx(actor=actor, obj=current, now=now, action="answer")
            row = COMPLAINTS.checked_row(ctx, current.status, "answer", ANSWERED_MESSAGE)
            answer = (answer or "").strip()
            if not answer:
                raise ValidationError({"answer": "请填写答复内容。"})
            if len(answer) > ANSWER_MAX:
                raise ValidationError({"answer": f"答复不能超过{ANSWER_MAX}字。"})

            def stop_deadline() -> bool | None:
                # The answer also tells the complainant it was accepted.
                _stop_running(current, ACCEPTANCE_RULE, now, "已答复（含告知受理）")
                _stop_running(current, ANSWER_RULE, now, "已答复")
                deadline = _stop_running(current, COMPLAINT_RULE, now, "已答复")
                return deadline.stopped_late if deadline is not None else None

            COMPLAINTS.apply(
                current,
                row,
                expected_version=version,
                actor=actor,
                updates={"answer": answer, "answered_at": now, "answered_by": actor},
                then=stop_deadline,
                data=lambda late: {"number": current.number, "late": late},
            )
            _sms(
                template="complaint_answered",
                to=current.mobile.plaintext() if current.mobile else "",
                context={
                    "bureau": current.bureau.name,
                    "complaint_number": current.number,
                    "number": current.number,
                    "query_code": current.query_code_display,
                    "unit": current.center.name,
                    "unit_phone": current.center.phone,
                    "date": date_zh(now),
                    "query_url": _query_url(),
                },
                key=f"complaint:{current.pk}:answered",
                alert=current.alert,
                unit=current.center,
                now=now,
            )
    except Refusal as refusal:
        COMPLAINTS.refuse(refusal, actor=actor, obj=complaint, action="complaint_answer")
    complaint.refresh_from_db()
    return complaint
