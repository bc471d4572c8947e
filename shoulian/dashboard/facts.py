"""What an alert counts as on the platform, derived from the source rows.

One function serves the transition subscriber (one alert, in the transaction of the change) and
the nightly re-derivation (every alert, in chunks), so the two can only disagree when a counter
or a fact was written some other way: that is the drift the nightly job reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from shoulian.dashboard.choices import NEAR_DUE_SHARE, Band, Node
from shoulian.deadlines.choices import DeadlineStatus
from shoulian.deadlines.models import Deadline
from shoulian.feedback.choices import FollowUpStatus, Satisfaction
from shoulian.feedback.models import FollowUp
from shoulian.intake.choices import ON_THE_SPOT_CHANNELS, AlertStatus, FilePurpose
from shoulian.intake.models import Alert, EvidenceFile, EvidenceItem
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.supervision.choices import ACTIVE_STATUSES, FindingKind
from shoulian.supervision.models import Finding
from shoulian.workflow import clock
from shoulian.workflow.choices import OPEN_STATUSES

FLOW_STATUSES = frozenset(
    {AlertStatus.REGISTERED, AlertStatus.ROUTED, AlertStatus.RETURNED, AlertStatus.DISPUTED}
)
ACCEPT_STATUSES = frozenset({AlertStatus.SIGNED, AlertStatus.HANDLING})
WALKIN_CODE = "walkin_registration"
# A 110 alert's registration is due when the deadline engine says (the alert keeps no copy).
URGENT_CODE = "urgent_registration"


@dataclass(frozen=True)
class Fact:
    """The values of one ``AlertFact`` row (ids, not objects, so facts compare by value)."""

    alert_id: int
    bureau_id: int
    unit_id: int
    day: dt.date
    channel: str
    group: str
    node: str = ""
    node_since: dt.datetime | None = None
    warn_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    on_spot: bool | None = None
    bounces: int = 0
    satisfied: bool | None = None
    followed_day: dt.date | None = None
    band: str = ""

    def at(self, now: dt.datetime) -> Fact:
        """This fact with its band as the clock says at ``now`` (the stored one may be behind)."""
        band = band_at(self.node, self.warn_at, self.due_at, now)
        return self if band == self.band else dataclasses.replace(self, band=band)


FIELDS = tuple(f for f in Fact.__dataclass_fields__ if f != "alert_id")


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def warn_time(since: dt.datetime | None, due: dt.datetime | None) -> dt.datetime | None:
    """When an item waiting since ``since`` against ``due`` turns 临期: at 80 % of its period,
    never after its due time (so an item counted 期限内 whose due time passed has passed its
    warning time too: the platform finds it on one index, ``services.stale_facts``)."""
    if due is None:
        return None
    if since is None:
        return due
    return min(since + (due - since) * NEAR_DUE_SHARE, due)


def band_at(
    node: str, warn_at: dt.datetime | None, due_at: dt.datetime | None, now: dt.datetime
) -> str:
    """How far a waiting item has used its legal period at ``now`` (empty: waiting nowhere)."""
    if not node:
        return ""
    if due_at is None:
        return Band.NONE
    if due_at <= now:
        return Band.OVERDUE
    if warn_at is not None and warn_at <= now:
        return Band.NEAR
    return Band.OK


def derive(alert_ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[int, Fact]:
    """The facts of ``alert_ids`` as the source rows say at ``now``; a fixed number of queries
    whatever the number of alerts (call it with chunks of a few thousand)."""
    ids = list(alert_ids)
    if not ids:
        return {}
    now = now or timezone.now()
    keys = [str(i) for i in ids]
    alerts = list(
        Alert.objects.filter(pk__in=ids)
        .annotate(
            # The evidence list of 三个当场, in the same query: an item list, or no file to list.
            has_items=Exists(EvidenceItem.objects.filter(alert=OuterRef("pk"))),
            has_files=Exists(
                EvidenceFile.objects.filter(alert=OuterRef("pk"), purpose=FilePurpose.EVIDENCE)
            ),
        )
        .values(
            "pk",
            "channel",
            "status",
            "received_at",
            "registering_unit_id",
            "handling_unit_id",
            "registration_completed_at",
            "has_items",
            "has_files",
            group=F("category__group"),
            # The bureau from the registering unit's path, through the per-process memo.
            registering_path=F("registering_unit__path"),
            # Returns and transfers together (推诿): the alert's flow row, in the same query.
            flow_returns=F("flow__return_count"),
            flow_transfers=F("flow__transfer_count"),
        )
    )
    # The legal period an alert waits against: its earliest running deadline of staff (the
    # on-the-spot registration at the desk, then the review period), not the party's windows.
    # The same query brings the desk's stopped registration period (the receipt on time).
    review: dict[int, tuple[dt.datetime, dt.datetime | None]] = {}
    registration_due: dict[int, dt.datetime] = {}
    receipt_on_time: set[int] = set()
    for code, oid, status, started, due, stopped in (
        Deadline.objects.filter(object_type=clock.OBJECT_TYPE, object_id__in=keys)
        .exclude(code__in=clock.WINDOW_CODES)
        .filter(~Q(status=DeadlineStatus.STOPPED) | Q(code=WALKIN_CODE))
        .order_by(F("due_at").asc(nulls_last=True))
        .values_list("code", "object_id", "status", "started_at", "due_at", "stopped_at")
    ):
        if status == DeadlineStatus.STOPPED:
            if stopped is not None and due is not None and stopped <= due:
                receipt_on_time.add(int(oid))
            continue
        review.setdefault(int(oid), (started, due))
        if code == URGENT_CODE and due is not None:
            registration_due.setdefault(int(oid), due)
    listed = {
        a["pk"]
        for a in alerts
        if a["channel"] in ON_THE_SPOT_CHANNELS and (a["has_items"] or not a["has_files"])
    }
    bounces = {a["pk"]: (a["flow_returns"] or 0) + (a["flow_transfers"] or 0) for a in alerts}
    # Only a decided alert has a 回访 task: an intake step or a step in handling skips the query.
    decided = [a["pk"] for a in alerts if a["status"] not in OPEN_STATUSES]
    follow_ups = (
        {
            row["alert_id"]: row
            for row in FollowUp.objects.filter(alert_id__in=decided)
            .filter(Q(status=FollowUpStatus.OPEN) | Q(status=FollowUpStatus.DONE))
            .values("alert_id", "status", "opened_at", "due_at", "satisfaction", "done_at")
        }
        if decided
        else {}
    )

    def bureau_id(a: Any) -> int:
        # ``bureau_of`` needs only the unit's id and path (its ancestors are in the path): a
        # step reads no unit, once the memo knows the desk's bureau.
        return bureau_of(Unit(pk=a["registering_unit_id"], path=a["registering_path"])).pk

    facts: dict[int, Fact] = {}
    for a in alerts:
        pk = a["pk"]
        node, since, due = "", None, None
        follow_up = follow_ups.get(pk)
        if pk in registration_due and a["registration_completed_at"] is None:
            node, since, due = Node.ENTRY, a["received_at"], registration_due[pk]
        elif a["status"] in FLOW_STATUSES or a["status"] in ACCEPT_STATUSES:
            node = Node.FLOW if a["status"] in FLOW_STATUSES else Node.ACCEPT
            since, due = review.get(pk, (a["received_at"], None))
        elif follow_up is not None and follow_up["status"] == FollowUpStatus.OPEN:
            node, since, due = Node.FEEDBACK, follow_up["opened_at"], follow_up["due_at"]
        satisfied: bool | None = None
        followed: dt.date | None = None
        if (
            follow_up is not None
            and follow_up["status"] == FollowUpStatus.DONE
            and follow_up["satisfaction"]
            and follow_up["done_at"] is not None
        ):
            satisfied = follow_up["satisfaction"] != Satisfaction.DISSATISFIED
            followed = local_day(follow_up["done_at"])
        on_spot: bool | None = None
        if a["channel"] in ON_THE_SPOT_CHANNELS:
            on_spot = pk in receipt_on_time and pk in listed
        unit_id = a["handling_unit_id"] or a["registering_unit_id"]
        warn_at = warn_time(since, due) if node else None
        facts[pk] = Fact(
            alert_id=pk,
            bureau_id=bureau_id(a),
            unit_id=unit_id,
            day=local_day(a["received_at"]),
            channel=a["channel"],
            group=a["group"],
            node=node,
            node_since=since if node else None,
            warn_at=warn_at,
            due_at=due if node else None,
            on_spot=on_spot,
            bounces=bounces.get(pk, 0),
            satisfied=satisfied,
            followed_day=followed,
            band=band_at(node, warn_at, due if node else None, now),
        )
    return facts


# --- findings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingValues:
    """The values of one ``FindingFact`` row."""

    finding_id: int
    bureau_id: int
    unit_id: int
    status: str
    level: str
    month: dt.date


FINDING_FIELDS = tuple(f for f in FindingValues.__dataclass_fields__ if f != "finding_id")


def month_of(at: dt.datetime) -> dt.date:
    return local_day(at).replace(day=1)


# The month an active finding counts in: one for all, so the figure of the active findings reads
# one counter row per unit, status and level however long ago they opened.
ACTIVE_MONTH = dt.date(2000, 1, 1)


FINDING_ROW = (
    "pk",
    "bureau_id",
    "unit_id",
    "alert_id",
    "status",
    "level",
    "escalation",
    "summary",
    "opened_at",
    "closed_at",
)


def finding_rows(finding_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Supervision's rows of ``finding_ids`` (findings, not warnings), as the facts and the
    warning feed read them: one query."""
    ids = list(finding_ids)
    if not ids:
        return []
    return list(Finding.objects.filter(pk__in=ids, kind=FindingKind.FINDING).values(*FINDING_ROW))


def finding_fact(row: dict[str, Any]) -> FindingValues:
    active = row["status"] in ACTIVE_STATUSES
    closed = not active and row["closed_at"] is not None
    return FindingValues(
        finding_id=row["pk"],
        bureau_id=row["bureau_id"],
        unit_id=row["unit_id"],
        status=row["status"],
        level=row["level"],
        month=ACTIVE_MONTH
        if active
        else month_of(row["closed_at"] if closed else row["opened_at"]),
    )


def derive_findings(finding_ids: Iterable[int]) -> dict[int, FindingValues]:
    """The facts of ``finding_ids`` as supervision's rows say now (one query). Warnings are not
    counted (the figure is of findings), so a warning has no fact."""
    return {row["pk"]: finding_fact(row) for row in finding_rows(finding_ids)}
