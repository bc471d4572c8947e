"""Reads of the workflow, always through ``visible_to(user)`` (Z2, Z3). Lists run a fixed number of
queries whatever their length (pinned in the tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.core.paging import (
    COUNT_CAP,
    capped_count,
    count_label,
    decode_cursor,
    encode_cursor,
    past_cursor,
    queue_total,
)
from shoulian.deadlines.choices import Band, DeadlineStatus
from shoulian.deadlines.models import Deadline, DeadlineExtension, DeadlinePause
from shoulian.deadlines.selectors import QueueItem, queue_item
from shoulian.deadlines.selectors import pending_approvals as extension_approvals
from shoulian.intake.choices import AlertStatus, PartyRole
from shoulian.intake.models import Alert, AlertParty
from shoulian.notify.models import SmsMessage
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.privacy.choices import Kind
from shoulian.privacy.masking import mask
from shoulian.workflow import clock
from shoulian.workflow.choices import (
    HANDLING_UNIT_KINDS,
    Action,
    ApprovalStatus,
    DecisionKind,
    DecisionStatus,
    ReconsiderationStatus,
    RequestStatus,
)
from shoulian.workflow.intake_clock import INTAKE_CODES
from shoulian.workflow.models import (
    AlertFlow,
    Approval,
    Decision,
    Dispute,
    Document,
    FlowStep,
    Notification,
    Reconsideration,
    Routing,
    RoutingRule,
    TransferRequest,
)
from shoulian.workflow.workflow import Ctx, Transition, available

QUEUE_LIMIT = 200
# Tasks a queue page shows (issue 14): the most urgent of each kind of task are read, this many
# each, and the page shows this many of them; the rest are counted up to ``COUNT_CAP`` and the
# 分派 page walks the alerts to route page by page. A page costs the same whatever the backlog.
TASK_PAGE = 30
NO_PERIOD = "none"
ALERT_RELATED = ("category", "registering_unit", "handling_unit", "jurisdiction_station", "flow")


def alerts_visible_to(user: Any) -> QuerySet[Alert]:
    return Alert.objects.visible_to(user)


def alert_for(user: Any, pk: int) -> Alert:
    alert = (
        alerts_visible_to(user)
        .select_related(*ALERT_RELATED, "jurisdiction_area", "registered_by")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404("警情不存在")
    return alert


def handling_units(user: Any) -> QuerySet[Unit]:
    """Units of the user's bureau an alert can be routed, transferred or designated to."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return Unit.objects.none()
    bureau = bureau_of(unit)
    return Unit.objects.filter(
        path__startswith=bureau.path, kind__in=HANDLING_UNIT_KINDS, is_active=True
    ).order_by("path")


# --- running deadlines of many alerts, in one query ---------------------------------------------
def _deadlines_by_alert(alert_ids: list[int], now: dt.datetime) -> dict[int, QueueItem]:
    """The most urgent running duty deadline of each alert (the complainant's windows are not
    duties of staff and are left out, nor the desk's own receipt and 补录 periods, which are not
    what a routing or handling task waits for)."""
    if not alert_ids:
        return {}
    rows = (
        Deadline.objects.filter(
            object_type=clock.OBJECT_TYPE, object_id__in=[str(i) for i in alert_ids]
        )
        .exclude(status=DeadlineStatus.STOPPED)
        .exclude(code__in=clock.WINDOW_CODES | INTAKE_CODES)
        .select_related("rule", "unit")
        .prefetch_related(Prefetch("pauses", queryset=DeadlinePause.objects.order_by("paused_at")))
    )
    best: dict[int, QueueItem] = {}
    for deadline in rows:
        item = queue_item(deadline, now)
        key = int(deadline.object_id)
        current = best.get(key)
        if current is None or _due_key(item) < _due_key(current):
            best[key] = item
    return best


def _due_key(item: QueueItem | None) -> tuple[int, float]:
    if item is None or item.deadline.due_at is None:
        return (1, 0.0)
    return (0, item.deadline.due_at.timestamp())


# --- work queues -------------------------------------------------------------------------------
@dataclass
class Task:
    alert: Alert
    what: str
    url: str
    deadline: QueueItem | None = None
    note: str = ""

    @property
    def band(self) -> str:
        # "none": the node has no statutory period (a help request, a consultation …).
        return self.deadline.band if self.deadline else NO_PERIOD

    @property
    def sort_key(self) -> tuple[int, float, float]:
        due = _due_key(self.deadline)
        return (*due, self.alert.received_at.timestamp())


@dataclass
class Queue:
    tasks: list[Task] = field(default_factory=list)
    extensions: list[DeadlineExtension] = field(default_factory=list)
    # How many tasks there are in all, up to COUNT_CAP + 1 (the page shows TASK_PAGE of them).
    total: int = 0

    @property
    def total_label(self) -> str:
        return count_label(self.total)

    @property
    def more(self) -> bool:
        return self.total > len(self.tasks)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(band, label, number of tasks) in the order red, orange, yellow, green, others."""
        found: dict[str, int] = {}
        for task in self.tasks:
            found[task.band] = found.get(task.band, 0) + 1
        order = [
            Band.RED,
            Band.ORANGE,
            Band.YELLOW,
            Band.GREEN,
            Band.PAUSED,
            Band.UNKNOWN,
            NO_PERIOD,
        ]
        labels = {**dict(Band.choices), NO_PERIOD: "无法定期限"}
        return [(b, str(labels[b]), found[b]) for b in order if found.get(b)]


def _alert_url(alert: Alert) -> str:
    return reverse("workflow:file_tab", kwargs={"pk": alert.pk, "tab": "flow"})


def _action_url(alert: Alert, action: str) -> str:
    return reverse("workflow:action", kwargs={"pk": alert.pk, "action": action})


def to_route(user: Any) -> QuerySet[Alert]:
    """The alerts the center must route or route again, oldest first: the review period runs
    from registration, a return does not restart it, so the oldest is the most urgent. The two
    statuses as one IN that the (status, received_at, id) index answers, the rest checked on the
    way; the scope is not written against the unit indexes (issue 14): an OR of statuses made
    SQLite walk every alert of the bureau in received order."""
    if user.unit is None or user.unit.kind != UnitKind.CENTER:
        return Alert.objects.none()
    return (
        Alert.objects.visible_by_order(user)
        .select_related(*ALERT_RELATED)
        .filter(
            Q(handling_unit__isnull=True) | Q(status=AlertStatus.RETURNED),
            status__in=(AlertStatus.REGISTERED, AlertStatus.RETURNED),
        )
        .order_by("received_at", "pk")
    )


def _route_task(alert: Alert) -> Task:
    action = Action.ROUTE if alert.status == AlertStatus.REGISTERED else Action.REROUTE
    return Task(
        alert,
        "待分派" if action == Action.ROUTE else "被退回，待重新分派",
        _action_url(alert, action),
    )


def _center_requests(user: Any, limit: int) -> list[Task]:
    """Pending transfer requests and (for the center head) jurisdiction disputes, the oldest
    ``limit`` of each."""
    if user.unit is None or user.unit.kind != UnitKind.CENTER:
        return []
    tasks: list[Task] = []
    transfers = (
        TransferRequest.objects.visible_by_order(user)
        .filter(status=RequestStatus.PENDING)
        .select_related(
            "alert__category",
            "alert__registering_unit",
            "alert__handling_unit",
            "alert__flow",
            "to_unit",
        )
        .order_by("requested_at", "pk")[:limit]
    )
    for transfer in transfers:
        tasks.append(
            Task(
                transfer.alert,
                f"移交申请：至{transfer.to_unit.display_name}",
                _action_url(transfer.alert, Action.APPROVE_TRANSFER),
            )
        )
    if user.has_role(Role.CENTER_HEAD) and not user.is_auxiliary:
        disputes = (
            Dispute.objects.visible_by_order(user)
            .filter(status=RequestStatus.PENDING)
            .select_related(
                "alert__category",
                "alert__registering_unit",
                "alert__handling_unit",
                "alert__flow",
                "unit",
            )
            .order_by("raised_at", "pk")[:limit]
        )
        for dispute in disputes:
            tasks.append(
                Task(
                    dispute.alert,
                    f"管辖争议：{dispute.unit.display_name}提出，待指定管辖",
                    _action_url(dispute.alert, Action.DESIGNATE),
                )
            )
    return tasks


def _center_tasks(user: Any, limit: int = TASK_PAGE) -> list[Task]:
    tasks = [_route_task(alert) for alert in to_route(user)[:limit]]
    return tasks + _center_requests(user, limit)


INBOX_STATUSES = (
    AlertStatus.REGISTERED,
    AlertStatus.ROUTED,
    AlertStatus.SIGNED,
    AlertStatus.HANDLING,
)


def inbox_alerts(user: Any) -> QuerySet[Alert]:
    """Alerts the user's unit must act on: sign for, handle, decide, serve the notice."""
    if user.unit is None or not user.has_role(Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER):
        return Alert.objects.none()
    unserved = Decision.objects.filter(
        kind=DecisionKind.NOT_FILE, status=DecisionStatus.APPROVED, notice_served_at__isnull=True
    ).values("alert_id")
    # One IN of statuses on the unit's (handling_unit, status, received_at) index; 不予立案
    # stays in the inbox only until the notice is served (checked on the way, issue 14).
    return (
        Alert.objects.visible_by_order(user)
        .filter(handling_unit=user.unit, status__in=(*INBOX_STATUSES, AlertStatus.NOT_FILED))
        .filter(~Q(status=AlertStatus.NOT_FILED) | Q(pk__in=unserved))
        .select_related(*ALERT_RELATED)
        .order_by("received_at", "pk")
    )


_INBOX_WHAT: dict[str, tuple[str, str]] = {
    AlertStatus.REGISTERED: ("本单位登记，待签收", Action.SIGN_FOR),
    AlertStatus.ROUTED: ("待签收或退回", Action.SIGN_FOR),
    AlertStatus.SIGNED: ("已签收，待开始办理", Action.START_HANDLING),
    AlertStatus.HANDLING: ("办理中，待提出处理意见", Action.PROPOSE),
    AlertStatus.NOT_FILED: ("不予立案，待送达通知书", Action.SERVE_NOTICE),
}


def _inbox_tasks(user: Any, limit: int = QUEUE_LIMIT) -> list[Task]:
    tasks = []
    pending = (
        set(
            Decision.objects.visible_to(user)
            .filter(status=DecisionStatus.PENDING, alert__handling_unit=user.unit)
            .values_list("alert_id", flat=True)
        )
        if user.unit is not None
        else set()
    )
    for alert in inbox_alerts(user)[:limit]:
        what, action = _INBOX_WHAT[alert.status]
        if alert.status == AlertStatus.HANDLING and alert.pk in pending:
            tasks.append(Task(alert, "处理意见审批中", _alert_url(alert)))
            continue
        tasks.append(Task(alert, what, _action_url(alert, action)))
    return tasks


def pending_approvals(user: Any) -> QuerySet[Approval]:
    """Steps the user may decide now: their unit and role, never their own proposal."""
    if user.unit is None or user.is_auxiliary:
        return Approval.objects.none()
    return (
        Approval.objects.visible_by_order(user)
        .filter(
            status=ApprovalStatus.PENDING,
            unit=user.unit,
            role__in=user.role_set,
            decision__status=DecisionStatus.PENDING,
        )
        .exclude(decision__proposed_by=user)
        .exclude(decision__approvals__decided_by=user)
        .select_related(
            "decision__proposed_by",
            "decision__alert__category",
            "decision__alert__registering_unit",
            "decision__alert__handling_unit",
            "decision__alert__flow",
        )
        .order_by("decision__proposed_at")
    )


def _approval_tasks(user: Any, limit: int = QUEUE_LIMIT) -> list[Task]:
    return [
        Task(
            a.decision.alert,
            f"审批：{a.decision.get_kind_display()}（{a.label}）",
            reverse("workflow:decision", kwargs={"pk": a.decision_id}),
        )
        for a in pending_approvals(user)[:limit]
    ]


def pending_reconsiderations(user: Any) -> QuerySet[Reconsideration]:
    """Applications for reconsideration (the bureau head) or review (the legal brigade) that
    wait for ``user``'s decision, oldest first."""
    kinds = []
    if user.has_role(Role.BUREAU_HEAD):
        kinds.append("reconsideration")
    if user.has_role(Role.LEGAL_BRIGADE):
        kinds.append("review")
    if user.is_auxiliary or not kinds:
        return Reconsideration.objects.none()
    # The pending ones first (their partial index), the scope checked on the way
    # (visible_by_order): scoped through the alert, visible_to made a bureau-wide role's queue
    # walk every alert of the bureau through the unit indexes (issue 14). Likewise the
    # transfers, disputes and approvals.
    return (
        Reconsideration.objects.visible_by_order(user)
        .filter(status=ReconsiderationStatus.PENDING, kind__in=kinds)
        .select_related(
            "alert__category", "alert__registering_unit", "alert__handling_unit", "alert__flow"
        )
    )


def _reconsideration_tasks(user: Any, limit: int = QUEUE_LIMIT) -> list[Task]:
    action = {"reconsideration": Action.UPHOLD_RECONSIDERATION, "review": Action.UPHOLD_REVIEW}
    return [
        Task(r.alert, f"{r.get_kind_display()}申请待决定", _action_url(r.alert, action[r.kind]))
        for r in pending_reconsiderations(user)[:limit]
    ]


def work_queue(user: Any, *, now: dt.datetime | None = None) -> Queue:
    """What is waiting for ``user``, the most urgent due time first, each with its colour band
    and the rule and article behind the due time: the ``TASK_PAGE`` most urgent, read as the
    oldest ``TASK_PAGE`` of each kind of task (issue 14), and how many there are in all."""
    now = now or timezone.now()
    tasks = (
        _center_tasks(user, TASK_PAGE)
        + _inbox_tasks(user, TASK_PAGE)
        + _approval_tasks(user, TASK_PAGE)
        + _reconsideration_tasks(user, TASK_PAGE)
    )
    _attach_deadlines(tasks, now)
    tasks.sort(key=lambda t: t.sort_key)
    return Queue(
        tasks=tasks[:TASK_PAGE],
        extensions=extension_approvals(user)[:TASK_PAGE],
        # What was read is the whole when no kind of task filled its page.
        total=queue_total(len(tasks), TASK_PAGE, lambda: _total(user)),
    )


def _attach_deadlines(tasks: list[Task], now: dt.datetime) -> None:
    deadlines = _deadlines_by_alert(sorted({t.alert.pk for t in tasks}), now)
    for task in tasks:
        task.deadline = deadlines.get(task.alert.pk)
        flow = getattr(task.alert, "flow", None) if _has_flow(task.alert) else None
        if flow is not None and flow.bounces > 2:
            task.note = f"已退回/移交 {flow.bounces} 次"


def _total(user: Any) -> int:
    """How many tasks ``user`` has, up to ``COUNT_CAP + 1``: each kind counted up to
    ``COUNT_CAP + 1`` (the database stops there)."""
    kinds: list[QuerySet[Any]] = [
        to_route(user),
        inbox_alerts(user),
        pending_approvals(user),
        pending_reconsiderations(user),
    ]
    if user.unit is not None and user.unit.kind == UnitKind.CENTER:
        pending = RequestStatus.PENDING
        kinds.append(TransferRequest.objects.visible_by_order(user).filter(status=pending))
        if user.has_role(Role.CENTER_HEAD) and not user.is_auxiliary:
            kinds.append(Dispute.objects.visible_by_order(user).filter(status=pending))
    total = 0
    for qs in kinds:
        total += capped_count(qs)
        if total > COUNT_CAP:
            return COUNT_CAP + 1
    return total


def _has_flow(alert: Alert) -> bool:
    try:
        return alert.flow is not None
    except AlertFlow.DoesNotExist:
        return False


@dataclass
class RoutingPage:
    """One page of the 分派 queue: the alerts to route, ``TASK_PAGE`` at a time oldest first
    (keyset: ``after`` is the last row's cursor), the pending transfer requests and disputes on
    the first page, and how many alerts wait to be routed (capped)."""

    tasks: list[Task]
    after: str
    first: bool
    total: int

    def __iter__(self) -> Any:
        return iter(self.tasks)

    def __len__(self) -> int:
        return len(self.tasks)


def routing_queue(user: Any, *, now: dt.datetime | None = None, after: str = "") -> RoutingPage:
    now = now or timezone.now()
    alerts = to_route(user)
    cursor = decode_cursor(after)
    if cursor is not None:
        alerts = alerts.filter(past_cursor("received_at", cursor[0], cursor[1], "gt"))
    rows = list(alerts[: TASK_PAGE + 1])
    more = len(rows) > TASK_PAGE
    rows = rows[:TASK_PAGE]
    tasks = [_route_task(alert) for alert in rows]
    if cursor is None:
        tasks += _center_requests(user, TASK_PAGE)
    _attach_deadlines(tasks, now)
    tasks.sort(key=lambda t: (t.sort_key[0], t.sort_key[1], t.alert.received_at.timestamp()))
    last = rows[-1] if rows and more else None
    return RoutingPage(
        tasks=tasks,
        after=encode_cursor(last.received_at, last.pk) if last else "",
        first=cursor is None,
        total=capped_count(to_route(user)),
    )


def inbox(user: Any, *, now: dt.datetime | None = None) -> list[Task]:
    now = now or timezone.now()
    tasks = _inbox_tasks(user)
    deadlines = _deadlines_by_alert(sorted({t.alert.pk for t in tasks}), now)
    for task in tasks:
        task.deadline = deadlines.get(task.alert.pk)
    tasks.sort(key=lambda t: t.sort_key)
    return tasks


# --- one alert ---------------------------------------------------------------------------------
@dataclass
class AlertView:
    alert: Alert
    actions: list[Transition]
    steps: list[FlowStep]
    routings: list[Routing]
    transfers: list[TransferRequest]
    disputes: list[Dispute]
    decisions: list[Decision]
    documents: list[Document]
    notifications: list[Notification]
    reconsiderations: list[Reconsideration]
    deadlines: list[QueueItem]
    reporters: list[tuple[int, str]]


def masked_reporters(alert: Alert) -> list[tuple[int, str]]:
    parties = AlertParty.objects.filter(
        alert=alert, role__in=(PartyRole.REPORTER, PartyRole.VICTIM)
    ).order_by("position")
    return [(p.pk, f"{mask(p.name, Kind.NAME)}（{p.get_role_display()}）") for p in parties]


def alert_view(user: Any, alert: Alert, *, now: dt.datetime | None = None) -> AlertView:
    now = now or timezone.now()
    deadlines = (
        Deadline.objects.filter(object_type=clock.OBJECT_TYPE, object_id=str(alert.pk))
        .select_related("rule", "unit")
        .prefetch_related(Prefetch("pauses", queryset=DeadlinePause.objects.order_by("paused_at")))
        .order_by("started_at", "id")
    )
    return AlertView(
        alert=alert,
        actions=available(Ctx(actor=user, alert=alert)),
        steps=list(
            FlowStep.objects.filter(alert=alert).select_related(
                "actor", "actor_unit", "from_unit", "to_unit"
            )
        ),
        routings=list(
            Routing.objects.filter(alert=alert).select_related(
                "unit", "suggested_unit", "routed_by"
            )
        ),
        transfers=list(
            TransferRequest.objects.filter(alert=alert).select_related(
                "from_unit", "to_unit", "requested_by", "decided_by"
            )
        ),
        disputes=list(
            Dispute.objects.filter(alert=alert).select_related(
                "unit", "claimed_unit", "designated_unit", "raised_by", "decided_by"
            )
        ),
        decisions=list(
            Decision.objects.filter(alert=alert)
            .select_related("proposed_by", "proposer_unit")
            .prefetch_related(
                Prefetch(
                    "approvals",
                    queryset=Approval.objects.select_related("decided_by", "unit").order_by(
                        "position"
                    ),
                )
            )
        ),
        documents=list(Document.objects.filter(alert=alert).order_by("issued_at", "id")),
        notifications=list(Notification.objects.filter(alert=alert)),
        reconsiderations=list(
            Reconsideration.objects.filter(alert=alert).select_related("received_by", "decided_by")
        ),
        deadlines=[queue_item(d, now) for d in deadlines],
        reporters=masked_reporters(alert),
    )


def sms_messages(alert: Alert) -> list[SmsMessage]:
    """Every outbox message about a visible alert, newest first. Whoever may open the alert may
    see them: they carry the template's words only (Z8), shown with codes starred and the mobile
    masked, as on the outbox page."""
    return list(SmsMessage.objects.filter(alert=alert).order_by("-created_at", "-id"))


def pending_transfer(user: Any, alert: Alert) -> TransferRequest | None:
    return (
        TransferRequest.objects.visible_to(user)
        .filter(alert=alert, status=RequestStatus.PENDING)
        .select_related("from_unit", "to_unit", "requested_by")
        .first()
    )


def pending_dispute(user: Any, alert: Alert) -> Dispute | None:
    return (
        Dispute.objects.visible_to(user)
        .filter(alert=alert, status=RequestStatus.PENDING)
        .select_related("unit", "claimed_unit", "raised_by")
        .first()
    )


def decision_for(user: Any, pk: int) -> Decision:
    decision = (
        Decision.objects.visible_to(user)
        .select_related(
            "proposed_by",
            "proposer_unit",
            "alert__category",
            "alert__registering_unit",
            "alert__handling_unit",
        )
        .prefetch_related(
            Prefetch(
                "approvals",
                queryset=Approval.objects.select_related("decided_by", "unit").order_by("position"),
            ),
            "documents",
        )
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise Http404("处理意见不存在")
    return cast(Decision, decision)


def document_for(user: Any, pk: int) -> Document:
    document = (
        Document.objects.visible_to(user).select_related("alert", "bureau").filter(pk=pk).first()
    )
    if document is None:
        raise Http404("文书不存在")
    return cast(Document, document)


def routing_rules(user: Any) -> QuerySet[RoutingRule]:
    unit = getattr(user, "unit", None)
    if unit is None:
        return RoutingRule.objects.none()
    return RoutingRule.objects.filter(bureau=bureau_of(unit)).select_related(
        "category", "area", "unit", "created_by"
    )


# --- 三个当场 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OnTheSpot:
    """三个当场 of the reports made in person in a period: how many there were, how many had the
    receipt within the ``walkin_registration`` period, how many list their evidence (an evidence
    list whenever files were taken), and how many did both."""

    total: int
    receipt_on_time: int
    evidence_listed: int
    compliant: int

    @property
    def share(self) -> float | None:
        """Share of the reports that met all three (None for a period without any)."""
        return self.compliant / self.total if self.total else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


def on_the_spot_compliance(user: Any, *, since: dt.datetime, until: dt.datetime) -> OnTheSpot:
    """三个当场 compliance as a number, for the reports ``user`` may see, received in
    [since, until): on the spot means the ``walkin_registration`` deadline stopped (the receipt was
    printed) by its due time, and an evidence list wherever evidence files were received."""
    from django.db.models import CharField, Count, Exists, F, OuterRef
    from django.db.models.functions import Cast

    from shoulian.intake.choices import ON_THE_SPOT_CHANNELS
    from shoulian.intake.models import EvidenceFile, EvidenceItem

    on_time = Deadline.objects.filter(
        object_type=clock.OBJECT_TYPE,
        object_id=Cast(OuterRef("pk"), CharField()),
        code="walkin_registration",
        status=DeadlineStatus.STOPPED,
        stopped_at__lte=F("due_at"),
    )
    files = EvidenceFile.objects.filter(alert=OuterRef("pk"), purpose="evidence")
    items = EvidenceItem.objects.filter(alert=OuterRef("pk"))
    rows = (
        alerts_visible_to(user)
        .filter(channel__in=ON_THE_SPOT_CHANNELS, received_at__gte=since, received_at__lt=until)
        .annotate(
            receipt_ok=Exists(on_time),
            listed=Exists(items) | ~Exists(files),
        )
        .aggregate(
            total=Count("pk"),
            receipt=Count("pk", filter=Q(receipt_ok=True)),
            listed_n=Count("pk", filter=Q(listed=True)),
            both=Count("pk", filter=Q(receipt_ok=True, listed=True)),
        )
    )
    return OnTheSpot(
        total=rows["total"],
        receipt_on_time=rows["receipt"],
        evidence_listed=rows["listed_n"],
        compliant=rows["both"],
    )
