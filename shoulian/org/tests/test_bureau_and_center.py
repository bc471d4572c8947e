"""``org.selectors.bureau_of`` / ``center_of``: the one home apps ask for a unit's bureau and
center (intake, workflow, notify and feedback each had a copy, sorted differently)."""

from __future__ import annotations

from typing import Any

from shoulian.org.choices import UnitKind
from shoulian.org.selectors import bureau_of, center_of, unit_of_kind
from shoulian.org.services import unit_create


def test_every_unit_of_a_bureau_has_that_bureau(bureau_a: Any) -> None:
    for unit in (bureau_a.bureau, bureau_a.center, bureau_a.station, bureau_a.legal_brigade):
        assert bureau_of(unit) == bureau_a.bureau


def test_center_of_any_unit_is_its_bureaus_center(bureau_a: Any, bureau_b: Any) -> None:
    assert center_of(bureau_a.station) == bureau_a.center
    assert center_of(bureau_a.bureau) == bureau_a.center
    assert center_of(bureau_b.station) == bureau_b.center
    assert unit_of_kind(bureau_a.station, UnitKind.LEGAL_BRIGADE) == bureau_a.legal_brigade


def test_of_two_centers_the_administrators_order_decides_then_the_older(bureau_a: Any) -> None:
    second = unit_create(
        actor=None, parent=bureau_a.bureau, code="992701", name="第二中心", kind=UnitKind.CENTER
    )
    assert center_of(bureau_a.station) == bureau_a.center
    bureau_a.center.sort_order = 5
    bureau_a.center.save(update_fields=["sort_order"])
    assert center_of(bureau_a.station) == second


def test_a_bureau_without_a_center_has_none(bureau_a: Any) -> None:
    lonely = unit_create(
        actor=None, parent=bureau_a.city, code="990027", name="无中心分局", kind=UnitKind.BUREAU
    )
    assert center_of(lonely) is None
