"""The classification standard as data: seeding the shipped standard and the administrator's
changes, each journalled."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.intake.models import Category
from shoulian.intake.standard import STANDARD


def category_seed_standard() -> int:
    """Create the categories of the shipped standard that are missing; returns how many."""
    created = 0
    for order, group in enumerate(STANDARD):
        parent, made = Category.objects.get_or_create(
            code=group.code,
            defaults={
                "name": group.group.label,
                "group": group.group,
                "is_case_type": False,
                "sort_order": order,
            },
        )
        created += int(made)
        for leaf_order, leaf in enumerate(group.leaves):
            _, made = Category.objects.get_or_create(
                code=leaf.code,
                defaults={
                    "parent": parent,
                    "name": leaf.name,
                    "group": group.group,
                    "is_case_type": leaf.case,
                    "requires_legal_review": leaf.review,
                    "is_sensitive": leaf.sensitive,
                    "sort_order": leaf_order,
                },
            )
            created += int(made)
    return created


def _require_admin(actor: Any) -> None:
    if actor is None or not actor.has_role(Role.ADMIN):
        deny(actor, action="configure_categories")


def category_create(
    *,
    actor: Any,
    parent: Category,
    code: str,
    name: str,
    is_case_type: bool,
    requires_legal_review: bool = False,
    is_sensitive: bool = False,
) -> Category:
    _require_admin(actor)
    code = code.strip()
    if not code.isdigit() or not code.startswith(parent.code) or len(code) != len(parent.code) + 2:
        raise ValidationError({"code": f"类别代码应为上级代码 {parent.code} 后加两位数字。"})
    if parent.parent_id is not None:
        raise ValidationError({"parent": "类别只能设在大类之下（两级分类）。"})
    if Category.objects.filter(code=code).exists():
        raise ValidationError({"code": "类别代码已存在。"})
    with transaction.atomic():
        category = Category.objects.create(
            parent=parent,
            code=code,
            name=name.strip(),
            group=parent.group,
            is_case_type=is_case_type,
            requires_legal_review=requires_legal_review,
            is_sensitive=is_sensitive,
            sort_order=parent.children.count(),
        )
        record(
            EventType.CATEGORY_CREATED,
            obj=category,
            actor=actor,
            data={"code": code, "name": category.name, "is_case_type": is_case_type},
        )
    return category


def category_update(
    *,
    actor: Any,
    category: Category,
    name: str,
    is_case_type: bool,
    requires_legal_review: bool,
    is_sensitive: bool,
    is_active: bool,
) -> Category:
    _require_admin(actor)
    before = {
        "name": category.name,
        "is_case_type": category.is_case_type,
        "requires_legal_review": category.requires_legal_review,
        "is_sensitive": category.is_sensitive,
        "is_active": category.is_active,
    }
    after = {
        "name": name.strip(),
        "is_case_type": is_case_type,
        "requires_legal_review": requires_legal_review,
        "is_sensitive": is_sensitive,
        "is_active": is_active,
    }
    changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not changed:
        return category
    with transaction.atomic():
        Category.objects.filter(pk=category.pk).update(**after)
        retired: list[str] = []
        if category.parent_id is None and not is_active:
            # Retiring a group retires its categories: no alert can be filed under it.
            children = Category.objects.filter(parent=category, is_active=True)
            retired = list(children.values_list("code", flat=True))
            children.update(is_active=False)
        record(
            EventType.CATEGORY_UPDATED,
            obj=category,
            actor=actor,
            data={"changed": changed, "retired_children": retired},
        )
    category.refresh_from_db()
    return category
