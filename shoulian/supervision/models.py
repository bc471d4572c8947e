"""Supervision (监督全覆盖): versioned patrol-rule settings, patrol runs, findings deduplicated per
rule and object, their rectification rounds with review steps, and the staff inbox."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shoulian.accounts.choices import Role
from shoulian.core.policy import VIEW
from shoulian.core.scoping import ScopedQuerySet
from shoulian.supervision.choices import (
    ACTIVE_STATUSES,
    FindingKind,
    FindingSource,
    FindingStatus,
    Level,
    MessageKind,
    RunKind,
    RunStatus,
    StepStatus,
)

USER = settings.AUTH_USER_MODEL


class PatrolRule(models.Model):
    """One version of a patrol rule's settings. The predicate is code (``rules.py``, registered by
    ``@patrol_rule(code)``); what the legal brigade tunes is here: parameters, level, recipients,
    the rectification period, the review chain and on/off. Rows are never edited: a change is a new
    version. ``bureau`` empty is the default (seeded by migration), set for a bureau's own."""

    code = models.CharField("规则代码", max_length=60)
    bureau = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="适用分局",
    )
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=80)
    level = models.CharField("等级", max_length=8, choices=Level.choices)
    params = models.JSONField("参数", default=dict)
    recipients = models.JSONField("推送对象", default=list)
    review_chain = models.JSONField("整改审核层级", default=list)
    rectify_days = models.PositiveSmallIntegerField("整改期限（日）", default=7)
    is_active = models.BooleanField("启用", default=True)
    effective_from = models.DateField("生效日期")
    change_reason = models.CharField("修订理由", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "巡查规则"
        verbose_name_plural = "巡查规则"
        ordering = ["code", "effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(bureau__isnull=True),
                name="patrolrule_default_version_unique",
            ),
            models.UniqueConstraint(
                fields=["code", "bureau", "version"],
                condition=Q(bureau__isnull=False),
                name="patrolrule_bureau_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class PatrolRunQuerySet(ScopedQuerySet["PatrolRun"]):
    scope_fields = ("bureau",)


class PatrolRun(models.Model):
    """The record a full patrol leaves (日巡查): which rule versions, how much was examined, what
    it found and how long it took."""

    kind = models.CharField("方式", max_length=10, choices=RunKind.choices)
    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    status = models.CharField(
        "状态", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    # The moment the rules were evaluated at (the demo lays out past days).
    as_of = models.DateTimeField("巡查时点")
    rules = models.JSONField("规则版本", default=list)
    alerts_examined = models.PositiveIntegerField("检查警情数", default=0)
    hits = models.PositiveIntegerField("命中数", default=0)
    opened = models.PositiveIntegerField("新发现", default=0)
    reopened = models.PositiveIntegerField("再次命中", default=0)
    raised = models.PositiveIntegerField("预警升级", default=0)
    cleared = models.PositiveIntegerField("已消除", default=0)
    escalated = models.PositiveIntegerField("逾期升级", default=0)
    duration_ms = models.PositiveIntegerField("用时（毫秒）", default=0)
    triggered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.CharField("错误", max_length=300, blank=True)

    objects = PatrolRunQuerySet.as_manager()

    class Meta:
        verbose_name = "巡查记录"
        verbose_name_plural = "巡查记录"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["bureau", "started_at"], name="patrolrun_bureau_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of:%Y-%m-%d}"


def _roles_of(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return frozenset(user.role_set)


# Who sees which findings (issue 11 §6), decided here rather than by the generic unit scope:
# the units' own roles see their unit's findings (and its sub-units'); the center, the legal
# brigade and the bureau head the bureau's, since they review and are escalated to; the inspector
# reads the bureau's (acting is the lifecycle's business, which never lets the inspector act); a
# 接报警员 only those addressed to the clerk (a missing receipt is the desk's); the administrator,
# having no content role (三员分立), none; another bureau, none.
UNIT_FINDING_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER})
BUREAU_FINDING_ROLES = frozenset(
    {Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR}
)
FINDING_ROLES = UNIT_FINDING_ROLES | BUREAU_FINDING_ROLES


def _bureau_id(user: Any) -> int:
    # Remembered on the user object: one request asks for it on every list and count.
    cache: dict[str, int] = user.__dict__.setdefault("_finding_scope", {})
    if "bureau" not in cache:
        cache["bureau"] = user.unit.bureau().pk
    return cache["bureau"]


class FindingQuerySet(ScopedQuerySet["Finding"]):
    scope_fields = ("unit",)

    def visible_to(self, user: Any, action: str = VIEW) -> Self:
        return self._visible(user, action, by_order=False)

    def visible_by_order(self, user: Any, action: str = VIEW) -> Self:
        """The bureau compared as ``bureau_id + 0`` (no index answers it): a list walks the
        index of its own order instead of sorting the bureau's findings (issue 14)."""
        return self._visible(user, action, by_order=True)

    def _visible(self, user: Any, action: str, *, by_order: bool) -> Self:
        if action != VIEW:
            # Acting on a finding is decided by its lifecycle (supervision/workflow.py).
            return super()._visible(user, action, by_order=by_order)
        roles = _roles_of(user) - {Role.ADMIN}
        unit = getattr(user, "unit", None) if roles else None
        if unit is None:
            return self.none()
        qs = self.alias(_scope_bureau=F("bureau_id") + 0) if by_order else self
        bureau_field = "_scope_bureau" if by_order else "bureau_id"
        condition = Q(pk__in=[])
        if roles & BUREAU_FINDING_ROLES:
            condition |= Q(**{bureau_field: _bureau_id(user)})
        if roles & UNIT_FINDING_ROLES:
            condition |= Q(unit__path__startswith=unit.path)
        if Role.CLERK in roles:
            condition |= Q(officer_id=user.pk, **{bureau_field: _bureau_id(user)})
        return qs.filter(condition)


class Finding(models.Model):
    """A rule hit (巡查发现) or a warning (预警): one per rule and object, ever. A second hit on the
    same object updates it; a rule that stops matching closes it with a reason."""

    rule_code = models.CharField("规则代码", max_length=60)
    rule = models.ForeignKey(
        PatrolRule, on_delete=models.PROTECT, related_name="findings", verbose_name="规则版本"
    )
    kind = models.CharField("类型", max_length=10, choices=FindingKind.choices)
    source = models.CharField(
        "来源", max_length=20, choices=FindingSource.choices, default=FindingSource.PATROL
    )
    # The object the rule speaks about (an alert, a running deadline, a follow-up …): the
    # deduplication key with the rule code.
    subject_type = models.CharField("对象类型", max_length=40)
    subject_id = models.CharField("对象编号", max_length=64)
    alert = models.ForeignKey(
        "intake.Alert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name="警情",
    )
    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    # The unit that must rectify (the alert's handling unit, or the registering desk).
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="责任民警",
    )
    base_level = models.CharField("规则等级", max_length=8, choices=Level.choices)
    level = models.CharField("当前等级", max_length=8, choices=Level.choices)
    escalation = models.PositiveSmallIntegerField("升级次数", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    summary = models.CharField("问题", max_length=300)
    # Which fields and which events the hit rests on (no personal data: ids, numbers, times).
    evidence = models.JSONField("依据", default=dict)
    opened_at = models.DateTimeField("发现时间")
    last_seen_at = models.DateTimeField("最近命中时间")
    due_at = models.DateTimeField("整改期限", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    close_reason = models.CharField("关闭原因", max_length=300, blank=True)
    # Free text carried over from the feedback app's 督办事项 (the citizen's dissatisfaction as
    # the center wrote it down, migration 0003); findings of the patrol leave it empty.
    note = models.TextField("情况说明", blank=True, help_text="回访督办事项转来的群众意见原文")
    # Compare-and-set counter of the finding's lifecycle (R6).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = "巡查发现"
        verbose_name_plural = "巡查发现"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "subject_type", "subject_id"], name="finding_one_per_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["bureau", "status", "opened_at"], name="finding_bureau_idx"),
            models.Index(fields=["unit", "status"], name="finding_unit_idx"),
            models.Index(fields=["status", "due_at"], name="finding_due_idx"),
            models.Index(fields=["rule_code", "status"], name="finding_rule_idx"),
            # The 巡查发现 list (issue 14): keyset pages newest first, per kind.
            models.Index(fields=["kind", "opened_at", "id"], name="finding_list_idx"),
            # The list of one rule (回访不满意, ?rule=…): that rule's findings in the list's order,
            # the status checked on the way, instead of walking every finding to find a rare
            # rule's (issue 14).
            models.Index(
                fields=["rule_code", "kind", "opened_at", "id"], name="finding_rule_list_idx"
            ),
            models.Index(fields=["kind", "status", "level"], name="finding_count_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.subject_type}:{self.subject_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_warning(self) -> bool:
        return self.kind == FindingKind.WARNING


class RectificationQuerySet(ScopedQuerySet["Rectification"]):
    scope_fields = ("finding__unit",)

    def visible_to(self, user: Any, action: str = VIEW) -> Self:
        return self.filter(finding__in=Finding.objects.visible_to(user, action).values("pk"))


class Rectification(models.Model):
    """One answer of the responsible unit (整改情况) and its way up the review chain."""

    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="rectifications", verbose_name="巡查发现"
    )
    round = models.PositiveSmallIntegerField("轮次")
    text = models.TextField("整改情况")
    # The alert as it stood when the answer was given (status, unit), so a reviewer sees whether
    # the corrected state is really there.
    alert_state = models.JSONField("警情当前状态", default=dict)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间")
    outcome = models.CharField("结果", max_length=10, choices=StepStatus.choices, blank=True)
    # Proof of the correction (the served notice, the receipt issued late …): files of the
    # alert's file, uploaded through intake's evidence pipeline (checked by content, hashed,
    # journalled) with the purpose 整改材料.
    files = models.ManyToManyField(
        "intake.EvidenceFile", blank=True, related_name="+", verbose_name="整改材料"
    )

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = "整改"
        verbose_name_plural = "整改"
        ordering = ["finding", "round"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "round"], name="rectification_round"),
        ]

    def __str__(self) -> str:
        return f"整改 {self.finding_id}#{self.round}"


class ReviewStep(models.Model):
    """One level of the review of a rectification. Only the first undecided step is PENDING."""

    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("审核角色", max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="审核单位"
    )
    status = models.CharField(
        "状态", max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "整改审核"
        verbose_name_plural = "整改审核"
        ordering = ["rectification", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rectification", "position"], name="reviewstep_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.rectification_id} #{self.position} {self.role}"


class InboxMessageQuerySet(models.QuerySet["InboxMessage"]):
    def for_user(self, user: Any) -> InboxMessageQuerySet:
        if not _roles_of(user):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> InboxMessageQuerySet:
        return self.filter(read_at__isnull=True)


class InboxMessage(models.Model):
    """A message in a staff member's inbox (站内消息): a finding pushed to the officer, its cc to
    the leader and the legal officer, a review request, a return, an escalation. Only the
    recipient reads it."""

    recipient = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="接收人"
    )
    finding = models.ForeignKey(
        Finding,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name="巡查发现",
    )
    kind = models.CharField("类型", max_length=12, choices=MessageKind.choices)
    title = models.CharField("标题", max_length=200)
    # A notice's page (a path of this site), set by the app that sent it.
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = InboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="inbox_unread_idx"),
            models.Index(fields=["recipient", "created_at"], name="inbox_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"
