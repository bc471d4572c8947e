"""The first catalogue of patrol rules (DOMAIN §6). Each predicate returns its hits for the
bureau (or the changed alerts) in a few set-based queries.

"On-scene handling with no AV record" lives with the AV records, in ``shoulian/review/patrol.py``;
the 有案不受 rule with the case-nature assistant, in ``shoulian/assistant/patrol.py``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from shoulian.deadlines import counting
from shoulian.deadlines.choices import PARTY_WINDOW_CODES, DeadlineStatus
from shoulian.deadlines.models import Deadline, DeadlinePause
from shoulian.feedback.choices import Satisfaction
from shoulian.feedback.models import FollowUp
from shoulian.intake.choices import ON_THE_SPOT_CHANNELS, Channel, PartyRole
from shoulian.intake.models import Alert, AlertParty, EvidenceFile, EvidenceItem
from shoulian.supervision.choices import AWAITING_RECTIFICATION, FindingKind, Level, Recipient
from shoulian.supervision.models import Finding
from shoulian.supervision.registry import (
    UNIT_RECIPIENTS,
    Hit,
    Param,
    PatrolContext,
    candidates,
    compiled,
    patrol_rule,
    rerun,
)
from shoulian.workflow.choices import Action, DecisionKind, DecisionStatus
from shoulian.workflow.models import AlertFlow, Approval, Decision, FlowStep

OBJECT_ALERT = "alert"
# Deadline codes a rule of its own watches; the generic overdue rule leaves them out so one late
# node never makes two findings.
# 三个当场 (walkin_registration) and the 110 补录 (urgent_registration) have theirs: on_the_spot_missing
# and the 110 registration rule.
OWN_RULE_CODES = frozenset({"non_filing_notice", "walkin_registration", "urgent_registration"})


class Seconds(Func):
    """Seconds from one moment to another, in the engine's own arithmetic: Django's datetime
    arithmetic calls a Python function for every row on SQLite (five times the hand SQL's time
    for 三个当场 at 100 k alerts)."""

    output_field = FloatField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(start), F(end))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        start, end = self.get_source_expressions()
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        if connection.vendor == "sqlite":
            sql = f"((julianday({end_sql}) - julianday({start_sql})) * 86400.0)"
        else:
            sql = f"EXTRACT(EPOCH FROM ({end_sql} - {start_sql}))"
        return sql, (*end_params, *start_params)


class Epoch(Func):
    """A moment as seconds since 1970, a float on both engines."""

    output_field = FloatField()

    def __init__(self, moment: str) -> None:
        super().__init__(F(moment))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        (moment,) = self.get_source_expressions()
        sql, params = compiler.compile(moment)
        if connection.vendor == "sqlite":
            return f"((julianday({sql}) - 2440587.5) * 86400.0)", params
        return f"CAST(EXTRACT(EPOCH FROM {sql}) AS double precision)", params


def _iso(moment: Any) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None


def _alert_deadlines(ctx: PatrolContext) -> Any:
    qs = Deadline.objects.filter(object_type=OBJECT_ALERT, started_at__lte=ctx.now).exclude(
        code__in=PARTY_WINDOW_CODES
    )
    if ctx.alert_ids is not None:
        # The changed alerts' own deadlines, by the (object_type, object_id) index.
        return qs.filter(object_id__in=[str(pk) for pk in ctx.alert_ids])
    return qs.filter(unit_id__in=ctx.units())


def _late(ctx: PatrolContext) -> Q:
    """Running past its due time, or stopped after it (the lateness stays a fact).

    Never against a provisional (暂定) due time: it ignores the missing year's holidays and can be
    days early. The warnings still run on it; the finding waits until the year is published and
    the deadline engine recomputes the real date."""
    running = ~Q(status=DeadlineStatus.STOPPED) & Q(due_at__lt=ctx.now)
    stopped_late = Q(status=DeadlineStatus.STOPPED, stopped_at__gt=F("due_at"))
    return (running | stopped_late) & Q(missing_year__isnull=True)


# What a deadline hit reads: plain values (a full patrol reads thousands; no model instances).
DEADLINE_FIELDS = (
    "pk",
    "code",
    "object_id",
    "unit_id",
    "title",
    "started_at",
    "due_at",
    "stopped_at",
    "status",
)


def _deadline_rows(qs: Any) -> list[dict[str, Any]]:
    return list(
        qs.values(*DEADLINE_FIELDS, rule_name=F("rule__name"), rule_version=F("rule__version"))
    )


def _deadline_hits(rows: list[dict[str, Any]], ctx: PatrolContext, summary: str) -> list[Hit]:
    officers = ctx.officers(int(d["object_id"]) for d in rows)
    hits = []
    for d in rows:
        alert_id = int(d["object_id"])
        hits.append(
            Hit(
                subject_type="deadline",
                subject_id=d["pk"],
                alert_id=alert_id,
                unit_id=d["unit_id"],
                officer_id=officers.get(alert_id),
                summary=summary.format(name=d["rule_name"], title=d["title"]),
                evidence={
                    "deadline": d["pk"],
                    "code": d["code"],
                    "rule_version": d["rule_version"],
                    "started_at": _iso(d["started_at"]),
                    "due_at": _iso(d["due_at"]),
                    "stopped_at": _iso(d["stopped_at"]),
                    "status": d["status"],
                },
            )
        )
    return hits


@patrol_rule(
    "deadline_warning",
    name="节点期限预警",
    description="正在计时的节点期限用时过半（黄色）或达到八成（橙色）时，向办案民警预警。",
    basis="DOMAIN §6：期限用时 50%/80% 预警",
    kind=FindingKind.WARNING,
    level=Level.YELLOW,
    params=(
        Param("yellow_percent", "黄色预警（用时百分比）", 50, 1, 99),
        Param("orange_percent", "橙色预警（用时百分比）", 80, 1, 99),
    ),
    recipients=(Recipient.OFFICER, Recipient.LEADER),
    review_chain=(),
    rectify_days=0,
    clock_driven=True,
)
def deadline_warning(ctx: PatrolContext) -> list[Hit]:
    # Bare hits with their colour (a warning raises its finding's); the summary, the evidence
    # and the officer are read for the hits that open or raise a finding.
    return [
        Hit("deadline", r["pk"], int(r["object_id"]), r["unit_id"], level=level, describe=_warnings)
        for r, level, _share in _warned(ctx)
    ]


WARNING_SUMMARY = "“{name}”期限即将届满（{title}）"


def _warned(
    ctx: PatrolContext, pks: list[int] | None = None
) -> list[tuple[dict[str, Any], str, float]]:
    """(deadline, colour, share of the period used) of each running node past the yellow mark.

    Plain values, and the pauses only of the nodes that ever paused: a full patrol reads every
    running node of the bureau, an incremental one those of one alert."""
    yellow = ctx.param("yellow_percent") / 100
    orange = max(ctx.param("orange_percent") / 100, yellow)
    # A provisional (暂定) due time that has passed stays an orange warning: the overdue finding
    # waits for the real date (see _late), but the officer is not left without a signal.
    qs = (
        _alert_deadlines(ctx)
        # The receipt is a matter of minutes at the desk: on_the_spot_missing watches it.
        .exclude(code="walkin_registration")
        .filter(Q(due_at__gt=ctx.now) | Q(missing_year__isnull=False), status=DeadlineStatus.OPEN)
        .annotate(paused=Exists(DeadlinePause.objects.filter(deadline=OuterRef("pk"))))
    )
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    rows = list(
        qs.values(
            "pk", "object_id", "unit_id", "started_at", "due_at", "missing_year", "paused"
        ).order_by()
    )
    paused = [r["pk"] for r in rows if r["paused"]]
    pauses: dict[int, list[counting.Interval]] = {}
    for start in range(0, len(paused), 500):
        for deadline_id, paused_at, resumed_at in (
            DeadlinePause.objects.filter(deadline_id__in=paused[start : start + 500])
            .order_by("paused_at", "id")
            .values_list("deadline_id", "paused_at", "resumed_at")
        ):
            pauses.setdefault(deadline_id, []).append(counting.Interval(paused_at, resumed_at))
    warned: list[tuple[dict[str, Any], str, float]] = []
    for r in rows:
        if r["due_at"] is None:
            continue
        share = counting.share_used(r["started_at"], r["due_at"], ctx.now, pauses.get(r["pk"], ()))
        if share >= yellow:
            warned.append((r, Level.ORANGE if share >= orange else Level.YELLOW, share))
    return warned


def _warnings(ctx: PatrolContext, hits: list[Hit]) -> list[Hit]:
    """The warnings' summary, evidence (with the share used) and officer."""
    pks = [int(h.subject_id) for h in hits]
    full: dict[tuple[str, str], Hit] = {}
    for start in range(0, len(pks), 500):
        warned = _warned(ctx, pks[start : start + 500])
        rows = {
            d["pk"]: d
            for d in _deadline_rows(Deadline.objects.filter(pk__in=[r["pk"] for r, _, _ in warned]))
        }
        described = _deadline_hits([rows[r["pk"]] for r, _, _ in warned], ctx, WARNING_SUMMARY)
        for hit, (r, level, share) in zip(described, warned, strict=True):
            full[hit.key] = replace(
                hit,
                level=level,
                evidence={
                    **hit.evidence,
                    "percent": round(share * 100),
                    "provisional": r["missing_year"] is not None,
                },
            )
    return [full.get(h.key, h) for h in hits]


def _overdue(ctx: PatrolContext) -> Any:
    return _alert_deadlines(ctx).exclude(code__in=OWN_RULE_CODES).filter(_late(ctx))


def _deadline_candidates(qs: Any) -> Any:
    """The candidate statement of a deadline rule: (deadline, alert, unit, unit) of every hit;
    the summary, the evidence and the officer are read for the hits that open a finding."""
    return qs.values_list("pk", Cast("object_id", BigIntegerField()), "unit_id", "unit_id")


def _deadline_describer(candidates: Any, summary: str) -> Any:
    def describe(ctx: PatrolContext, hits: list[Hit]) -> list[Hit]:
        pks = [int(h.subject_id) for h in hits]
        full: dict[tuple[str, str], Hit] = {}
        for start in range(0, len(pks), 500):
            rows = _deadline_rows(candidates(ctx).filter(pk__in=pks[start : start + 500]))
            full.update((h.key, h) for h in _deadline_hits(rows, ctx, summary))
        return [full.get(h.key, h) for h in hits]

    return describe


@patrol_rule(
    "deadline_overdue",
    name="节点超期",
    description="任一节点的法定期限届满仍未办结，或办结时已超过期限。",
    basis="DOMAIN §5、§6：各节点法定期限",
    level=Level.RED,
    rectify_days=3,
    clock_driven=True,
)
@candidates("deadline", describe=_deadline_describer(_overdue, "“{name}”超期（{title}）"))
def deadline_overdue(ctx: PatrolContext) -> Any:
    return _deadline_candidates(_overdue(ctx))


def _notice_late(ctx: PatrolContext) -> Any:
    return _alert_deadlines(ctx).filter(code="non_filing_notice").filter(_late(ctx))


@patrol_rule(
    "non_filing_notice_late",
    name="不予立案通知书未按期送达",
    description="作出不予立案决定后 3 日内未送达不予立案通知书。",
    basis="《公安机关办理刑事案件程序规定》第一百七十八条",
    level=Level.RED,
    rectify_days=3,
    clock_driven=True,
)
@candidates(
    "deadline",
    describe=_deadline_describer(_notice_late, "不予立案通知书未在期限内送达（{title}）"),
)
def non_filing_notice_late(ctx: PatrolContext) -> Any:
    return _deadline_candidates(_notice_late(ctx))


def _alert_hits(
    ctx: PatrolContext,
    rows: Iterable[dict[str, Any]],
    summary: str,
    *,
    desk: bool = False,
    **evidence_keys: str,
) -> list[Hit]:
    """Hits on alerts. ``desk``: the registering desk and its clerk answer (a missing receipt is
    the desk's fault, not the handling unit's)."""
    rows = list(rows)
    officers = {} if desk else ctx.officers(r["pk"] for r in rows)
    return [
        Hit(
            subject_type=OBJECT_ALERT,
            subject_id=r["pk"],
            alert_id=r["pk"],
            unit_id=r["registering_unit_id"]
            if desk
            else r["handling_unit_id"] or r["registering_unit_id"],
            officer_id=r.get("registered_by_id") if desk else officers.get(r["pk"]),
            summary=summary.format(**r),
            evidence={"number": r["number"], **{k: r[v] for k, v in evidence_keys.items()}},
        )
        for r in rows
    ]


ALERT_FIELDS = ("pk", "number", "handling_unit_id", "registering_unit_id")
BARE_ALERT = ("pk", "pk", "handling_unit_id", "registering_unit_id")
BOUNCE_ACTIONS = (Action.RETURN, Action.APPROVE_TRANSFER)


def _on_the_spot(ctx: PatrolContext) -> Any:
    grace = dt.timedelta(minutes=ctx.param("grace_minutes"))
    files = EvidenceFile.objects.filter(alert=OuterRef("pk"), purpose="evidence")
    items = EvidenceItem.objects.filter(alert=OuterRef("pk"))
    no_receipt = Q(receipt_issued_at__isnull=True, registered_at__lt=ctx.now - grace)
    late_receipt = Q(receipt_delay__gt=grace.total_seconds())
    return (
        ctx.alerts()
        .filter(channel__in=ON_THE_SPOT_CHANNELS)
        .annotate(has_files=Exists(files), has_items=Exists(items))
        .alias(receipt_delay=Seconds("registered_at", "receipt_issued_at"))
        .filter(no_receipt | late_receipt | Q(has_files=True, has_items=False))
    )


def _on_the_spot_detailed(ctx: PatrolContext) -> list[Hit]:
    grace = dt.timedelta(minutes=ctx.param("grace_minutes"))
    rows = _on_the_spot(ctx).values(
        *ALERT_FIELDS,
        "registered_by_id",
        "registered_at",
        "receipt_issued_at",
        "has_files",
        "has_items",
    )
    rows = list(rows)
    for r in rows:
        reasons = []
        if r["receipt_issued_at"] is None:
            reasons.append("未出具回执")
        elif r["receipt_issued_at"] > r["registered_at"] + grace:
            reasons.append("回执未当场出具")
        if r["has_files"] and not r["has_items"]:
            reasons.append("有证据文件但无证据材料清单")
        r["reasons"] = "、".join(reasons)
        r["receipt_issued_at"] = _iso(r["receipt_issued_at"])
    return _alert_hits(
        ctx,
        rows,
        "警情 {number}：三个当场缺失（{reasons}）",
        desk=True,
        receipt_issued_at="receipt_issued_at",
        evidence_files="has_files",
        evidence_list="has_items",
    )


_describe_on_the_spot = rerun(_on_the_spot_detailed)


@patrol_rule(
    "on_the_spot_missing",
    name="三个当场缺失",
    description="来所、自助终端、扭送报案未当场出具回执，或接收了证据文件却没有证据材料清单。",
    basis="公安部《关于改革完善受案立案制度的意见》（2015）：当场登记、当场接受证据材料、当场出具回执",
    level=Level.ORANGE,
    params=(Param("grace_minutes", "回执宽限（分钟）", 30, 0, 1440),),
)
@candidates("alert", describe=_describe_on_the_spot)
def on_the_spot_missing(ctx: PatrolContext) -> Any:
    # The desk answers: the hit belongs to the registering unit.
    return _on_the_spot(ctx).values_list("pk", "pk", "registering_unit_id", "registering_unit_id")


CLOSED_AS_NON_CASE = (DecisionKind.CLOSE_NON_CASE, DecisionKind.NOT_POLICE)


def _downgraded(ctx: PatrolContext) -> Any:
    closed = Decision.objects.filter(
        alert=OuterRef("pk"), status=DecisionStatus.APPROVED, kind__in=CLOSED_AS_NON_CASE
    )
    return (
        ctx.alerts()
        .filter(registered_category__is_case_type=True)
        .annotate(closed_as_non_case=Exists(closed))
        .filter(Q(closed_as_non_case=True) | Q(category__is_case_type=False))
    )


def _downgraded_detailed(ctx: PatrolContext) -> list[Hit]:
    rows = _downgraded(ctx).values(
        *ALERT_FIELDS,
        "closed_as_non_case",
        registered_code=F("registered_category__code"),
        current_code=F("category__code"),
    )
    rows = list(rows)
    for r in rows:
        r["how"] = "作非案件处理" if r["closed_as_non_case"] else "改为非涉案类别"
    return _alert_hits(
        ctx,
        rows,
        "警情 {number}：涉案类警情{how}",
        registered_category="registered_code",
        category="current_code",
        closed_as_non_case="closed_as_non_case",
    )


_describe_downgraded = rerun(_downgraded_detailed)


@patrol_rule(
    "case_type_downgraded",
    name="涉案警情作非案件处理或降类",
    description="登记时为涉案类别的警情，按非案件类办结、不属于公安职责办结，或改为非涉案类别（“有案不受”风险）。",
    basis="DOMAIN §6；2015 意见：有警不接、有案不受",
    level=Level.ORANGE,
)
@candidates("alert", describe=_describe_downgraded)
def case_type_downgraded(ctx: PatrolContext) -> Any:
    return _downgraded(ctx).values_list(*BARE_ALERT)


def _bounced(ctx: PatrolContext) -> Any:
    return (
        ctx.alert_filter(AlertFlow.objects.all())
        .annotate(bounces=F("return_count") + F("transfer_count"))
        .filter(bounces__gt=ctx.param("max_bounces"))
    )


def _bounced_detailed(ctx: PatrolContext) -> list[Hit]:
    # The unit that passed it on last answers for the 推诿 (a returned alert has no handling unit).
    last_bouncer = (
        FlowStep.objects.filter(alert=OuterRef("alert_id"), action__in=BOUNCE_ACTIONS)
        .order_by("-at", "-pk")
        .values("from_unit")[:1]
    )
    rows = list(
        _bounced(ctx)
        .annotate(bouncer=Subquery(last_bouncer))
        .values(
            "return_count",
            "transfer_count",
            "bouncer",
            pk=F("alert_id"),
            number=F("alert__number"),
            handling_unit_id=F("alert__handling_unit_id"),
            registering_unit_id=F("alert__registering_unit_id"),
        )
    )
    for r in rows:
        r["handling_unit_id"] = r["bouncer"] or r["handling_unit_id"]
    return _alert_hits(
        ctx,
        rows,
        "警情 {number}：退回 {return_count} 次、移交 {transfer_count} 次",
        returns="return_count",
        transfers="transfer_count",
    )


_describe_bounced = rerun(_bounced_detailed)


@patrol_rule(
    "bounced_alert",
    name="多次退回或移交",
    description="警情被退回、移交合计超过规定次数（推诿扯皮）。",
    basis="DOMAIN §6：受案全归口，不得推诿",
    level=Level.ORANGE,
    params=(Param("max_bounces", "退回与移交合计上限（次）", 2, 1, 20),),
)
@candidates("alert", describe=_describe_bounced)
def bounced_alert(ctx: PatrolContext) -> Any:
    return _bounced(ctx).values_list(
        "alert_id", "alert_id", "alert__handling_unit_id", "alert__registering_unit_id"
    )


@patrol_rule(
    "repeat_reporter",
    name="同一报案人或电话重复报警",
    description="同一报案人（证件号码）或同一电话在规定天数内再次报警。",
    basis="DOMAIN §6：30 日内同一报案人或同一电话再次报警",
    level=Level.YELLOW,
    params=(Param("window_days", "间隔天数", 30, 1, 365),),
    review_chain=("legal_officer", "leader"),
)
def repeat_reporter(ctx: PatrolContext) -> list[Hit]:
    window = dt.timedelta(days=ctx.param("window_days"))
    repeated = _repeats(ctx, window)
    return [
        Hit(OBJECT_ALERT, pk, pk, unit, describe=_describe_repeats)
        for pk, (unit, _by_id, _by_phone) in sorted(repeated.items())
    ]


REPORTER_KEYS = (("id_number_index", "by_id"), ("phone_index", "by_phone"))


def _known(column: str) -> Q:
    return Q(**{f"{column}__isnull": False}) & ~Q(**{column: ""})


def _own_keys(ctx: PatrolContext) -> Any:
    """The blind-index keys of the changed alerts' reporters."""
    return AlertParty.objects.filter(
        role=PartyRole.REPORTER, alert_id__in=ctx.alert_ids or ()
    ).values_list("id_number_index", "phone_index")


def _repeats(ctx: PatrolContext, window: dt.timedelta) -> dict[int, tuple[int, bool, bool]]:
    """alert → (unit, by ID number, by phone) for each alert of the evaluation whose reporter's
    ID number or phone came in on another alert of the bureau within ``window`` before it.

    Matching goes through the blind indexes: no clear value is read or compared. Set-based: one
    statement reads the reporters that can match (the bureau's, or those sharing a key with the
    changed alerts' reporters), then each key's arrivals are compared in time order; no
    correlated look-up per reporter, no date arithmetic in SQL."""
    reporters = AlertParty.objects.filter(
        role=PartyRole.REPORTER, alert__registering_unit_id__in=ctx.units()
    )
    if ctx.alert_ids is not None:
        # The changed alerts' own keys first, then the reporters sharing one, by the two key
        # indexes. (In one statement, with the keys as subqueries, PostgreSQL read every
        # reporter and every alert: 0.3 s at 100 k.)
        # (Compiled once for one alert: ``registry.compiled``.)
        sql, params = compiled(ctx, _own_keys)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            own = cursor.fetchall()
        ids = {i for i, _ in own if i}
        phones = {p for _, p in own if p}
        if not ids and not phones:
            return {}
        reporters = reporters.filter(Q(id_number_index__in=ids) | Q(phone_index__in=phones))
    else:
        reporters = reporters.filter(_known("id_number_index") | _known("phone_index"))
    # Times as epoch seconds and the registration check as a flag: a full patrol reads every
    # reporter of the bureau, and turning two timestamps a row into datetimes was most of it.
    rows: list[tuple[Any, ...]] = list(
        reporters.annotate(
            arrived=Epoch("alert__received_at"),
            registered=ExpressionWrapper(
                Q(alert__registered_at__lte=ctx.now), output_field=BooleanField()
            ),
        )
        .values_list(
            "alert_id",
            "id_number_index",
            "phone_index",
            "arrived",
            "registered",
            "alert__handling_unit_id",
            "alert__registering_unit_id",
        )
        .order_by()
    )
    span = window.total_seconds()
    wanted = ctx.alert_ids
    found: dict[int, tuple[int, bool, bool]] = {}
    for column, (_key, flag) in enumerate(REPORTER_KEYS, start=1):
        by_key: dict[str, list[tuple[float, int]]] = {}
        for row in rows:
            if row[column]:
                by_key.setdefault(row[column], []).append((row[3], row[0]))
        for arrivals in by_key.values():
            if len(arrivals) < 2:
                continue
            arrivals.sort()
            times = [t for t, _ in arrivals]
            for received, alert_id in arrivals:
                # An arrival of this key in [received - window, received): every row of one
                # alert carries that alert's time, so one strictly earlier is another alert's
                # (two bisections; no walk over the window, which made a busy key quadratic).
                lo = bisect.bisect_left(times, received - span)
                if bisect.bisect_left(times, received) <= lo:
                    continue
                unit, by_id, by_phone = found.get(alert_id, (0, False, False))
                found[alert_id] = (unit, by_id or flag == "by_id", by_phone or flag == "by_phone")
    if not found:
        return {}
    # The alerts of this evaluation only (registered by ``now``), with the unit that answers.
    out = {}
    for alert_id, _ids, _phones, _received, registered, handling, registering in rows:
        if alert_id not in found or alert_id in out:
            continue
        if (wanted is not None and alert_id not in wanted) or not registered:
            continue
        _unit, by_id, by_phone = found[alert_id]
        out[alert_id] = (handling or registering, by_id, by_phone)
    return out


def _describe_repeats(ctx: PatrolContext, hits: list[Hit]) -> list[Hit]:
    window_days = ctx.param("window_days")
    rows = []
    for start in range(0, len(hits), 500):
        chunk = frozenset(int(h.subject_id) for h in hits[start : start + 500])
        narrow = PatrolContext(bureau=ctx.bureau, now=ctx.now, params=ctx.params, alert_ids=chunk)
        repeated = _repeats(narrow, dt.timedelta(days=window_days))
        for r in Alert.objects.filter(pk__in=chunk).values(*ALERT_FIELDS, "registered_by_id"):
            if r["pk"] not in repeated:
                continue
            _unit, by_id, by_phone = repeated[r["pk"]]
            r.update(by_id=by_id, by_phone=by_phone, days=window_days)
            r["what"] = "同一报案人" if by_id else "同一电话"
            rows.append(r)
    full = {
        h.key: h
        for h in _alert_hits(
            ctx,
            rows,
            "警情 {number}：{what}在 {days} 日内再次报警",
            by_id_number="by_id",
            by_phone="by_phone",
        )
    }
    return [full.get(h.key, h) for h in hits]


def _registration_late(ctx: PatrolContext) -> Any:
    # The due time is the deadline engine's (``urgent_registration``, started at the take-over).
    due = (
        Deadline.objects.filter(
            object_type="alert",
            object_id=Cast(OuterRef("pk"), CharField()),
            code="urgent_registration",
        )
        .exclude(due_at=None)
        .order_by("-id")
        .values("due_at")[:1]
    )
    # Still pending past the due time, or completed after it: one comparison, so the statement
    # reads the latest due time once per alert (not once per condition).
    completed_or_now = Coalesce("registration_completed_at", Value(ctx.now, DateTimeField()))
    return (
        ctx.alerts()
        .filter(channel=Channel.DISPATCH_110)
        .annotate(registration_due_at=Subquery(due))
        .filter(registration_due_at__lt=completed_or_now)
    )


def _registration_late_detailed(ctx: PatrolContext) -> list[Hit]:
    rows = list(
        _registration_late(ctx).values(
            *ALERT_FIELDS, "registered_by_id", "registration_due_at", "registration_completed_at"
        )
    )
    for r in rows:
        r["state"] = "仍未登记" if r["registration_completed_at"] is None else "登记超时"
        r["registration_due_at"] = _iso(r["registration_due_at"])
        r["registration_completed_at"] = _iso(r["registration_completed_at"])
    return _alert_hits(
        ctx,
        rows,
        "110 警情 {number}：{state}",
        registration_due_at="registration_due_at",
        registration_completed_at="registration_completed_at",
    )


_describe_registration_late = rerun(_registration_late_detailed)


@patrol_rule(
    "dispatch_registration_late",
    name="110 警情未在 24 小时内补录登记",
    description="110 转警处警后未在期限内完成登记。",
    basis="公安部《关于改革完善受案立案制度的意见》（2015）：处警后 24 小时内登记",
    level=Level.ORANGE,
)
@candidates("alert", describe=_describe_registration_late)
def dispatch_registration_late(ctx: PatrolContext) -> Any:
    return _registration_late(ctx).values_list(*BARE_ALERT)


def _unreviewed(ctx: PatrolContext) -> Any:
    def approved(role: str) -> Any:
        return Approval.objects.filter(decision=OuterRef("pk"), role=role, status="approved")

    return (
        ctx.alert_filter(
            Decision.objects.filter(status=DecisionStatus.APPROVED, decided_at__lte=ctx.now)
        )
        .annotate(legal=Exists(approved("legal_brigade")), head=Exists(approved("bureau_head")))
        .filter(
            Q(alert__category__requires_legal_review=True, legal=False)
            | Q(kind__in=(DecisionKind.CRIMINAL_FILE, DecisionKind.NOT_FILE), head=False)
        )
    )


def _unreviewed_detailed(ctx: PatrolContext) -> list[Hit]:
    rows = list(
        _unreviewed(ctx).values(
            "pk",
            "kind",
            "legal",
            "head",
            "alert_id",
            "decided_at",
            number=F("alert__number"),
            requires_legal=F("alert__category__requires_legal_review"),
            handling_unit_id=F("alert__handling_unit_id"),
            registering_unit_id=F("alert__registering_unit_id"),
        )
    )
    officers = ctx.officers(r["alert_id"] for r in rows)
    hits = []
    for r in rows:
        missing = []
        if r["requires_legal"] and not r["legal"]:
            missing.append("法制审核")
        if r["kind"] in (DecisionKind.CRIMINAL_FILE, DecisionKind.NOT_FILE) and not r["head"]:
            missing.append("局领导审批")
        hits.append(
            Hit(
                subject_type="decision",
                subject_id=r["pk"],
                alert_id=r["alert_id"],
                unit_id=r["handling_unit_id"] or r["registering_unit_id"],
                officer_id=officers.get(r["alert_id"]),
                summary=f"警情 {r['number']}：{DecisionKind(r['kind']).label}决定缺少{'、'.join(missing)}",
                evidence={
                    "number": r["number"],
                    "decision": r["pk"],
                    "kind": r["kind"],
                    "missing": missing,
                    "decided_at": _iso(r["decided_at"]),
                },
            )
        )
    return hits


_describe_unreviewed = rerun(_unreviewed_detailed)


@patrol_rule(
    "decision_without_review",
    name="决定缺少法制审核或审批",
    description="须法制审核的类别（经济犯罪、易与纠纷混淆）未经法制大队审核，或刑事立案、不予立案未经局领导审批即作出决定。",
    basis="2015 意见：经济犯罪等案件决定前法制审核；DOMAIN §2：局领导审批刑事立案/不予立案",
    level=Level.RED,
    recipients=(*UNIT_RECIPIENTS, Recipient.LEGAL_BRIGADE),
    rectify_days=3,
)
@candidates("decision", describe=_describe_unreviewed)
def decision_without_review(ctx: PatrolContext) -> Any:
    return _unreviewed(ctx).values_list(
        "pk", "alert_id", "alert__handling_unit_id", "alert__registering_unit_id"
    )


def _dissatisfied(ctx: PatrolContext) -> Any:
    return ctx.alert_filter(
        FollowUp.objects.filter(satisfaction=Satisfaction.DISSATISFIED, done_at__lte=ctx.now)
    )


def _dissatisfied_detailed(ctx: PatrolContext) -> list[Hit]:
    rows = list(
        _dissatisfied(ctx).values(
            "pk",
            "alert_id",
            "done_at",
            number=F("alert__number"),
            handling_unit_id=F("alert__handling_unit_id"),
            registering_unit_id=F("alert__registering_unit_id"),
        )
    )
    officers = ctx.officers(r["alert_id"] for r in rows)
    return [
        Hit(
            subject_type="follow_up",
            subject_id=r["pk"],
            alert_id=r["alert_id"],
            unit_id=r["handling_unit_id"] or r["registering_unit_id"],
            officer_id=officers.get(r["alert_id"]),
            summary=f"警情 {r['number']}：回访群众不满意",
            evidence={"number": r["number"], "follow_up": r["pk"], "done_at": _iso(r["done_at"])},
        )
        for r in rows
    ]


_describe_dissatisfied = rerun(_dissatisfied_detailed)


@patrol_rule(
    "follow_up_dissatisfied",
    name="回访不满意",
    description="回访中群众表示不满意的警情，转办案单位整改。",
    basis="DOMAIN §6：回访不满意",
    level=Level.ORANGE,
    recipients=(*UNIT_RECIPIENTS, Recipient.CENTER_HEAD),
)
@candidates("follow_up", describe=_describe_dissatisfied)
def follow_up_dissatisfied(ctx: PatrolContext) -> Any:
    return _dissatisfied(ctx).values_list(
        "pk", "alert_id", "alert__handling_unit_id", "alert__registering_unit_id"
    )


@patrol_rule(
    "finding_unrectified",
    name="巡查发现逾期未整改",
    description="巡查发现超过整改期限仍未提交整改（或退回后未重新提交），升级一级并提高颜色。",
    basis="DOMAIN §6：逾期未整改的，提级督办",
    level=Level.RED,
    params=(Param("max_escalations", "最多升级次数", 3, 1, 3),),
    recipients=(),
    review_chain=(),
    rectify_days=3,
    incremental=False,
    clock_driven=True,
    escalates=True,
)
def finding_unrectified(ctx: PatrolContext) -> list[Hit]:
    # Its hits are the findings to escalate: the engine reads each one's state itself.
    rows = Finding.objects.filter(
        bureau=ctx.bureau,
        kind=FindingKind.FINDING,
        status__in=AWAITING_RECTIFICATION,
        due_at__lt=ctx.now,
        escalation__lt=ctx.param("max_escalations"),
    ).values_list("pk", "alert_id", "unit_id")
    return [Hit("finding", pk, alert_id, unit_id) for pk, alert_id, unit_id in rows.order_by()]
