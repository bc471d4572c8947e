"""Findings a person raises (人工巡查发现): a reviewer at one of the three levels looks at an alert
and finds a problem, either one a patrol rule names (cited with its rule) or one no rule covers (a
free finding, with the reviewer's level). Once raised it is a finding like any other: pushed to
the unit, rectified up the review chain to 销号, escalated when late.

Supervision knows nothing of who calls this (the review app, above it): the caller names the
object the finding stands for (``subject_type``/``subject_id``, e.g. its own review record), which
is the deduplication key with the rule code, so a repeated call returns the same finding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.deadlines.versions import legal_date
from shoulian.intake.models import Alert
from shoulian.supervision import hooks, recipients, registry, versions
from shoulian.supervision.choices import (
    MANUAL_RULE_CODE,
    FindingKind,
    FindingSource,
    Level,
)
from shoulian.supervision.models import Finding
from shoulian.supervision.services.findings import _tell_new, rectification_due
from shoulian.supervision.workflow import FindingDenied
from shoulian.workflow.models import AlertFlow

# The three levels of review (DOMAIN §2): the station's legal officer at source, the center's head
# on patrol, the legal brigade guiding. Nobody else raises a finding by hand.
RAISER_ROLES = frozenset({Role.LEGAL_OFFICER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE})
SUMMARY_MAX = 300
NOTE_MAX = 4000


def manual_rule_choices() -> list[tuple[str, str]]:
    """The rules a reviewer may cite: every registered rule that opens findings about alerts
    (not warnings, not the escalation of other findings)."""
    return [
        (code, d.name)
        for code, d in registry.REGISTRY.items()
        if d.kind == FindingKind.FINDING and not d.escalates
    ]


def _refuse(actor: Any, alert: Alert, code: str, message: str) -> None:
    deny(
        actor,
        action="finding_raise",
        obj=alert,
        code=code,
        event_type=EventType.SUPERVISION_REFUSED,
        error=FindingDenied(message, code),
    )


def finding_raise(
    *,
    actor: Any,
    alert: Alert,
    summary: str,
    subject_type: str,
    subject_id: int | str,
    rule_code: str | None = None,
    level: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Finding:
    """Raise a reviewer's finding on ``alert``: citing ``rule_code`` (its level unless ``level``
    says otherwise), or free (``rule_code`` None, ``level`` required). Runs in the caller's
    transaction; refusals are journalled (U1) and raise ``FindingDenied`` / ``ValidationError``."""
    moment = now or timezone.now()
    roles = set(getattr(actor, "role_set", ()) or ())
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        _refuse(actor, alert, "anonymous", "请先登录。")
    if not roles & RAISER_ROLES:
        _refuse(
            actor, alert, "role", "只有所队法制员、受立案中心负责人和法制大队可以提出巡查发现。"
        )
    if actor.is_auxiliary:
        _refuse(actor, alert, "auxiliary", "辅警不能提出巡查发现。")
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        _refuse(actor, alert, "not_found", "警情不存在。")

    errors: dict[str, str] = {}
    text = str(summary or "").strip()
    if not text:
        errors["summary"] = "请写明发现的问题。"
    elif len(text) > SUMMARY_MAX:
        errors["summary"] = f"问题不超过 {SUMMARY_MAX} 字。"
    code = rule_code or MANUAL_RULE_CODE
    if rule_code is not None and rule_code not in dict(manual_rule_choices()):
        errors["rule_code"] = "请选择有效的巡查规则。"
    if level is not None and level not in Level.values:
        errors["level"] = "请选择等级。"
    if rule_code is None and level is None:
        errors["level"] = "自由发现须选择等级。"
    if errors:
        raise ValidationError(errors)

    bureau = alert.registering_unit.bureau()
    rule = versions.in_force(code, bureau.pk, legal_date(moment))
    if rule is None:
        raise ValidationError({"rule_code": "该规则当前没有生效的版本。"})

    with transaction.atomic():
        existing = (
            Finding.objects.select_for_update()
            .filter(rule_code=code, subject_type=subject_type, subject_id=str(subject_id))
            .first()
        )
        if existing is not None:
            return existing
        chosen = level or rule.level
        officer_id = (
            AlertFlow.objects.filter(alert=alert)
            .values_list("handling_officer_id", flat=True)
            .first()
        )
        finding = Finding.objects.create(
            rule_code=code,
            rule=rule,
            kind=FindingKind.FINDING,
            source=FindingSource.MANUAL,
            subject_type=subject_type,
            subject_id=str(subject_id),
            alert=alert,
            bureau=bureau,
            unit_id=alert.handling_unit_id or alert.registering_unit_id,
            officer_id=officer_id,
            base_level=chosen,
            level=chosen,
            summary=f"警情 {alert.number}：{text}"[:SUMMARY_MAX],
            note=str(note or "").strip()[:NOTE_MAX],
            evidence={"number": alert.number, "raised_by": actor.pk, "free": rule_code is None},
            opened_at=moment,
            last_seen_at=moment,
            due_at=rectification_due(moment, rule.rectify_days),
        )
        finding = Finding.objects.select_related("unit", "bureau", "officer", "rule").get(
            pk=finding.pk
        )
        record(
            EventType.FINDING_OPENED,
            obj=finding,
            actor=actor,
            data={
                "rule": code,
                "rule_version": rule.version,
                "kind": FindingKind.FINDING,
                "source": FindingSource.MANUAL,
                "level": chosen,
                "subject": [subject_type, str(subject_id)],
                "alert": alert.number,
                "unit": finding.unit.code,
                "due_at": finding.due_at.isoformat() if finding.due_at else None,
            },
        )
        _tell_new(finding, list(rule.recipients), recipients.Directory(), moment)
        hooks.dispatch([finding.pk])
    return finding
