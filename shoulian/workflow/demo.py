"""Demo lifecycles for 沙县公安分局: the alerts the intake seeder registered over five months are
routed, signed for, handled and decided through the real services, each step at a plausible moment
after the one before. Steps that would lie in the future do not happen yet, so the youngest alerts
wait in the routing queue, the inboxes and the approval lists; a few are returned, transferred or
disputed, some decisions come late, some alerts stall until their period has run out (red), and
some 不予立案 go to 复议.

Idempotent: alerts that already have a flow are left alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.core.demo import demo_seeder
from shoulian.intake.choices import AlertStatus, CategoryGroup, PartyRole
from shoulian.workflow.choices import Action, DecisionKind

BUREAU_CODE = "350427"
CENTER_CODE = "35042701"
STATIONS = {
    "35042711": "fenggang",
    "35042712": "qiujiang",
    "35042713": "qingzhou",
    "35042714": "xiamao",
    "35042715": "gaosha",
    "35042716": "fukou",
}
BRIGADES = {"35042703": "xingzhen", "35042704": "jingzhen", "35042705": "zhian"}
# 经济犯罪 leaves go to the 经侦大队, 电信网络诈骗 to the 刑侦大队 (rules as data, kept by the head).
ECONOMIC_CODES = ("0106", "0110", "0111", "0116", "0117", "0118")
TELECOM_CODE = "0105"

CRIMINAL_LAW = "《中华人民共和国刑事诉讼法》第一百一十二条"
ADMIN_RULES_60 = "《公安机关办理行政案件程序规定》第六十条"
ADMIN_RULES_61 = "《公安机关办理行政案件程序规定》第六十一条"
DISPATCH_RULES = "《110接处警工作规则》第二十九条"

FACTS: dict[str, str] = {
    DecisionKind.CRIMINAL_FILE: "经初查，报案人所述{name}事实存在，有报案材料、询问笔录和现场勘查记录佐证，"
    "涉案情节已达刑事立案追诉标准，符合立案条件。",
    DecisionKind.NOT_FILE: "经审查，报案人所称{name}一事，经调查核实系双方经济往来引发，"
    "现有证据不能证明有犯罪事实发生。",
    DecisionKind.ADMIN_ACCEPT: "经审查，该起{name}警情事实清楚，属于违反治安管理行为，依法应予受案调查。",
    DecisionKind.TRANSFER_OUT: "经审查，该事项属于{authority}的管辖范围，依法移送并告知报案人。",
    DecisionKind.NOT_POLICE: "经审查，该事项系民事纠纷，不涉及违法犯罪，不属于公安机关职责范围。",
    DecisionKind.CLOSE_NON_CASE: "民警已到场处置，{name}事项已妥善办结，未发现违法犯罪行为。",
    DecisionKind.PUNISH: "经调查，违法行为人实施{name}行为事实清楚，有询问笔录、现场视频等证据证实，"
    "依法应予治安管理处罚。",
    DecisionKind.INVESTIGATION_END: "经侦查，{name}犯罪事实清楚，证据确实、充分，犯罪嫌疑人已归案，"
    "依法应当追究刑事责任。",
}
BASIS: dict[str, str] = {
    DecisionKind.CRIMINAL_FILE: CRIMINAL_LAW,
    DecisionKind.NOT_FILE: CRIMINAL_LAW,
    DecisionKind.ADMIN_ACCEPT: ADMIN_RULES_60,
    DecisionKind.TRANSFER_OUT: ADMIN_RULES_61,
    DecisionKind.NOT_POLICE: ADMIN_RULES_61,
    DecisionKind.CLOSE_NON_CASE: DISPATCH_RULES,
    DecisionKind.PUNISH: "《中华人民共和国治安管理处罚法》",
    DecisionKind.INVESTIGATION_END: "《中华人民共和国刑事诉讼法》第一百六十二条",
}
PENALTY = "罚款五百元"
TRANSFER_AUTHORITIES = [
    "三明市沙县区市场监督管理局",
    "三明市沙县区城市管理局",
    "三明市沙县区交通运输局",
]
CIVIL_AUTHORITIES = [
    "三明市沙县区人民法院",
    "三明市沙县区劳动保障监察大队",
    "沙县区消费者权益保护委员会",
]


@dataclass
class Cast:
    clerks: list[Any]
    head: Any
    chiefs: list[Any]
    legal: list[Any]
    officers: dict[int, list[Any]]
    leaders: dict[int, Any]
    units: dict[str, Any]
    stations: list[Any]


@dataclass
class Run:
    """One alert's history as it unfolds; ``at`` is the moment of the last step."""

    alert: Any
    rng: random.Random
    cast: Cast
    now: datetime
    at: datetime
    done: list[str] = field(default_factory=list)
    # The node this alert waits at (HOLD_NODES), whatever time has passed; "" runs its course.
    hold: str = ""

    def later(self, low_minutes: float, high_minutes: float) -> datetime | None:
        """The next step's moment, or None when it would lie in the future (it has not happened).
        A held alert gets there sooner: its steps up to the node it waits at all lie in the past."""
        moment = self.at + timedelta(minutes=self.rng.uniform(low_minutes, high_minutes))
        if moment >= self.now:
            if not self.hold:
                return None
            moment = self.at + (self.now - self.at) * self.rng.uniform(0.2, 0.5)
        self.at = moment
        return moment

    def step(self, actor: Any, action: str, at: datetime, **payload: Any) -> None:
        from shoulian.workflow.services import alert_transition

        # ``self.alert`` is the copy the last step returned: its version is the current one.
        applied = alert_transition(
            actor=actor,
            alert=self.alert,
            action=action,
            expected_version=self.alert.version,
            now=at,
            **payload,
        )
        self.alert = applied.alert
        self.done.append(action)


def _cast() -> Cast | None:
    from shoulian.accounts.models import User
    from shoulian.org.models import Unit

    users = {u.username: u for u in User.objects.filter(unit__code__startswith=BUREAU_CODE)}
    units = {u.code: u for u in Unit.objects.filter(code__startswith=BUREAU_CODE)}
    if "center.head" not in users or CENTER_CODE not in units:
        return None
    officers: dict[int, list[Any]] = {}
    leaders: dict[int, Any] = {}
    for code, prefix in {**STATIONS, **BRIGADES}.items():
        unit = units[code]
        officers[unit.pk] = [
            u for n, u in sorted(users.items()) if n.startswith(f"{prefix}.officer")
        ]
        leaders[unit.pk] = users[f"{prefix}.leader"]
    return Cast(
        clerks=[
            users[n]
            for n in ("center.clerk", "center.aux1", "center.aux2", "center.aux3", "center.aux4")
        ],
        head=users["center.head"],
        chiefs=[users["bureau.head"], users["bureau.deputy"]],
        legal=[users["legal.reviewer1"], users["legal.reviewer2"]],
        officers=officers,
        leaders=leaders,
        units=units,
        stations=[units[c] for c in STATIONS],
    )


def _routing_rules(cast: Cast) -> int:
    from shoulian.intake.models import Category
    from shoulian.workflow.models import RoutingRule
    from shoulian.workflow.routing import routing_rule_create

    bureau = cast.units[BUREAU_CODE]
    if RoutingRule.objects.filter(bureau=bureau).exists():
        return 0
    created = 0
    for code in ECONOMIC_CODES:
        routing_rule_create(
            actor=cast.head,
            bureau=bureau,
            unit=cast.units["35042704"],
            category=Category.objects.get(code=code),
            note="经济犯罪由经侦大队办理",
        )
        created += 1
    routing_rule_create(
        actor=cast.head,
        bureau=bureau,
        unit=cast.units["35042703"],
        category=Category.objects.get(code=TELECOM_CODE),
        note="电信网络诈骗由刑侦大队集中办理",
    )
    return created + 1


def _kind(run: Run) -> str:
    alert, rng = run.alert, run.rng
    group = alert.category.group
    roll = rng.random()
    if group == CategoryGroup.CRIMINAL:
        return DecisionKind.NOT_FILE if roll < 0.16 else DecisionKind.CRIMINAL_FILE
    if group == CategoryGroup.PUBLIC_ORDER:
        if roll < 0.06:
            return DecisionKind.TRANSFER_OUT
        return DecisionKind.ADMIN_ACCEPT
    if group == CategoryGroup.DISPUTE and (alert.category.requires_legal_review or roll < 0.2):
        return DecisionKind.NOT_POLICE
    if group == CategoryGroup.TIP_OFF and roll < 0.25:
        return DecisionKind.CRIMINAL_FILE
    return DecisionKind.CLOSE_NON_CASE


def _officer(run: Run) -> Any:
    return run.rng.choice(run.cast.officers[run.alert.handling_unit_id])


def _center_actor(run: Run) -> Any:
    """Center clerks see the alerts registered at the center; the head sees the whole bureau."""
    if run.alert.registering_unit_id == run.cast.units[CENTER_CODE].pk:
        return run.rng.choice(run.cast.clerks)
    return run.cast.head


def _handled_by_cast(run: Run) -> bool:
    return bool(run.cast.officers.get(run.alert.handling_unit_id))


def _other_station(run: Run, avoid: Any) -> Any:
    return run.rng.choice([s for s in run.cast.stations if s.pk != getattr(avoid, "pk", None)])


def _route(run: Run, action: str = Action.ROUTE) -> bool:
    from shoulian.workflow.routing import suggest

    at = run.later(4, 90)
    if at is None:
        return False
    suggestion = suggest(run.alert)
    unit = suggestion.unit or _other_station(run, None)
    reason = "" if suggestion.unit is not None else "发案地点不在已登记辖区，按报案人住址分派"
    run.step(_center_actor(run), action, at, unit=unit, reason=reason)
    return True


def _bounce(run: Run) -> bool:
    """Before signing: sometimes returned (and re-routed), sometimes disputed (and designated).
    In the last three days bounces are more frequent and half still wait for the center."""
    recent = run.now - run.alert.registered_at < timedelta(days=3)
    roll = run.rng.random() * (0.3 if recent else 1)
    waiting = recent and run.rng.random() < 0.5
    if roll < 0.06:
        at = run.later(30, 300)
        if at is None:
            return False
        origin = run.alert.handling_unit
        run.step(_officer(run), Action.RETURN, at, reason="经核实发案地点不在本所辖区")
        if waiting:
            return False
        at = run.later(10, 120)
        if at is None:
            return False
        target = _other_station(run, origin)
        run.step(
            _center_actor(run),
            Action.REROUTE,
            at,
            unit=target,
            reason=f"根据退回理由改派{target.name}",
        )
    elif roll < 0.085:
        at = run.later(30, 240)
        if at is None:
            return False
        claimed = _other_station(run, run.alert.handling_unit)
        run.step(
            _officer(run),
            Action.RAISE_DISPUTE,
            at,
            claimed_unit=claimed,
            reason="发案地点位于两所辖区交界处，应由对方派出所管辖",
        )
        if waiting:
            return False
        at = run.later(60, 900)
        if at is None:
            return False
        designated = run.rng.choice([claimed, run.alert.handling_unit])
        run.step(
            run.cast.head,
            Action.DESIGNATE,
            at,
            unit=designated,
            reason=f"经核查发案现场，指定{designated.name}管辖",
        )
    return True


def _sign_and_start(run: Run) -> bool:
    at = run.later(10, 360)
    if at is None:
        return False
    officer = _officer(run)
    run.step(officer, Action.SIGN_FOR, at)
    at = run.later(10, 150)
    if at is None:
        return False
    run.step(officer, Action.START_HANDLING, at)
    return True


def _transfer(run: Run) -> bool:
    recent = run.now - run.alert.registered_at < timedelta(days=3)
    if run.rng.random() >= (0.1 if recent else 0.03):
        return True
    at = run.later(60, 600)
    if at is None:
        return False
    target = _other_station(run, run.alert.handling_unit)
    run.step(
        _officer(run),
        Action.REQUEST_TRANSFER,
        at,
        unit=target,
        reason="嫌疑人及主要证据在对方辖区，申请移交",
    )
    if recent and run.rng.random() < 0.5:
        return False  # waits for the center
    at = run.later(15, 180)
    if at is None:
        return False
    run.step(_center_actor(run), Action.APPROVE_TRANSFER, at)
    return _sign_and_start(run)


def _propose_and_decide(run: Run, kind: str) -> bool:
    from shoulian.workflow.models import Decision
    from shoulian.workflow.services import decision_approve, decision_reject

    group = run.alert.category.group
    if group == CategoryGroup.PUBLIC_ORDER:
        low, high = 60, 20 * 60
    elif group == CategoryGroup.CRIMINAL:
        low, high = 6 * 60, 60 * 60
    else:
        low, high = 30, 36 * 60
    if run.rng.random() < 0.1:
        low, high = high, high * 2  # a late decision: the period runs out first
    at = run.later(low, high)
    if at is None:
        return False
    officer = _officer(run)
    authority = ""
    if kind == DecisionKind.TRANSFER_OUT:
        authority = run.rng.choice(TRANSFER_AUTHORITIES)
    elif kind == DecisionKind.NOT_POLICE:
        authority = run.rng.choice(CIVIL_AUTHORITIES)
    elif kind == DecisionKind.INVESTIGATION_END:
        authority = PROCURATORATE
    facts = FACTS[kind].format(name=run.alert.category.name, authority=authority)
    run.step(
        officer,
        Action.PROPOSE,
        at,
        kind=kind,
        facts=facts,
        legal_basis=BASIS[kind],
        authority=authority,
        penalty=PENALTY if kind == DecisionKind.PUNISH else "",
    )
    decision = Decision.objects.get(alert=run.alert, status="pending")
    for approval in decision.approvals.order_by("position"):
        if approval.role == run.hold:
            return False  # waits in this approver's list
        at = run.later(30, 12 * 60)
        if at is None:
            return False
        approver = _approver(run, approval)
        version = run.alert.version
        if approval.position == 1 and run.rng.random() < 0.04:
            run.alert = decision_reject(
                actor=approver,
                decision=decision,
                expected_version=version,
                reason="证据材料不全，请补充询问笔录后重新报批",
                now=at,
            ).alert
            run.done.append(Action.REJECT)
            return _propose_and_decide(run, kind)
        decision.refresh_from_db()
        applied = decision_approve(
            actor=approver, decision=decision, expected_version=version, note="同意。", now=at
        )
        run.alert = applied.alert
        run.done.append(Action.APPROVE)
    return True


def _approver(run: Run, approval: Any) -> Any:
    if approval.role == "leader":
        return run.cast.leaders[approval.unit_id]
    if approval.role == "legal_brigade":
        return run.rng.choice(run.cast.legal)
    return run.rng.choice(run.cast.chiefs)


def _after_not_filed(run: Run) -> bool:
    from shoulian.intake.models import AlertParty
    from shoulian.workflow.models import Approval

    late = run.rng.random() < 0.08
    at = run.later(4 * 24 * 60, 6 * 24 * 60) if late else run.later(60, 48 * 60)
    if at is None:
        return False
    run.step(_officer(run), Action.SERVE_NOTICE, at, method=run.rng.choice(["in_person", "letter"]))
    if run.rng.random() >= 0.3:
        return True
    at = run.later(24 * 60, 6 * 24 * 60)
    if at is None:
        return False
    applicant = AlertParty.objects.filter(alert=run.alert, role=PartyRole.REPORTER).first()
    if applicant is None:
        return True
    run.step(
        _center_actor(run),
        Action.APPLY_RECONSIDERATION,
        at,
        applicant=applicant.pk,
        applied_at=at,
        grounds="申请人认为对方以借款为名骗取钱款，应予立案侦查。",
    )
    at = run.later(5 * 24 * 60, 25 * 24 * 60)
    if at is None:
        return False
    deciders = set(
        Approval.objects.filter(decision__alert=run.alert).values_list("decided_by", flat=True)
    )
    chief = next(c for c in run.cast.chiefs if c.pk not in deciders)
    if run.rng.random() < 0.8:
        run.step(
            chief,
            Action.UPHOLD_RECONSIDERATION,
            at,
            reason="原决定认定事实清楚、证据充分，予以维持",
        )
        # The 复议决定书 is served on the applicant; the 复核 window counts from its receipt.
        at = run.later(24 * 60, 4 * 24 * 60)
        if at is not None and run.rng.random() < 0.9:
            run.step(_officer(run), Action.SERVE_RECONSIDERATION_DECISION, at, served_at=at)
        return True
    run.step(
        chief,
        Action.REVOKE_RECONSIDERATION,
        at,
        reason="原决定认定事实不清，撤销，由办案单位重新审查",
    )
    return _propose_and_decide(run, DecisionKind.CRIMINAL_FILE)


def _follow_up(run: Run) -> None:
    if run.rng.random() >= 0.65:
        return
    wait = (
        (9 * 24 * 60, 16 * 24 * 60)
        if run.alert.status == AlertStatus.NOT_FILED
        else (24 * 60, 8 * 24 * 60)
    )
    at = run.later(*wait)
    if at is None:
        return
    satisfied = run.rng.random() < 0.9
    run.step(
        _center_actor(run),
        Action.FOLLOW_UP,
        at,
        satisfied=satisfied,
        reason="电话回访，报案人对办理情况表示满意"
        if satisfied
        else "电话回访，报案人认为办理进度慢",
    )


# The alerts of the last days wait one at each node, so every role's queue holds work on the day
# the demo is loaded: the center's routing, the station's sign-for, the officer's proposal, and
# an approval at each level. Held alerts keep their clocks running: near due, some overdue.
HOLD_DAYS = 3
APPROVAL_HOLDS = ("leader", "legal_brigade", "bureau_head")
HOLD_NODES = ("route", "sign", "handle", *APPROVAL_HOLDS)


def _holds(alerts: list[Any], now: datetime) -> dict[int, str]:
    """Which of the recent alerts waits where: each node in turn takes the newest alert that can
    wait there (routing: registered at the center; the legal brigade: a category it reviews
    first; the bureau head: a criminal case), twice round."""
    recent = [a for a in reversed(alerts) if now - a.registered_at < timedelta(days=HOLD_DAYS)]
    holds: dict[int, str] = {}
    for node in HOLD_NODES * 2:
        for alert in recent:
            fits = (
                (node != "route" or alert.handling_unit_id is None)
                and (node != "legal_brigade" or alert.category.requires_legal_review)
                and (node != "bureau_head" or alert.category.group == CategoryGroup.CRIMINAL)
            )
            if alert.pk not in holds and fits:
                holds[alert.pk] = node
                break
    return holds


PROCURATORATE = "三明市沙县区人民检察院"


def _conclude_criminal(run: Run) -> None:
    """About half of the filed cases are solved (破案, the reporter gets the SMS); some of those
    are sent for prosecution; a few are revoked. The rest are still being investigated."""
    roll = run.rng.random()
    if roll < 0.06:
        at = run.later(10 * 24 * 60, 50 * 24 * 60)
        if at is not None:
            run.step(
                run.rng.choice(run.cast.chiefs),
                Action.REVOKE_CASE,
                at,
                reason="经侦查，涉案款物系报案人亲属借用，没有犯罪事实。",
            )
        return
    if roll >= 0.5:
        return
    at = run.later(2 * 24 * 60, 40 * 24 * 60)
    if at is None:
        return
    run.step(_officer(run), Action.SOLVE, at, reason="经侦查，犯罪嫌疑人已被抓获，涉案财物已追回。")
    if run.rng.random() < 0.5:
        # 侦查终结 along its chain (办案单位领导、法制大队、局领导), proposed by the officer.
        if run.later(10 * 24 * 60, 50 * 24 * 60) is not None:
            _propose_and_decide(run, DecisionKind.INVESTIGATION_END)


def _conclude_public_order(run: Run) -> None:
    """Most 治安 cases are decided within their 30 days (处罚决定, 不予处罚 or 调解) and closed
    (结案, with the SMS); a few are still open, their clock running."""
    roll = run.rng.random()
    if roll >= 0.92:
        return
    at = run.later(3 * 24 * 60, 26 * 24 * 60)
    if at is None:
        return
    leader = run.cast.leaders[run.alert.handling_unit_id]
    if roll < 0.25:
        run.step(leader, Action.MEDIATE, at, reason="经调解，双方达成协议并当场履行。")
        return
    if roll < 0.35:
        run.step(leader, Action.NOT_PUNISH, at, reason="违法行为情节特别轻微，依法不予处罚。")
    elif not _propose_and_decide(run, DecisionKind.PUNISH):
        # 处罚决定 along its chain (所队领导、法制大队、局领导); still waiting for an approver.
        return
    at = run.later(24 * 60, 10 * 24 * 60)
    if at is not None and run.rng.random() < 0.85:
        run.step(_officer(run), Action.CONCLUDE_CASE, at)


def _conclude(run: Run) -> None:
    from shoulian.workflow.models import Decision

    kind = (
        Decision.objects.filter(
            alert=run.alert,
            status="approved",
            kind__in=(DecisionKind.CRIMINAL_FILE, DecisionKind.ADMIN_ACCEPT),
        )
        .values_list("kind", flat=True)
        .first()
    )
    if kind == DecisionKind.CRIMINAL_FILE:
        _conclude_criminal(run)
    elif kind == DecisionKind.ADMIN_ACCEPT and run.alert.handling_unit_id in run.cast.leaders:
        if run.alert.category.group == CategoryGroup.PUBLIC_ORDER:
            _conclude_public_order(run)


def advance(run: Run) -> None:
    """Lay out one alert's lifecycle up to the present moment."""
    alert = run.alert
    # An alert held further down the line skips the random stops before its node (the center's
    # backlog, a bounce or transfer still waiting, a stall): otherwise whether an approver's list
    # holds work on the day the demo is loaded depended on the rolls of that day's alert numbers.
    onward = run.hold in ("sign", "handle", *APPROVAL_HOLDS)
    if alert.status == AlertStatus.REGISTERED and alert.handling_unit_id is None:
        if run.hold == "route":
            return
        recent = run.now - alert.registered_at < timedelta(hours=24)
        if not onward and recent and run.rng.random() < 0.5:
            return  # the center's backlog of the last hours
        if not _route(run) or (not onward and not _bounce(run)):
            return
    elif alert.status != AlertStatus.REGISTERED:
        return
    if not _handled_by_cast(run) or run.hold == "sign":
        return
    if not _sign_and_start(run) or (not onward and not _transfer(run)) or run.hold == "handle":
        return
    if not onward and run.rng.random() < 0.03:
        return  # stalls in handling: its period runs out and the queues show it red
    if not _propose_and_decide(run, _kind(run)):
        return
    if run.alert.status == AlertStatus.NOT_FILED and not _after_not_filed(run):
        return
    if run.alert.status != AlertStatus.HANDLING:
        _follow_up(run)
    if run.alert.status in (
        AlertStatus.CRIMINAL_CASE,
        AlertStatus.ADMIN_CASE,
        AlertStatus.FOLLOWED_UP,
    ):
        _conclude(run)


@demo_seeder(order=30, name="workflow")
def seed_workflow(**_: Any) -> str:
    from shoulian.intake.models import Alert
    from shoulian.workflow.models import AlertFlow
    from shoulian.workflow.services import TransitionError

    cast = _cast()
    if cast is None:
        return "未找到演示分局，跳过"
    now = timezone.now()
    with transaction.atomic():
        rules = _routing_rules(cast)
        seen = set(AlertFlow.objects.values_list("alert_id", flat=True))
        alerts = list(
            Alert.objects.filter(registering_unit__code__startswith=BUREAU_CODE)
            .exclude(pk__in=seen)
            .select_related("category", "handling_unit", "jurisdiction_station")
            .order_by("registered_at", "id")
        )
        counts: dict[str, int] = {}
        refused = 0
        # Over every recent alert, those with a flow included, so a second run holds the same.
        recent = (
            Alert.objects.filter(
                registering_unit__code__startswith=BUREAU_CODE,
                registered_at__gte=now - timedelta(days=HOLD_DAYS),
            )
            .select_related("category")
            .order_by("registered_at", "id")
        )
        holds = _holds(list(recent), now)
        for alert in alerts:
            rng = random.Random(f"workflow-{alert.number}")  # noqa: S311 - demo data
            run = Run(alert, rng, cast, now, alert.registered_at, hold=holds.get(alert.pk, ""))
            try:
                advance(run)
            except TransitionError:
                refused += 1
            for action in run.done:
                counts[action] = counts.get(action, 0) + 1
    from shoulian.workflow.models import Decision

    decided = Decision.objects.filter(
        status="approved", alert__registering_unit__code__startswith=BUREAU_CODE
    ).count()
    return (
        f"流转 {len(alerts)} 起：分派 {counts.get(Action.ROUTE, 0)}，签收 {counts.get(Action.SIGN_FOR, 0)}，"
        f"退回 {counts.get(Action.RETURN, 0)}，移交 {counts.get(Action.APPROVE_TRANSFER, 0)}，"
        f"争议 {counts.get(Action.RAISE_DISPUTE, 0)}，审批 {counts.get(Action.APPROVE, 0)}，"
        f"回访 {counts.get(Action.FOLLOW_UP, 0)}，破案 {counts.get(Action.SOLVE, 0)}，"
        f"结案 {counts.get(Action.CONCLUDE_CASE, 0) + counts.get(Action.MEDIATE, 0)}；分派规则 +{rules}"
        + (f"；{refused} 起未能推进" if refused else "")
        + f"（决定 {decided} 起）"
    )
