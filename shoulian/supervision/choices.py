"""Choice sets of supervision (监督全覆盖): patrol rules, findings, rectification and the inbox."""

from __future__ import annotations

from django.db import models

from shoulian.accounts.choices import Role


class Level(models.TextChoices):
    """The colour of a finding (DOMAIN §3: 黄/橙/红); escalation raises it."""

    YELLOW = "yellow", "黄色"
    ORANGE = "orange", "橙色"
    RED = "red", "红色"


LEVEL_ORDER: dict[str, int] = {Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}


def raised(level: str) -> str:
    """One colour up; red stays red."""
    steps: dict[str, str] = {Level.YELLOW: Level.ORANGE, Level.ORANGE: Level.RED}
    return steps.get(level, Level.RED)


class FindingKind(models.TextChoices):
    # A warning (预警) tells the unit a node is running out (50 %/80 %); nothing to rectify, it
    # closes by itself when the node is done or turns into a finding when the period runs out.
    WARNING = "warning", "预警"
    FINDING = "finding", "巡查发现"


class FindingStatus(models.TextChoices):
    OPEN = "open", "待整改"
    REVIEWING = "reviewing", "整改审核中"
    RETURNED = "returned", "退回整改"
    CLOSED = "closed", "已销号"
    # The rule no longer matches (corrected, period extended, rule switched off): closed with the
    # reason on the row, never deleted.
    CLEARED = "cleared", "已消除"


# Statuses in which a finding still waits for somebody.
ACTIVE_STATUSES = frozenset({FindingStatus.OPEN, FindingStatus.REVIEWING, FindingStatus.RETURNED})
# Statuses in which the responsible unit has to act (rectify); only these escalate.
AWAITING_RECTIFICATION = frozenset({FindingStatus.OPEN, FindingStatus.RETURNED})


class Recipient(models.TextChoices):
    """Who a finding is pushed to, relative to the alert (DOMAIN §6: officer, cc leader)."""

    OFFICER = "officer", "办案民警"
    LEADER = "leader", "所队领导（抄送）"
    LEGAL_OFFICER = "legal_officer", "所队法制员（抄送）"
    CENTER_HEAD = "center_head", "受立案中心负责人"
    LEGAL_BRIGADE = "legal_brigade", "法制大队"


class ReviewRole(models.TextChoices):
    """The levels of the rectification chain (所队法制员 → 所队领导 → 受立案管理中心 → 法制大队)."""

    LEGAL_OFFICER = Role.LEGAL_OFFICER.value, "所队法制员"
    LEADER = Role.LEADER.value, "所队领导"
    CENTER_HEAD = Role.CENTER_HEAD.value, "受立案管理中心"
    LEGAL_BRIGADE = Role.LEGAL_BRIGADE.value, "法制大队"


DEFAULT_CHAIN = (
    ReviewRole.LEGAL_OFFICER,
    ReviewRole.LEADER,
    ReviewRole.CENTER_HEAD,
    ReviewRole.LEGAL_BRIGADE,
)
# Review roles that sit in the finding's own unit; the others sit at the bureau.
UNIT_REVIEW_ROLES = frozenset({ReviewRole.LEGAL_OFFICER, ReviewRole.LEADER})


class StepStatus(models.TextChoices):
    WAITING = "waiting", "待前一级"
    PENDING = "pending", "待审核"
    APPROVED = "approved", "审核通过"
    RETURNED = "returned", "退回"
    CANCELLED = "cancelled", "已取消"


class MessageKind(models.TextChoices):
    FINDING = "finding", "巡查发现"
    CC = "cc", "抄送"
    WARNING = "warning", "预警"
    ESCALATED = "escalated", "逾期升级"
    REVIEW = "review", "待审核整改"
    RETURNED = "returned", "整改退回"
    CLOSED = "closed", "已销号"
    CLEARED = "cleared", "已消除"
    # A notice another app sends with a link to its own page (an issued bulletin …); supervision
    # only stores and lists it.
    NOTICE = "notice", "通知"
    # A new deduction of the score ledger (assessment), told to the officer and the unit leader.
    DEDUCTION = "deduction", "考评扣分"


# The kinds a notice of an app above supervision may carry (``services.inbox_notify``).
NOTICE_KINDS = frozenset({MessageKind.NOTICE, MessageKind.DEDUCTION})


class RunKind(models.TextChoices):
    DAILY = "daily", "日巡查"
    MANUAL = "manual", "手动巡查"


class RunStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    DONE = "done", "完成"
    FAILED = "failed", "失败"


class FindingSource(models.TextChoices):
    PATROL = "patrol", "规则巡查"
    # Rows carried over from the feedback app's 督办事项 (migration 0003).
    FOLLOW_UP_ITEM = "follow_up_item", "回访督办事项"
    # Raised by a reviewer (所队法制员, the center, the legal brigade) through ``finding_raise``:
    # no predicate speaks for it, so the patrol neither clears nor reopens it.
    MANUAL = "manual", "人工巡查"


# The settings row of reviewers' free findings (a finding with no rule behind it): its level is
# the reviewer's, its recipients, rectification period and review chain are data like any
# rule's (seeded by migration 0005). It has no predicate, so it is not in the code registry.
MANUAL_RULE_CODE = "manual_review"


# Escalation levels: who is told when a finding is not rectified in time.
ESCALATION_LABELS = {
    0: "所队",
    1: "受立案管理中心",
    2: "法制大队",
    3: "局领导",
}
MAX_ESCALATION = 3
