"""Which version of a rule governs a deadline.

A bureau sees the national defaults (``bureau`` empty) and its own versions. The version in force
on a date is the one with the latest ``effective_from`` on or before it (ties: the one written
last). A deadline is governed by the version in force on its start date, so a correction dated in
the past reaches the running deadlines it covers and a future change only the later ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shoulian.core import versioning
from shoulian.deadlines.counting import LEGAL_TZ
from shoulian.deadlines.models import DeadlineRule
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit


def chain(code: str, bureau_id: int | None) -> QuerySet[DeadlineRule]:
    """Every version a bureau's deadlines may use, oldest first."""
    return versioning.chain(DeadlineRule, bureau_id, code=code)


def pick(versions: Iterable[DeadlineRule], on: dt.date) -> DeadlineRule | None:
    """The version in force on ``on`` from an oldest-first list; None when none had begun."""
    return versioning.pick(versions, on)


def legal_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LEGAL_TZ).date()


def in_force(code: str, bureau_id: int | None, on: dt.date) -> DeadlineRule:
    """The version that governs a deadline started on ``on``; ValidationError when the rule is
    unknown, not yet in force or withdrawn on that date."""
    versions = list(chain(code, bureau_id))
    if not versions:
        raise ValidationError({"rule": _("未知的期限规则：%(code)s") % {"code": code}})
    rule = pick(versions, on)
    if rule is None:
        raise ValidationError(
            {
                "rule": _("规则“%(name)s”自%(date)s起施行。")
                % {"name": versions[0].name, "date": versions[0].effective_from}
            }
        )
    if not rule.is_active:
        raise ValidationError(
            {
                "rule": _("规则“%(name)s”已于%(date)s停止适用。")
                % {"name": rule.name, "date": rule.effective_from}
            }
        )
    return rule


def bureau_id_of(unit: Unit) -> int | None:
    """The 分局 a unit belongs to; None for units above any 分局 (they use the defaults)."""
    for ancestor in reversed(unit.ancestors()):
        if ancestor.kind == UnitKind.BUREAU:
            return ancestor.pk
    return None


def bureau_ids_for_units(unit_ids: Iterable[int]) -> dict[int, int | None]:
    """``bureau_id_of`` for many units in two queries."""
    paths = dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "path"))
    ancestor_ids = {int(p) for path in paths.values() for p in path.strip("/").split("/") if p}
    bureaus = set(
        Unit.objects.filter(pk__in=ancestor_ids, kind=UnitKind.BUREAU).values_list("pk", flat=True)
    )
    result: dict[int, int | None] = {}
    for unit_id, path in paths.items():
        chain_ids = [int(p) for p in path.strip("/").split("/") if p]
        found = [i for i in chain_ids if i in bureaus]
        result[unit_id] = found[-1] if found else None
    return result


def codes() -> list[str]:
    return list(DeadlineRule.objects.order_by("code").values_list("code", flat=True).distinct())


def next_version_number(code: str, bureau_id: int | None) -> int:
    numbers = chain(code, bureau_id).values_list("version", flat=True)
    return max(numbers, default=0) + 1
