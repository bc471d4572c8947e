"""Reads of the intake desk, always through ``visible_to(user)`` (Z2, Z3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.shortcuts import get_object_or_404
from django.utils import timezone

from shoulian.core.paging import capped_count
from shoulian.core.scoping import ScopeDomain, scope_root
from shoulian.intake.choices import OFFENCE_FILTER, OFFENCE_GROUPS, PartyRole
from shoulian.intake.models import (
    Alert,
    AlertDraft,
    AlertParty,
    Category,
    EvidenceFile,
    EvidenceItem,
)
from shoulian.intake.numbering import normalize_query_code
from shoulian.org.choices import UnitKind
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for

DUPLICATE_WINDOW = timedelta(days=30)


def alerts_visible_to(user: Any) -> QuerySet[Alert]:
    return Alert.objects.visible_to(user)


@dataclass(frozen=True)
class AlertFilters:
    q: str = ""
    channel: str = ""
    status: str = ""
    group: str = ""
    date_from: date | None = None
    date_to: date | None = None
    pending_registration: bool = False
    # "registered": registered by the user's own unit; "handled": routed to it (UNIT_FILTERS).
    unit: str = ""
    # The keyed hash of a reporter's phone (privacy.crypto.index_for), never the number itself.
    phone_index: str = ""
    # "station": registered at a 派出所's desk (the figures' 派出所上门报警 drill down to it).
    desk: str = ""
    # One handling unit, by id (a statistics table's row drills down to it).
    handler: int | None = None
    # One unit's alerts: those it handles, and those it registered that nobody handles yet (the
    # supervision platform's "by unit" figures count the same way, so its links land here).
    in_unit: int | None = None


# The two halves of a station's list: what its desk registered and what it handles.
UNIT_FILTERS = {"registered": "本单位登记", "handled": "本单位办理"}
DESK_STATION = "station"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def exact_keys(term: str) -> Q:
    """The number, the query code as printed, the source's own number in any case: each a
    unique or indexed look-up (UPPER(external_ref) as alert_external_ref_idx has it)."""
    return (
        Q(number=term.upper())
        | Q(query_code=normalize_query_code(term))
        | Q(Exact(Upper("external_ref"), term.upper()))
    )


def search_condition(qs: QuerySet[Alert], q: str) -> Q:
    """Exact keys first; only when none of ``qs`` matches, part of a number ("0715-0012"),
    which a trigram index answers (``partial_number``). ``qs`` carries the page's other
    filters: an exact match they exclude must not hide the partial matches they keep."""
    term = q.strip()
    exact = exact_keys(term)
    if qs.filter(exact).exists():
        return exact
    return partial_number(term)


# Numbers the SQLite trigram table may match before the search walks the list instead: a part
# as common as "2026" is found soonest along the list's own order.
TRIGRAM_MATCHES = 2000
NUMBER_TRIGRAMS = "intake_alert_number_fts"


def partial_number(term: str) -> Q:
    """Alerts whose number contains ``term`` (issue 14). PostgreSQL answers ``LIKE '%…%'``
    from its pg_trgm index (migration 0008). SQLite has no such index: the FTS5 trigram table
    of the numbers (migration 0010, kept by triggers) names the matching alerts, unless the
    term is shorter than a trigram or matches more than ``TRIGRAM_MATCHES`` numbers (then the
    page's walk along its order meets matches soon)."""
    needle = term.upper()
    if connection.vendor != "sqlite" or len(needle) < 3:
        return Q(number__contains=needle)
    phrase = '"' + needle.replace('"', '""') + '"'
    # The table's name is this module's constant; the term is a parameter.
    matching = f"SELECT rowid FROM {NUMBER_TRIGRAMS} WHERE {NUMBER_TRIGRAMS} MATCH %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({matching} LIMIT %s)", [phrase, TRIGRAM_MATCHES + 1])  # noqa: S608
        (found,) = cursor.fetchone()
    if found > TRIGRAM_MATCHES:
        return Q(number__contains=needle)
    # The trigram match may be looser than the substring (case, and a phrase of trigrams
    # can match them apart): the substring is checked on the few rows it names.
    return Q(pk__in=RawSQL(matching, [phrase])) & Q(number__contains=needle)  # noqa: S611


def alert_list(
    user: Any, filters: AlertFilters | None = None, *, by_order: bool = True
) -> QuerySet[Alert]:
    """The alerts ``user`` may see, newest first, with what a list row shows (one query for the
    rows and one for their reporters, whatever the page size)."""
    filters = filters or AlertFilters()
    # The scope is checked on the way along the list's own order (issue 14): a unit index
    # would fetch every alert of the visible units and sort them all to show one page.
    # ``by_order=False``: through the unit indexes (alert_total's count of a narrow scope).
    visible = Alert.objects.visible_by_order(user) if by_order else Alert.objects.visible_to(user)
    qs = visible.select_related(
        "category", "registering_unit", "handling_unit", "jurisdiction_station"
    )
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.group == OFFENCE_FILTER:
        qs = qs.filter(category__group__in=OFFENCE_GROUPS)
    elif filters.group:
        qs = qs.filter(category__group=filters.group)
    if filters.desk == DESK_STATION:
        qs = qs.filter(registering_unit__kind=UnitKind.STATION)
    if filters.handler is not None:
        qs = qs.filter(handling_unit_id=filters.handler)
    if filters.date_from:
        qs = qs.filter(received_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(received_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.pending_registration:
        qs = qs.filter(registration_completed_at__isnull=True)
    unit_id = getattr(user, "unit_id", None)
    if filters.unit == "registered":
        qs = qs.filter(registering_unit_id=unit_id)
    elif filters.unit == "handled":
        qs = qs.filter(handling_unit_id=unit_id)
    if filters.in_unit is not None:
        qs = qs.filter(
            Q(handling_unit_id=filters.in_unit)
            | Q(handling_unit__isnull=True, registering_unit_id=filters.in_unit)
        )
    if filters.phone_index:
        qs = qs.filter(
            pk__in=AlertParty.objects.filter(
                role=PartyRole.REPORTER, phone_index=filters.phone_index
            ).values("alert_id")
        )
    if filters.q:
        # Last, so that the exact look-up is decided among the alerts the other filters keep.
        qs = qs.filter(search_condition(qs, filters.q))
    return qs.prefetch_related(
        Prefetch(
            "parties",
            queryset=AlertParty.objects.filter(role=PartyRole.REPORTER).order_by("position"),
            to_attr="reporters",
        )
    ).order_by("-received_at", "-id")


def alert_total(user: Any, filters: AlertFilters | None = None) -> int:
    """How many alerts the list holds, up to ``COUNT_CAP + 1``. A station sees a small share
    of the bureau: along the list's order its count would read ``COUNT_CAP`` ÷ that share rows
    (a SQLite station count took 0.3–0.8 s at 100 k alerts, issue 14), so a scope below the
    bureau counts through its unit indexes, which hold its own rows only; a bureau-wide scope
    counts along the order, where nearly every row is its own."""
    root = scope_root(user, ScopeDomain.CONTENT)
    narrow = root is not None and root.kind not in (UnitKind.CITY_BUREAU, UnitKind.BUREAU)
    return capped_count(alert_list(user, filters, by_order=not narrow))


def alert_detail(user: Any, pk: int) -> Alert:
    """One alert with everything its page shows; 404 when ``user`` may not see it (Z3)."""
    return get_object_or_404(
        alerts_visible_to(user)
        .select_related(
            "category__parent",
            "registered_category",
            "registering_unit",
            "handling_unit",
            "jurisdiction_area",
            "jurisdiction_station",
            "registered_by",
            "api_client",
        )
        .prefetch_related(
            Prefetch("parties", queryset=AlertParty.objects.order_by("position", "id"))
        )
        .prefetch_related(
            Prefetch("evidence_items", queryset=EvidenceItem.objects.order_by("position"))
        )
        .prefetch_related(Prefetch("evidence_files", queryset=EvidenceFile.objects.order_by("id"))),
        pk=pk,
    )


def party_for(user: Any, pk: int) -> AlertParty:
    return get_object_or_404(
        AlertParty.objects.visible_to(user).select_related(
            "alert__registering_unit", "alert__handling_unit"
        ),
        pk=pk,
    )


def evidence_file_for(user: Any, pk: int) -> EvidenceFile:
    return get_object_or_404(EvidenceFile.objects.visible_to(user).select_related("alert"), pk=pk)


@dataclass(frozen=True)
class DuplicateHit:
    alert: Alert
    by_id_number: bool
    by_phone: bool


def recent_duplicates(
    user: Any,
    *,
    id_numbers: Sequence[tuple[str, str]] = (),
    phones: Sequence[str] = (),
    exclude_pk: int | None = None,
    now: datetime | None = None,
) -> list[DuplicateHit]:
    """Alerts of the last 30 days that ``user`` may see and that name the same person (ID
    number) or phone: a supervision signal ("same reporter within 30 days") the clerk sees while
    registering. Matching goes through the blind index; no clear value is read or compared.

    ``id_numbers`` are (id type, number) pairs; only the number is indexed."""
    id_indexes = sorted({index_for(number, Kind.ID_NUMBER) for _, number in id_numbers if number})
    phone_indexes = sorted({index_for(phone, Kind.PHONE) for phone in phones if phone})
    if not id_indexes and not phone_indexes:
        return []
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    condition = Q(pk__in=[])
    if id_indexes:
        condition |= Q(id_number_index__in=id_indexes)
    if phone_indexes:
        condition |= Q(phone_index__in=phone_indexes)
    matches = (
        AlertParty.objects.visible_to(user)
        .filter(condition, alert__received_at__gte=since)
        .values_list("alert_id", "id_number_index", "phone_index")
    )
    flags: dict[int, list[bool]] = {}
    for alert_id, id_index, phone_index in matches:
        if alert_id == exclude_pk:
            continue
        entry = flags.setdefault(alert_id, [False, False])
        entry[0] = entry[0] or id_index in id_indexes
        entry[1] = entry[1] or phone_index in phone_indexes
    if not flags:
        return []
    alerts = alerts_visible_to(user).filter(pk__in=flags).select_related("category")
    return [
        DuplicateHit(alert=a, by_id_number=flags[a.pk][0], by_phone=flags[a.pk][1])
        for a in alerts.order_by("-received_at")[:20]
    ]


def categories_grouped() -> list[tuple[Category, list[Category]]]:
    """The selectable categories under their groups, for the registration form."""
    leaves = list(Category.objects.selectable().select_related("parent").order_by("code"))
    groups: dict[int, tuple[Category, list[Category]]] = {}
    for leaf in leaves:
        if leaf.parent is None:
            continue
        groups.setdefault(leaf.parent.pk, (leaf.parent, []))[1].append(leaf)
    return sorted(groups.values(), key=lambda g: g[0].code)


def category_tree() -> list[Category]:
    return list(Category.objects.select_related("parent").order_by("code"))


def drafts_of(user: Any) -> QuerySet[AlertDraft]:
    return AlertDraft.objects.filter(owner=user).order_by("-updated_at")


def draft_for(user: Any, pk: int) -> AlertDraft:
    return get_object_or_404(drafts_of(user), pk=pk)
