"""The classification standard as data: seeding the shipped standard, the administrator's changes
to the tree (codes, names, 敏感, in use or not) and the legal brigade's versions of each category's
legal classification (涉案类, 决定前须法制审核), each journalled. 三员分立: neither may do the
other's part."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.core.versioning import pick
from shoulian.intake.models import Category, CategoryFlagVersion
from shoulian.intake.standard import STANDARD

FLAG_FIELDS = ("is_case_type", "requires_legal_review")


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
    is_sensitive: bool = False,
) -> Category:
    """A new category under a group. It starts as not case-type and without the legal review;
    the legal brigade classifies it (``category_flags_revise``)."""
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
            is_case_type=False,
            requires_legal_review=False,
            is_sensitive=is_sensitive,
            sort_order=parent.children.count(),
        )
        record(
            EventType.CATEGORY_CREATED,
            obj=category,
            actor=actor,
            data={"code": code, "name": category.name},
        )
    return category


def category_update(
    *,
    actor: Any,
    category: Category,
    name: str,
    is_sensitive: bool,
    is_active: bool,
) -> Category:
    """The administrator's part of a category: its name, 敏感 and whether it is in use."""
    _require_admin(actor)
    before = {
        "name": category.name,
        "is_sensitive": category.is_sensitive,
        "is_active": category.is_active,
    }
    after = {
        "name": name.strip(),
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


# --- the legal brigade's classification ---------------------------------------------------------
def flag_versions(category: Category) -> list[CategoryFlagVersion]:
    return list(
        CategoryFlagVersion.objects.filter(category=category)
        .select_related("created_by")
        .order_by("effective_from", "id")
    )


def flags_in_force(category: Category, on: dt.date) -> dict[str, bool]:
    """The classification in force on ``on``: the latest version begun by then, else the shipped
    standard's (kept on the category until a first version takes effect)."""
    version = pick(flag_versions(category), on)
    source: Any = version if version is not None else category
    return {f: bool(getattr(source, f)) for f in FLAG_FIELDS}


def _apply(category: Category, flags: dict[str, bool], *, actor: Any, version: Any) -> bool:
    """Copy the version in force onto the category (what every reader uses); True if it changed."""
    current = {f: getattr(category, f) for f in FLAG_FIELDS}
    if current == flags:
        return False
    Category.objects.filter(pk=category.pk).update(**flags)
    record(
        EventType.CATEGORY_FLAGS_APPLIED,
        obj=category,
        actor=actor,
        data={"code": category.code, "version": version.version, "from": current, "to": flags},
    )
    return True


def category_flags_revise(
    *,
    actor: Any,
    category: Category,
    is_case_type: bool,
    requires_legal_review: bool,
    effective_from: dt.date,
    change_reason: str,
) -> CategoryFlagVersion:
    """A new version of a category's legal classification, by the legal brigade (2015 意见: the
    legal brigade guides on the nature of cases). It takes effect on ``effective_from`` (today or
    later: an alert keeps the classification it was registered under)."""
    if (
        actor is None
        or not actor.has_role(Role.LEGAL_BRIGADE)
        or getattr(actor, "is_auxiliary", False)
    ):
        deny(
            actor,
            action="revise_category_flags",
            obj=category,
            message="只有法制大队民警可以修订警情类别的法律属性。",
        )
    if category.parent_id is None:
        raise ValidationError("大类没有法律属性，请修订其下的具体类别。")
    today = timezone.localdate()
    if effective_from < today:
        raise ValidationError(
            {"effective_from": "生效日期不能早于今天：已登记的警情按登记时的分类办理。"}
        )
    change_reason = change_reason.strip()
    if not change_reason:
        raise ValidationError({"change_reason": "请写明修订理由（如法律、司法解释或上级规定）。"})
    flags = {"is_case_type": is_case_type, "requires_legal_review": requires_legal_review}
    before = flags_in_force(category, effective_from)
    if before == flags:
        raise ValidationError("与该日现行的分类相同，无需修订。")
    with transaction.atomic():
        number = (
            CategoryFlagVersion.objects.filter(category=category).aggregate(n=Max("version"))["n"]
            or 0
        ) + 1
        try:
            with transaction.atomic():
                version = CategoryFlagVersion.objects.create(
                    category=category,
                    version=number,
                    effective_from=effective_from,
                    change_reason=change_reason[:300],
                    created_by=actor,
                    **flags,
                )
        except IntegrityError:
            raise ValidationError(
                "该类别刚刚被其他人修订，请刷新页面后在最新版本的基础上修订。"
            ) from None
        record(
            EventType.CATEGORY_FLAGS_REVISED,
            obj=category,
            actor=actor,
            data={
                "code": category.code,
                "version": number,
                "effective_from": effective_from,
                "from": before,
                "to": flags,
                "reason": change_reason[:300],
            },
        )
        if effective_from <= today:
            _apply(category, flags_in_force(category, today), actor=actor, version=version)
    return version


def category_flags_apply(*, today: dt.date | None = None) -> int:
    """Bring every category with versions to the one in force today (the daily job: a version
    dated later takes effect on its day). Returns how many changed."""
    today = today or timezone.localdate()
    changed = 0
    ids = CategoryFlagVersion.objects.values_list("category_id", flat=True).distinct()
    for category in Category.objects.filter(pk__in=ids):
        version = pick(flag_versions(category), today)
        if version is None:
            continue
        with transaction.atomic():
            flags = {f: getattr(version, f) for f in FLAG_FIELDS}
            changed += int(_apply(category, flags, actor=None, version=version))
    return changed
