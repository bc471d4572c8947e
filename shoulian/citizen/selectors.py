"""Reads of the citizen channels. The public view of an alert is built here, field by field, into
a frozen dataclass: the template never sees the Alert, so nothing outside the allow-list (DOMAIN
§4, §7: public status, dates, handling unit and its phone, public milestones, the 复议 right) can
reach the page — no narrative, evidence, names or other parties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shoulian.citizen.choices import PublicStatus
from shoulian.citizen.models import Kiosk
from shoulian.intake.choices import AlertStatus
from shoulian.intake.models import Alert

S = AlertStatus
# DOMAIN §4: the internal status → the public one. Every internal status is mapped (a test walks
# AlertStatus); returns, disputes and approvals are internal and read as "being handled".
PUBLIC_STATUS: dict[str, PublicStatus] = {
    S.REGISTERED: PublicStatus.RECEIVED,
    S.ROUTED: PublicStatus.HANDLING,
    S.SIGNED: PublicStatus.HANDLING,
    S.HANDLING: PublicStatus.HANDLING,
    S.RETURNED: PublicStatus.HANDLING,
    S.DISPUTED: PublicStatus.HANDLING,
    S.ADMIN_CASE: PublicStatus.ADMIN_CASE,
    S.CRIMINAL_CASE: PublicStatus.CRIMINAL_CASE,
    S.NOT_FILED: PublicStatus.NOT_FILED,
    S.TRANSFERRED: PublicStatus.TRANSFERRED,
    S.NOT_POLICE: PublicStatus.CLOSED,
    S.CLOSED_NON_CASE: PublicStatus.CLOSED,
    S.FOLLOWED_UP: PublicStatus.CLOSED,
}

# The workflow steps a citizen may see, with their public wording. Anything else (sign-for,
# proposals, approvals, returns, disputes, transfer requests) stays inside the bureau.
PUBLIC_STEPS: dict[str, str] = {
    "route": "分派至办理单位",
    "reroute": "分派至办理单位",
    "designate": "指定办理单位",
    "approve_transfer": "转由其他单位办理",
    "decide_admin_accept": "决定受案（行政案件）",
    "decide_criminal_file": "决定立案（刑事案件）",
    "decide_not_file": "决定不予立案",
    "serve_notice": "送达不予立案通知书",
    "apply_reconsideration": "受理复议申请",
    "uphold_reconsideration": "作出复议决定",
    "revoke_reconsideration": "作出复议决定",
    "apply_review": "受理复核申请",
    "uphold_review": "作出复核决定",
    "revoke_review": "作出复核决定",
    "decide_transfer_out": "移送其他机关",
    "decide_not_police": "办结（不属于公安职责，已告知）",
    "decide_close_non_case": "办结",
    "follow_up": "回访",
    "serve_reconsideration_decision": "送达复议决定书",
    "solve": "案件已侦破",
    "conclude_investigation": "侦查终结，移送人民检察院审查起诉",
    "revoke_case": "撤销案件",
    "punish": "作出处罚决定",
    "not_punish": "作出不予处罚决定",
    "mediate": "调解结案",
    "conclude_case": "结案",
}
# The case's stage after 立案 / 受案 (workflow's CaseStage), in the citizen's words.
PUBLIC_STAGES: dict[str, str] = {
    "solved": "案件已侦破，正在继续侦查",
    "investigation_concluded": "侦查终结，已移送人民检察院审查起诉",
    "revoked": "案件已撤销",
    "punished": "已作出处罚决定",
    "not_punished": "已作出不予处罚决定",
    "mediated": "经调解结案",
    "concluded": "案件已办结",
}
# Steps whose public line names the unit the alert went to (the handling unit is public).
_STEPS_WITH_UNIT = frozenset({"route", "reroute", "designate", "approve_transfer"})
RECONSIDERATION_DAYS = 7


@dataclass(frozen=True)
class Milestone:
    label: str
    at: dt.datetime
    unit: str = ""


@dataclass(frozen=True)
class Reconsideration:
    """The right to 复议 after a refusal to file (《公安机关办理刑事案件程序规定》 art. 179)."""

    due_at: dt.datetime | None
    served_at: dt.datetime | None
    days: int = RECONSIDERATION_DAYS
    # Counted before next year's holiday arrangement was published (暂定).
    provisional: bool = False


@dataclass(frozen=True)
class PublicAlert:
    """Everything the citizen's page shows about an alert, and nothing else."""

    number: str
    status: str
    status_label: str
    received_at: dt.datetime
    unit_name: str
    unit_phone: str
    transferred_to: str
    milestones: tuple[Milestone, ...]
    # The case's stage in plain words (破案, 结案 …); "" before any.
    stage: str
    reconsideration: Reconsideration | None


@dataclass(frozen=True)
class Unavailable:
    """A sensitive category: not queryable online (DOMAIN §7)."""

    number: str


def public_status(internal: str) -> PublicStatus:
    return PUBLIC_STATUS[internal]


def public_alert(alert_id: int) -> PublicAlert | Unavailable | None:
    """The allow-listed view of alert ``alert_id`` (None when it is gone)."""
    from shoulian.deadlines.models import Deadline
    from shoulian.workflow.choices import DecisionKind, DecisionStatus
    from shoulian.workflow.models import Decision, FlowStep

    row = (
        Alert.objects.filter(pk=alert_id)
        .values(
            "number",
            "status",
            "received_at",
            "category__is_sensitive",
            "handling_unit__name",
            "handling_unit__phone",
            "registering_unit__name",
            "registering_unit__phone",
            "flow__case_stage",
        )
        .first()
    )
    if row is None:
        return None
    if row["category__is_sensitive"]:
        return Unavailable(number=row["number"])
    status = public_status(row["status"])
    # Until routing, the registering center answers the citizen's questions.
    unit_name = row["handling_unit__name"] or row["registering_unit__name"]
    unit_phone = row["handling_unit__phone"] or row["registering_unit__phone"] or ""
    milestones = [Milestone(label="受理报案", at=row["received_at"])]
    steps = (
        FlowStep.objects.filter(alert_id=alert_id, action__in=list(PUBLIC_STEPS))
        .order_by("at", "id")
        .values_list("action", "at", "to_unit__name")
    )
    for action, at, to_unit in steps:
        unit = (to_unit or "") if action in _STEPS_WITH_UNIT else ""
        milestones.append(Milestone(label=PUBLIC_STEPS[action], at=at, unit=unit))
    transferred_to = ""
    reconsideration = None
    if status in (PublicStatus.TRANSFERRED, PublicStatus.NOT_FILED):
        kind = (
            DecisionKind.TRANSFER_OUT
            if status == PublicStatus.TRANSFERRED
            else DecisionKind.NOT_FILE
        )
        decision = (
            Decision.objects.filter(alert_id=alert_id, kind=kind, status=DecisionStatus.APPROVED)
            .order_by("-decided_at", "-id")
            .values("authority", "notice_served_at")
            .first()
        )
        if status == PublicStatus.TRANSFERRED:
            transferred_to = (decision or {}).get("authority") or ""
        else:
            window_due, missing_year = (
                Deadline.objects.filter(
                    object_type="alert",
                    object_id=str(alert_id),
                    code="reconsideration_application",
                )
                .exclude(status="stopped")
                .values_list("due_at", "missing_year")
                .first()
            ) or (None, None)
            reconsideration = Reconsideration(
                due_at=window_due,
                served_at=(decision or {}).get("notice_served_at"),
                provisional=window_due is not None and missing_year is not None,
            )
    return PublicAlert(
        number=row["number"],
        status=status.value,
        status_label=str(status.label),
        received_at=row["received_at"],
        unit_name=unit_name,
        unit_phone=unit_phone,
        transferred_to=transferred_to,
        milestones=tuple(milestones),
        stage=PUBLIC_STAGES.get(row["flow__case_stage"] or "", ""),
        reconsideration=reconsideration,
    )


@dataclass(frozen=True)
class ViewState:
    """What the verified page depends on, read in one query: any change of it (a workflow step
    bumps the alert's version; a complaint filed or answered) makes a new page."""

    key: str
    sensitive: bool
    public_status: str


def _alert_state_sql() -> str:
    from shoulian.feedback.models import Complaint
    from shoulian.intake.models import Category

    alert, category = Alert._meta.db_table, Category._meta.db_table
    complaint = Complaint._meta.db_table
    # Table names come from the models' meta, never from input.
    return (
        f"SELECT a.version, a.updated_at, a.status, c.is_sensitive, "  # noqa: S608
        f"(SELECT COUNT(*) FROM {complaint} f WHERE f.alert_id = a.id), "
        f"(SELECT MAX(f.answered_at) FROM {complaint} f WHERE f.alert_id = a.id) "
        f"FROM {alert} a JOIN {category} c ON c.id = a.category_id WHERE a.id = %s"
    )


_ALERT_STATE_SQL: list[str] = []


def view_state(subject_type: str, subject_id: int) -> ViewState | None:
    """One plain query per look-up (it runs on every refresh of the page): the ORM would spend
    longer building this grouped statement than the database spends answering it."""
    from django.db import connection

    if subject_type == "alert":
        if not _ALERT_STATE_SQL:
            _ALERT_STATE_SQL.append(_alert_state_sql())
        with connection.cursor() as cursor:
            cursor.execute(_ALERT_STATE_SQL[0], [subject_id])
            row = cursor.fetchone()
        if row is None:
            return None
        version, updated, status, sensitive, count, answered = row
        return ViewState(
            # Only compared for equality: the driver's own text of the timestamps will do.
            key=f"{version}:{updated}:{count}:{answered}",
            sensitive=bool(sensitive),
            public_status=public_status(status).value,
        )
    from shoulian.feedback.models import Complaint

    complaint = Complaint.objects.filter(pk=subject_id).values_list("status", "answered_at").first()
    if complaint is None:
        return None
    status, answered = complaint
    return ViewState(key=f"{status}:{answered}", sensitive=False, public_status=status)


def public_complaints(alert_id: int) -> list[Any]:
    from shoulian.feedback.selectors import public_complaints_for_alert

    # A bare instance: the feedback selector filters by the key, no need to load the alert again.
    return list(public_complaints_for_alert(Alert(pk=alert_id)))


def public_complaint(complaint_id: int) -> Any:
    from shoulian.feedback.models import Complaint
    from shoulian.feedback.selectors import public_complaint as build

    complaint = Complaint.objects.filter(pk=complaint_id).first()
    return build(complaint) if complaint is not None else None


def kiosk_for_device(kiosk_id: int, epoch: int) -> Kiosk | None:
    """The enrolled, enabled kiosk a device cookie names; None once disabled or re-enrolled."""
    return (
        Kiosk.objects.select_related("unit")
        .filter(pk=kiosk_id, epoch=epoch, enabled=True, enrolled_at__isnull=False)
        .first()
    )


def kiosks_for(user: Any) -> list[Kiosk]:
    return list(Kiosk.objects.visible_to(user).select_related("unit").order_by("unit", "name"))


def today() -> dt.date:
    return timezone.localdate()
