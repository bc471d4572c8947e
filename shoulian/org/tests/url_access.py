from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

ADMIN = frozenset({Role.ADMIN})


def _unit(user, own, other):
    return {"pk": own.station.pk}


def _foreign_unit(user, own, other):
    return {"pk": other.station.pk}


def _area(user, own, other):
    return {"pk": own.station.areas.first().pk}


def _foreign_area(user, own, other):
    return {"pk": other.station.areas.first().pk}


ACCESS = {
    "org:index": Rule(ADMIN),
    "org:unit_list": Rule(ADMIN),
    "org:unit_create": Rule(ADMIN),
    "org:unit_edit": Rule(ADMIN, kwargs=_unit, foreign=_foreign_unit),
    "org:area_list": Rule(ADMIN),
    "org:area_create": Rule(ADMIN),
    "org:area_edit": Rule(ADMIN, kwargs=_area, foreign=_foreign_area),
}
