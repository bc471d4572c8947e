"""Writes to the organisation. Each is atomic and journalled in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.core import policy
from shoulian.core.scoping import ScopeDomain, covers, scope_root
from shoulian.org.choices import ALLOWED_CHILDREN, UnitKind
from shoulian.org.models import Area, Place, Unit, unit_code_validator
from shoulian.org.selectors import bureau_of, places_memo


def _require_admin(actor: Any, unit: Unit | None) -> None:
    if actor is None:  # management commands (seed, bootstrap) act as the system
        return
    in_scope = (
        scope_root(actor, ScopeDomain.ORG) is not None
        if unit is None
        else covers(actor, unit, ScopeDomain.ORG)
    )
    # Which role administers the unit tree is accounts' policy (三员分立), registered there.
    allowed = policy.allows(actor, Unit, "administer") and in_scope
    if not allowed:
        deny(actor, action="administer_units", obj=unit, message=_("无权管理该单位。"))


def _validate_parent(kind: str, parent: Unit | None) -> None:
    if parent is None:
        if kind != UnitKind.CITY_BUREAU:
            raise ValidationError({"parent": _("只有市局可以没有上级单位。")})
        return
    allowed = ALLOWED_CHILDREN.get(parent.kind, set())
    if kind not in allowed:
        raise ValidationError(
            {
                "parent": _("%(parent_kind)s下不能设立%(kind)s。")
                % {"parent_kind": parent.get_kind_display(), "kind": UnitKind(kind).label}
            }
        )


def unit_create(
    *,
    actor: Any,
    parent: Unit | None,
    code: str,
    name: str,
    kind: str,
    short_name: str = "",
    phone: str = "",
    address: str = "",
    demo: bool = False,
    sort_order: int = 0,
) -> Unit:
    if parent is None and actor is not None:
        raise PermissionDenied(_("只能在本局范围内新建单位。"))
    _require_admin(actor, parent)
    code = code.strip().upper()
    unit_code_validator(code)
    _validate_parent(kind, parent)
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("单位代码已存在。")})
    if Unit.objects.filter(parent=parent, name=name.strip()).exists():
        raise ValidationError({"name": _("同一上级单位下已有同名单位。")})
    with transaction.atomic():
        unit = Unit.objects.create(
            parent=parent,
            code=code,
            name=name.strip(),
            short_name=short_name.strip(),
            kind=kind,
            phone=phone.strip(),
            address=address.strip(),
            is_demo=demo or bool(parent and parent.is_demo),
            depth=(parent.depth + 1) if parent else 0,
            path="",
            sort_order=sort_order,
        )
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        Unit.objects.filter(pk=unit.pk).update(path=unit.path)
        record(
            EventType.UNIT_CREATED,
            obj=unit,
            actor=actor,
            data={
                "code": code,
                "name": unit.name,
                "kind": kind,
                "parent": parent.code if parent else None,
            },
        )
    return unit


def unit_update(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    short_name: str,
    phone: str,
    address: str,
    is_active: bool,
) -> Unit:
    """Renaming and contact details; moving a unit in the tree is not offered (it would silently
    change who sees which historic cases)."""
    _require_admin(actor, unit)
    name = name.strip()
    if Unit.objects.filter(parent=unit.parent, name=name).exclude(pk=unit.pk).exists():
        raise ValidationError({"name": _("同一上级单位下已有同名单位。")})
    if not is_active and unit.staff.filter(is_active=True).exists():
        raise ValidationError({"is_active": _("该单位仍有在岗用户，请先调整或停用这些用户。")})
    fields = {
        "name": name,
        "short_name": short_name.strip(),
        "phone": phone.strip(),
        "address": address.strip(),
        "is_active": is_active,
    }
    changed = {
        k: {"from": getattr(unit, k), "to": v} for k, v in fields.items() if getattr(unit, k) != v
    }
    with transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(**fields)
        record(EventType.UNIT_UPDATED, obj=unit, actor=actor, data={"changed": changed})
    unit.refresh_from_db()
    return unit


def _clean_places(places: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for raw in places:
        name = raw.strip()
        if name and name not in seen:
            if len(name) > 60:
                raise ValidationError({"places": _("地名过长：%(name)s…") % {"name": name[:20]}})
            seen.append(name)
    return seen


def _check_place_conflicts(station: Unit, names: list[str], area: Area | None) -> None:
    """A place name must point to one area in a bureau, or routing suggestions would be a guess."""
    bureau = bureau_of(station)
    clash = (
        Place.objects.filter(area__station__path__startswith=bureau.path, name__in=names)
        .exclude(area=area)
        .select_related("area")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "places": _("地名“%(name)s”已属于辖区“%(area)s”。")
                % {"name": clash.name, "area": clash.area.name}
            }
        )


def area_create(
    *, actor: Any, station: Unit, name: str, description: str = "", places: Iterable[str] = ()
) -> Area:
    _require_admin(actor, station)
    if station.kind != UnitKind.STATION:
        raise ValidationError({"station": _("辖区只能属于派出所。")})
    names = _clean_places(places)
    _check_place_conflicts(station, names, None)
    if Area.objects.filter(station=station, name=name.strip()).exists():
        raise ValidationError({"name": _("该派出所已有同名辖区。")})
    with transaction.atomic():
        area = Area.objects.create(
            station=station, name=name.strip(), description=description.strip()
        )
        Place.objects.bulk_create([Place(area=area, name=n) for n in names])
        record(
            EventType.AREA_CREATED,
            obj=area,
            actor=actor,
            data={"station": station.code, "name": area.name, "places": names},
        )
        transaction.on_commit(places_memo.clear)
    return area


def area_update(
    *, actor: Any, area: Area, name: str, description: str, places: Iterable[str], is_active: bool
) -> Area:
    _require_admin(actor, area.station)
    names = _clean_places(places)
    _check_place_conflicts(area.station, names, area)
    if Area.objects.filter(station=area.station, name=name.strip()).exclude(pk=area.pk).exists():
        raise ValidationError({"name": _("该派出所已有同名辖区。")})
    old_places = set(area.places.values_list("name", flat=True))
    with transaction.atomic():
        Area.objects.filter(pk=area.pk).update(
            name=name.strip(), description=description.strip(), is_active=is_active
        )
        Place.objects.filter(area=area).exclude(name__in=names).delete()
        Place.objects.bulk_create([Place(area=area, name=n) for n in names if n not in old_places])
        record(
            EventType.AREA_UPDATED,
            obj=area,
            actor=actor,
            data={
                "name": name.strip(),
                "is_active": is_active,
                "places_added": sorted(set(names) - old_places),
                "places_removed": sorted(old_places - set(names)),
            },
        )
        transaction.on_commit(places_memo.clear)
    area.refresh_from_db()
    return area
