"""Routing rules (category × jurisdiction area → unit) and the suggestion the center sees.

A rule names a category (a leaf of the standard, or a whole group), an area, or both; empty means
"any". The most specific active rule of the alert's bureau wins; without a rule the suggestion is
the 派出所 of the jurisdiction the incident place lies in (intake computed it at registration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.intake.models import Category
from shoulian.org.models import Area, Unit
from shoulian.org.selectors import bureau_of
from shoulian.workflow.choices import HANDLING_UNIT_KINDS
from shoulian.workflow.models import RoutingRule


@dataclass(frozen=True)
class Suggestion:
    unit: Unit | None
    rule: RoutingRule | None
    basis: str


def _specificity(rule: RoutingRule, alert: Any) -> tuple[int, int, int]:
    if rule.category_id is None:
        category = 0
    elif rule.category_id == alert.category_id:
        category = 2
    else:
        category = 1
    return (category, 1 if rule.area_id else 0, rule.priority)


def matching_rules(alert: Any, *, bureau: Unit) -> list[RoutingRule]:
    categories = [alert.category_id]
    if alert.category.parent_id:
        categories.append(alert.category.parent_id)
    rules = [
        r
        for r in RoutingRule.objects.filter(bureau=bureau, is_active=True, unit__is_active=True)
        .select_related("unit", "category", "area")
        .order_by("id")
        if (r.category_id is None or r.category_id in categories)
        and (r.area_id is None or r.area_id == alert.jurisdiction_area_id)
    ]
    return sorted(rules, key=lambda r: _specificity(r, alert), reverse=True)


def suggest(alert: Any, *, bureau: Unit | None = None) -> Suggestion:
    bureau = bureau or bureau_of(alert.registering_unit)
    rules = matching_rules(alert, bureau=bureau)
    if rules:
        rule = rules[0]
        parts = [rule.category.name if rule.category else "任意类别"]
        parts.append(rule.area.name if rule.area else "任意辖区")
        return Suggestion(rule.unit, rule, f"分派规则：{' × '.join(parts)} → {rule.unit.name}")
    station = alert.jurisdiction_station
    if station is not None and station.is_active:
        area = alert.jurisdiction_area
        where = f"（{area.name}）" if area is not None else ""
        return Suggestion(station, None, f"发案地点所在辖区{where}")
    return Suggestion(None, None, "发案地点不在任何辖区内，请人工分派")


# --- rules as data: the center head keeps them ---------------------------------------------------
def _require_center_head(actor: Any, bureau: Unit) -> None:
    if (
        actor is None
        or not actor.has_role(Role.CENTER_HEAD)
        or actor.is_auxiliary
        or actor.unit is None
        or bureau_of(actor.unit).pk != bureau.pk
    ):
        deny(
            actor,
            action="routing_rule",
            code="role",
            event_type=EventType.WORKFLOW_REFUSED,
            message="只有本局受立案中心负责人可以维护分派规则。",
        )


def routing_rule_create(
    *,
    actor: Any,
    bureau: Unit,
    unit: Unit,
    category: Category | None = None,
    area: Area | None = None,
    priority: int = 0,
    note: str = "",
) -> RoutingRule:
    _require_center_head(actor, bureau)
    errors = {}
    if (
        unit.kind not in HANDLING_UNIT_KINDS
        or not unit.is_active
        or not unit.path.startswith(bureau.path)
    ):
        errors["unit"] = "分派单位须为本局在用的派出所或办案队。"
    if area is not None and not area.station.path.startswith(bureau.path):
        errors["area"] = "辖区须属于本局。"
    if category is None and area is None:
        errors["category"] = "类别和辖区至少指定一项（否则请依辖区自动建议）。"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rule = RoutingRule.objects.create(
                bureau=bureau,
                unit=unit,
                category=category,
                area=area,
                priority=priority,
                note=note.strip()[:200],
                created_by=actor,
            )
            record(
                EventType.ROUTING_RULE_SAVED,
                obj=rule,
                actor=actor,
                data={
                    "category": category.code if category else None,
                    "area": area.pk if area else None,
                    "unit": unit.code,
                    "priority": priority,
                    "active": True,
                },
            )
    except IntegrityError as exc:
        raise ValidationError("已有相同类别、辖区和优先级的启用规则。") from exc
    return rule


def routing_rule_set_active(*, actor: Any, rule: RoutingRule, active: bool) -> RoutingRule:
    _require_center_head(actor, rule.bureau)
    if rule.is_active == active:
        return rule
    try:
        with transaction.atomic():
            RoutingRule.objects.filter(pk=rule.pk).update(is_active=active)
            record(
                EventType.ROUTING_RULE_SAVED,
                obj=rule,
                actor=actor,
                data={"changed": {"status": [rule.is_active, active]}, "active": active},
            )
    except IntegrityError as exc:
        raise ValidationError("已有相同类别、辖区和优先级的启用规则。") from exc
    rule.is_active = active
    return rule
