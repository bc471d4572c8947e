"""Reads of the organisation, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from shoulian.core.memo import TTLMemo
from shoulian.core.scoping import ScopeDomain, scope_root
from shoulian.org.choices import UnitKind
from shoulian.org.models import Area, Place, Unit

# Every registration and every SMS names the bureau. A moved unit has a new path and so a new
# entry; a renamed bureau shows within a minute in every process.
_bureaus: TTLMemo[Unit] = TTLMemo(60)


def bureau_of(unit: Unit) -> Unit:
    """The 分局 a unit belongs to (``Unit.bureau``), remembered per process for a minute. The one
    way apps ask for it."""
    return _bureaus.get((unit.pk, unit.path), unit.bureau)


def unit_of_kind(unit: Unit, kind: str) -> Unit | None:
    """The active unit of ``kind`` in ``unit``'s bureau (the one nearest the bureau, then by the
    administrator's order): the bureau's center, legal brigade …; None if it has none."""
    bureau = bureau_of(unit)
    return (
        Unit.objects.filter(path__startswith=bureau.path, kind=kind, is_active=True)
        .order_by("depth", "sort_order", "pk")
        .first()
    )


def center_of(unit: Unit) -> Unit | None:
    """The 受立案管理中心 of ``unit``'s bureau: routing, complaints and follow-ups answer there."""
    return unit_of_kind(unit, UnitKind.CENTER)


# Every registration matches its place against all the bureau's place names. Kept per process
# for a minute; the process that edits an area forgets them at once (services.area_*).
places_memo: TTLMemo[list[tuple[str, int, int, str]]] = TTLMemo(60)


def bureau_places(bureau: Unit) -> list[tuple[str, int, int, str]]:
    """(place name, area id, station id, station code) of the bureau's active areas."""

    def load() -> list[tuple[str, int, int, str]]:
        return list(
            Place.objects.filter(
                area__station__path__startswith=bureau.path, area__is_active=True
            ).values_list("name", "area_id", "area__station_id", "area__station__code")
        )

    return places_memo.get((bureau.pk, bureau.path), load)


def units_visible_to(user: Any) -> QuerySet[Unit]:
    root = scope_root(user, ScopeDomain.ORG)
    if root is None:
        return Unit.objects.none()
    return Unit.objects.subtree(root)


def unit_tree(user: Any) -> list[Unit]:
    return list(
        units_visible_to(user)
        .select_related("parent")
        .annotate(
            staff_count=Count("staff", distinct=True), area_count=Count("areas", distinct=True)
        )
    )


def areas_visible_to(user: Any) -> QuerySet[Area]:
    return (
        Area.objects.filter(station__in=units_visible_to(user))
        .select_related("station")
        .prefetch_related(Prefetch("places", queryset=Place.objects.order_by("name")))
    )


def area_for_place(*, bureau: Unit, place_name: str) -> Area | None:
    """The area whose place names occur in ``place_name`` (longest match wins); None if none."""
    candidates = (
        Place.objects.filter(area__station__path__startswith=bureau.path, area__is_active=True)
        .select_related("area__station")
        .order_by()
    )
    best: Place | None = None
    for place in candidates:
        if place.name in place_name and (best is None or len(place.name) > len(best.name)):
            best = place
    return best.area if best else None
