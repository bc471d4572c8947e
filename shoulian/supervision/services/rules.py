"""The legal brigade's revisions of patrol-rule settings. A revision is a new version for the
brigade's bureau (history kept); the next evaluation uses it, and switching a rule off closes its
active findings with that reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.deadlines.versions import bureau_id_of
from shoulian.org.models import Unit
from shoulian.supervision import registry, versions
from shoulian.supervision.choices import Level, Recipient, ReviewRole
from shoulian.supervision.models import PatrolRule

RULE_FIELDS = (
    "name",
    "level",
    "params",
    "recipients",
    "review_chain",
    "rectify_days",
    "is_active",
    "effective_from",
)


def _deny(actor: Any, code: str, message: str) -> PermissionDenied:
    with transaction.atomic():
        record(
            EventType.SUPERVISION_REFUSED,
            obj=("patrol_rule", code),
            outcome=Outcome.DENIED,
            actor=actor,
            data={"action": "patrol_rule_revise", "code": "role"},
        )
    return PermissionDenied(message)


def _validated(defn: registry.RuleDef, fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    data = dict(fields)
    data["name"] = str(data.get("name", "")).strip()[:80]
    if not data["name"]:
        errors["name"] = "请填写名称。"
    if data.get("level") not in Level.values:
        errors["level"] = "请选择等级。"
    params = {}
    for p in defn.params:
        value = (data.get("params") or {}).get(p.name, p.default)
        if not isinstance(value, int) or not p.minimum <= value <= p.maximum:
            errors[f"param_{p.name}"] = f"应为 {p.minimum}–{p.maximum} 的整数。"
        params[p.name] = value
    data["params"] = params
    recipients = [r for r in data.get("recipients") or [] if r in Recipient.values]
    data["recipients"] = list(dict.fromkeys(recipients))
    chain = [r for r in data.get("review_chain") or [] if r in ReviewRole.values]
    data["review_chain"] = list(dict.fromkeys(chain))
    days = data.get("rectify_days")
    if not isinstance(days, int) or not 0 <= days <= 90:
        errors["rectify_days"] = "整改期限应为 0–90 日。"
    if defn.kind == "finding" and not defn.escalates:
        if not data["recipients"]:
            errors["recipients"] = "巡查发现至少推送给一类人员。"
        if not data["review_chain"]:
            errors["review_chain"] = "整改至少经过一级审核。"
        if isinstance(days, int) and days < 1:
            errors["rectify_days"] = "整改期限至少 1 日。"
    if not isinstance(data.get("effective_from"), dt.date):
        errors["effective_from"] = "请填写生效日期。"
    data["is_active"] = bool(data.get("is_active", True))
    if errors:
        raise ValidationError(errors)
    return data


def patrol_rule_revise(*, actor: Any, code: str, change_reason: str, **fields: Any) -> PatrolRule:
    """A new version of ``code``'s settings for the actor's bureau (the legal brigade)."""
    if actor is None or not actor.has_role(Role.LEGAL_BRIGADE) or actor.unit is None:
        raise _deny(actor, code, "只有法制大队可以修订巡查规则。")
    bureau_id = bureau_id_of(actor.unit)
    if bureau_id is None:
        raise _deny(actor, code, "巡查规则按分局修订，您的单位不属于任何分局。")
    if code not in registry.REGISTRY:
        raise ValidationError({"code": f"未知的巡查规则：{code}"})
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    change_reason = change_reason.strip()
    if not change_reason:
        raise ValidationError({"change_reason": "请写明修订理由。"})
    data = _validated(registry.get(code), fields)
    previous = versions.pick(list(versions.chain(code, bureau_id)), data["effective_from"])
    changes = {
        k: {"from": getattr(previous, k) if previous else None, "to": data[k]}
        for k in RULE_FIELDS
        if previous is None or getattr(previous, k) != data[k]
    }
    if previous is not None and not set(changes) - {"effective_from"}:
        raise ValidationError("与现行版本相同，无需修订。")
    bureau = Unit.objects.get(pk=bureau_id)
    try:
        with transaction.atomic():
            rule = PatrolRule.objects.create(
                code=code,
                bureau=bureau,
                version=versions.next_version_number(code, bureau_id),
                change_reason=change_reason[:300],
                created_by=actor,
                **{k: data[k] for k in RULE_FIELDS},
            )
            record(
                EventType.PATROL_RULE_REVISED,
                obj=("patrol_rule", rule.pk),
                actor=actor,
                data={
                    "code": code,
                    "version": rule.version,
                    "bureau": bureau.code,
                    "previous": previous.pk if previous else None,
                    "changes": {
                        k: {"from": _plain(v["from"]), "to": _plain(v["to"])}
                        for k, v in changes.items()
                    },
                    "reason": change_reason[:300],
                },
            )
    except IntegrityError:
        raise ValidationError(
            "该规则刚刚被其他人修订，请刷新页面，在最新版本的基础上重新修订。"
        ) from None
    return rule


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
