"""The legal brigade's revisions of deadline rules. A revision is a new version (history kept);
running deadlines it covers are recomputed in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.deadlines import versions
from shoulian.deadlines.choices import APPROVER_ROLES, NODE_EVENTS, DurationUnit
from shoulian.deadlines.models import DeadlineRule
from shoulian.deadlines.services.deadlines import deadlines_recompute
from shoulian.org.models import Unit

# The fields a revision may change; code, bureau and version are the rule's identity.
RULE_FIELDS = (
    "name",
    "description",
    "length_value",
    "length_unit",
    "start_event",
    "stop_event",
    "pause_event",
    "resume_event",
    "extension_length",
    "extension_cap",
    "extension_unit",
    "extension_approver_role",
    "moves_on_holiday",
    "source_law",
    "source_article",
    "effective_from",
    "is_active",
)

MAX_LENGTH = {
    DurationUnit.HOURS: 24 * 366,
    DurationUnit.DAYS: 366,
    DurationUnit.WORKING_DAYS: 250,
    DurationUnit.MONTHS: 120,
}


def _validated(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    data = dict(fields)
    for key in ("name", "description", "source_law", "source_article"):
        data[key] = str(data.get(key, "")).strip()
    for key in ("start_event", "stop_event", "pause_event", "resume_event"):
        data[key] = str(data.get(key) or "").strip()
    if not data["name"]:
        errors["name"] = _("请填写名称。")
    if not data["source_law"]:
        errors["source_law"] = _("每条规则都要写明法律依据。")
    unit = data.get("length_unit")
    if unit not in DurationUnit.values:
        errors["length_unit"] = _("请选择期限单位。")
    else:
        limit = MAX_LENGTH[DurationUnit(unit)]
        for key in ("length_value", "extension_length", "extension_cap"):
            value = data.get(key)
            if not isinstance(value, int) or not 0 <= value <= limit:
                errors[key] = _("应为 0–%(limit)s 的整数。") % {"limit": limit}
        extension_unit = str(data.get("extension_unit") or "")
        data["extension_unit"] = "" if extension_unit == unit else extension_unit
        if extension_unit and extension_unit not in DurationUnit.values:
            errors["extension_unit"] = _("请选择延长单位。")
        if unit == DurationUnit.HOURS and data.get("moves_on_holiday"):
            errors["moves_on_holiday"] = _("以小时计算的期间不因节假日顺延。")
    for key in ("start_event", "stop_event"):
        if data[key] not in NODE_EVENTS:
            errors[key] = _("请选择已登记的节点事件。")
    if data["start_event"] and data["start_event"] == data["stop_event"]:
        errors["stop_event"] = _("终止事件不能与起算事件相同。")
    if bool(data["pause_event"]) != bool(data["resume_event"]):
        errors["resume_event"] = _("中止事件与恢复事件须同时填写或同时留空。")
    for key in ("pause_event", "resume_event"):
        if data[key] and data[key] not in NODE_EVENTS:
            errors[key] = _("请选择已登记的节点事件。")
    cap, step = data.get("extension_cap"), data.get("extension_length")
    role = data.get("extension_approver_role") or ""
    if isinstance(cap, int) and isinstance(step, int) and "extension_cap" not in errors:
        if cap == 0:
            data["extension_length"], role = 0, ""
        elif step < 1 or step > cap:
            errors["extension_length"] = _("每次延长应在 1 与累计上限之间。")
        elif role not in APPROVER_ROLES:
            errors["extension_approver_role"] = _("可延长的期限须指定审批角色。")
    data["extension_approver_role"] = role
    if not isinstance(data.get("effective_from"), dt.date):
        errors["effective_from"] = _("请填写生效日期。")
    data["moves_on_holiday"] = bool(data.get("moves_on_holiday"))
    data["is_active"] = bool(data.get("is_active", True))
    if errors:
        raise ValidationError(errors)
    return data


def _changes(before: DeadlineRule | None, data: dict[str, Any]) -> dict[str, Any]:
    if before is None:
        return {k: {"from": None, "to": data[k]} for k in RULE_FIELDS}
    return {
        k: {"from": getattr(before, k), "to": data[k]}
        for k in RULE_FIELDS
        if getattr(before, k) != data[k]
    }


def rule_revise(*, actor: Any, code: str, change_reason: str, **fields: Any) -> DeadlineRule:
    """Write a new version of ``code`` for the actor's bureau (the legal brigade's own version;
    ``actor=None`` writes a national default, as data migrations do).

    ``fields`` are the RULE_FIELDS; running deadlines whose start date the new version covers are
    recomputed at once."""
    bureau: Unit | None = None
    if actor is not None:
        if not actor.has_role(Role.LEGAL_BRIGADE) or actor.unit is None:
            deny(
                actor,
                action="deadline_rule_revise",
                obj=("deadline_rule", code),
                message=_("只有法制大队可以修订期限规则。"),
            )
        bureau_id = versions.bureau_id_of(actor.unit)
        if bureau_id is None:
            deny(
                actor,
                action="deadline_rule_revise",
                obj=("deadline_rule", code),
                message=_("期限规则按分局修订，您的单位不属于任何分局。"),
            )
        bureau = Unit.objects.get(pk=bureau_id)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    if not versions.chain(code, None).exists():
        raise ValidationError({"code": _("未知的期限规则：%(code)s") % {"code": code}})
    change_reason = change_reason.strip()
    if not change_reason:
        raise ValidationError({"change_reason": _("请写明修订理由（如新法施行、条文修订）。")})
    data = _validated(fields)
    bureau_id = bureau.pk if bureau else None
    previous = versions.pick(list(versions.chain(code, bureau_id)), data["effective_from"])
    changes = _changes(previous, data)
    if previous is not None and not set(changes) - {"effective_from"}:
        raise ValidationError(_("与现行版本相同，无需修订。"))
    with transaction.atomic():
        try:
            rule = DeadlineRule.objects.create(
                code=code,
                bureau=bureau,
                version=versions.next_version_number(code, bureau_id),
                change_reason=change_reason[:300],
                created_by=actor,
                **{k: data[k] for k in RULE_FIELDS},
            )
        except IntegrityError:
            # Another revision of the same rule took this version number first; this one was
            # based on the version before it and must be looked at again.
            raise ValidationError(
                _("该规则刚刚被其他人修订，请刷新页面，在最新版本的基础上重新修订。")
            ) from None
        recomputed = deadlines_recompute(
            actor=actor,
            reason=f"期限规则 {code} 修订为第{rule.version}版",
            code=code,
            bureau=bureau,
        )
        record(
            EventType.DEADLINE_RULE_REVISED,
            obj=rule,
            actor=actor,
            data={
                "code": code,
                "version": rule.version,
                "bureau": bureau.code if bureau else None,
                "previous": previous.pk if previous else None,
                "changes": changes,
                "reason": change_reason[:300],
                "recomputed": recomputed,
            },
        )
    return rule
