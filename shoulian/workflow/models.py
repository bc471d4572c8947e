"""State the workflow keeps beside the alert: routing rules and routings, the flow history, transfer
requests, disputes, decisions with their approval steps, numbered documents, notifications to the
reporter, 复议/复核 and the configuration (approval chains, document prefixes).

The alert's own ``status``, ``handling_unit`` and ``version`` are changed only by
``shoulian.workflow.services.alert_transition`` with a compare-and-set update.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.core.scoping import ScopedQuerySet
from shoulian.intake.choices import AlertStatus
from shoulian.workflow.choices import (
    Action,
    ApprovalStatus,
    CaseStage,
    ChainCondition,
    DecisionKind,
    DecisionStatus,
    DocumentKind,
    NotificationChannel,
    NotificationPurpose,
    NotificationStatus,
    ReconsiderationKind,
    ReconsiderationStatus,
    RequestStatus,
)

ALERT_SCOPE = ("alert__registering_unit", "alert__handling_unit")

USER = settings.AUTH_USER_MODEL


class AlertScopedQuerySet(ScopedQuerySet[Any]):
    """Rows that belong to one alert are visible exactly when the alert is."""

    scope_fields = ALERT_SCOPE


# --- configuration -----------------------------------------------------------------------------
class RoutingRule(models.Model):
    """Routing as data: alerts of ``category`` (a leaf, or a whole group) from ``area`` go to
    ``unit``. Empty category or area means "any". The most specific active rule wins (leaf before
    group before any; a named area before any area; then the higher priority)."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    category = models.ForeignKey(
        "intake.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="警情类别",
    )
    area = models.ForeignKey(
        "org.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="辖区",
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分派至"
    )
    priority = models.PositiveSmallIntegerField("优先级", default=0)
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "分派规则"
        verbose_name_plural = "分派规则"
        ordering = ["bureau", "-is_active", "category__code", "area__name", "-priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "category", "area", "priority"],
                condition=Q(is_active=True),
                name="routingrule_unique_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '任意类别'} × {self.area or '任意辖区'} → {self.unit}"


class ApprovalChain(models.Model):
    """One version of a bureau's approval chain for one decision kind, written by its legal
    brigade: its steps are the ``ChainStep`` rows that name it (none: the national default). The
    version in force on a day is the one with the latest ``effective_from`` on or before it
    (``core.versioning``), as for deadline rules."""

    bureau = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    decision_kind = models.CharField("决定类型", max_length=20, choices=DecisionKind.choices)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    change_reason = models.CharField("修订理由", max_length=300, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("修订时间", default=timezone.now)

    class Meta:
        verbose_name = "审批流程版本"
        verbose_name_plural = "审批流程版本"
        ordering = ["bureau", "decision_kind", "effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "decision_kind", "version"], name="approvalchain_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_kind_display()} v{self.version}"


class ChainStep(models.Model):
    """One step of a configurable approval chain. Rows with an empty ``bureau`` are the national
    defaults (seeded by migration); a bureau's own rows belong to a version (``chain``). Rows of a
    bureau without a version are from before chains were versioned: active ones still apply until
    the bureau's first version."""

    chain = models.ForeignKey(
        ApprovalChain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name="版本",
    )

    bureau = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="分局",
    )
    decision_kind = models.CharField("决定类型", max_length=20, choices=DecisionKind.choices)
    position = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("审批角色", max_length=20, choices=Role.choices)
    condition = models.CharField(
        "适用条件", max_length=20, choices=ChainCondition.choices, default=ChainCondition.ALWAYS
    )
    label = models.CharField("环节名称", max_length=40)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["bureau", "decision_kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_kind", "position"],
                condition=Q(bureau__isnull=True, is_active=True),
                name="chainstep_default_unique",
            ),
            models.UniqueConstraint(
                fields=["bureau", "decision_kind", "position"],
                condition=Q(bureau__isnull=False, is_active=True, chain__isnull=True),
                name="chainstep_bureau_unique",
            ),
            models.UniqueConstraint(
                fields=["chain", "position"],
                condition=Q(chain__isnull=False),
                name="chainstep_chain_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_kind_display()} #{self.position} {self.label}"


class BureauSetting(models.Model):
    """Per-bureau settings of the workflow: the prefix of document numbers (沙公 → 沙公（刑）立字…)."""

    bureau = models.OneToOneField(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分局"
    )
    document_prefix = models.CharField("文书字号前缀", max_length=12)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "分局文书设置"
        verbose_name_plural = "分局文书设置"

    def __str__(self) -> str:
        return f"{self.bureau}: {self.document_prefix}"


# --- the flow ----------------------------------------------------------------------------------
class AlertFlow(models.Model):
    """Counters and pointers of one alert's flow, kept in the transition's transaction so lists and
    supervision rules ("returned or transferred more than twice") need no aggregation."""

    alert = models.OneToOneField("intake.Alert", on_delete=models.PROTECT, related_name="flow")
    route_count = models.PositiveIntegerField("分派次数", default=0)
    return_count = models.PositiveIntegerField("退回次数", default=0)
    transfer_count = models.PositiveIntegerField("移交次数", default=0)
    dispute_count = models.PositiveIntegerField("争议次数", default=0)
    # The unit the center head designated (指定管辖): it may neither return nor dispute again.
    designated_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办案民警",
    )
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    last_step_at = models.DateTimeField("最近操作时间", null=True, blank=True)
    # How far the case got after 立案 / 受案 (破案, 侦查终结, 结案 …); empty while it is investigated.
    case_stage = models.CharField(
        "案件进展", max_length=30, choices=CaseStage.choices, blank=True, default=""
    )
    case_stage_at = models.DateTimeField("进展时间", null=True, blank=True)

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "警情流转"
        verbose_name_plural = "警情流转"
        indexes = [
            models.Index(fields=["return_count"], name="flow_return_count"),
            models.Index(fields=["transfer_count"], name="flow_transfer_count"),
        ]

    def __str__(self) -> str:
        return f"flow of alert {self.alert_id}"

    @property
    def bounces(self) -> int:
        """Returns plus transfers: more than two is a 推诿 signal (DOMAIN §6)."""
        return self.return_count + self.transfer_count


class FlowStep(models.Model):
    """One accepted transition: the alert's history in workflow terms (the journal holds the same
    facts tamper-evidently; this table is for queries)."""

    alert = models.ForeignKey("intake.Alert", on_delete=models.PROTECT, related_name="flow_steps")
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=20, choices=AlertStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=AlertStatus.choices)
    from_unit = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.PROTECT, related_name="+", verbose_name="原办理单位"
    )
    to_unit = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.PROTECT, related_name="+", verbose_name="新办理单位"
    )
    actor = models.ForeignKey(
        USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    actor_unit = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.PROTECT, related_name="+", verbose_name="操作单位"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    reason = models.CharField("理由", max_length=500, blank=True)
    version = models.PositiveIntegerField("版本")
    event_id = models.BigIntegerField("审计事件", null=True)

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["alert", "at", "id"]
        indexes = [models.Index(fields=["alert", "action"], name="flowstep_alert_action")]
        constraints = [
            # One step per version: a second writer with the same expected version cannot commit.
            models.UniqueConstraint(fields=["alert", "version"], name="flowstep_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action} v{self.version}"


class Routing(models.Model):
    """A routing by the center (分派, 重新分派, 同意移交, 指定管辖): the suggestion it was measured
    against and, for an override, the reason."""

    alert = models.ForeignKey("intake.Alert", on_delete=models.PROTECT, related_name="routings")
    action = models.CharField("方式", max_length=30, choices=Action.choices)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="分派至"
    )
    suggested_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="建议单位",
    )
    rule = models.ForeignKey(
        RoutingRule, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="依据规则"
    )
    basis = models.CharField("建议依据", max_length=200, blank=True)
    overridden = models.BooleanField("人工改派", default=False)
    reason = models.CharField("理由", max_length=500, blank=True)
    routed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    routed_at = models.DateTimeField(default=timezone.now)

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "分派记录"
        verbose_name_plural = "分派记录"
        ordering = ["alert", "routed_at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.unit_id}"


class TransferRequest(models.Model):
    """A unit asks the center to move an alert to another unit (移交); the center decides."""

    alert = models.ForeignKey("intake.Alert", on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="移出单位"
    )
    to_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="拟移交单位"
    )
    reason = models.CharField("理由", max_length=500)
    # What moves with the alert: evidence list and files (name, count, SHA-256), as at the request.
    materials = models.JSONField("随案移交材料", default=list)
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=500, blank=True)

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "移交申请"
        verbose_name_plural = "移交申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert"],
                condition=Q(status=RequestStatus.PENDING),
                name="transfer_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.from_unit_id} → {self.to_unit_id}"


class Dispute(models.Model):
    """A jurisdiction dispute (管辖争议) raised by the routed unit; the center head designates the
    competent unit (指定管辖)."""

    alert = models.ForeignKey("intake.Alert", on_delete=models.PROTECT, related_name="disputes")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="提出单位"
    )
    claimed_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="认为有管辖权的单位",
    )
    reason = models.CharField("争议理由", max_length=500)
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    designated_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="指定管辖单位",
    )
    decided_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("指定理由", max_length=500, blank=True)

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "管辖争议"
        verbose_name_plural = "管辖争议"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert"],
                condition=Q(status=RequestStatus.PENDING),
                name="dispute_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"dispute on {self.alert_id}"


class Decision(models.Model):
    """A proposed decision (受案、立案、不予立案 …) and, once the chain approved it, the decision."""

    alert = models.ForeignKey("intake.Alert", on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("决定类型", max_length=20, choices=DecisionKind.choices)
    status = models.CharField(
        "状态", max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    facts = models.TextField("事实与理由")
    legal_basis = models.CharField("法律依据", max_length=300)
    # TRANSFER_OUT: the authority it goes to; NOT_POLICE: the authority the reporter should turn to.
    authority = models.CharField("接收（主管）机关", max_length=100, blank=True)
    # PUNISH: the punishment decided (警告、罚款五百元、行政拘留五日 …), as the 处罚决定书 states it.
    penalty = models.CharField("处罚内容", max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    proposer_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="提出单位"
    )
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    notice_served_at = models.DateTimeField("送达时间", null=True, blank=True)
    notice_served_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_method = models.CharField(
        "送达方式", max_length=12, choices=NotificationChannel.choices, blank=True
    )

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "处理决定"
        verbose_name_plural = "处理决定"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert"],
                condition=Q(status="pending"),
                name="decision_one_pending",
            ),
        ]
        indexes = [
            # A unit's inbox keeps 不予立案 until its notice is served (issue 14).
            models.Index(
                fields=["kind", "status", "notice_served_at"], name="decision_unserved_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.alert_id})"


class ApprovalQuerySet(ScopedQuerySet[Any]):
    scope_fields = ("decision__alert__registering_unit", "decision__alert__handling_unit")


class Approval(models.Model):
    """One step of a decision's approval chain, in order. Only the first undecided step is
    PENDING; later ones wait."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="approvals")
    position = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("审批角色", max_length=20, choices=Role.choices)
    label = models.CharField("环节", max_length=40)
    # Where the approver must sit: the handling unit (leader), the legal brigade, the bureau.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="审批单位"
    )
    status = models.CharField(
        "状态", max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.WAITING
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("审批意见", max_length=500, blank=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = "审批环节记录"
        verbose_name_plural = "审批环节记录"
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "position"], name="approval_unique_step"),
        ]
        indexes = [
            # 待审批 of a unit (the bureau head's queue, issue 14): its pending steps, not every
            # step the unit was ever asked to decide.
            models.Index(fields=["unit", "status"], name="approval_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} #{self.position} {self.label}"


class Document(models.Model):
    """A numbered legal document. ``content`` holds what was decided at issue (numbers, dates,
    texts), so a later change of the alert never changes an issued document; the reporter's name
    is read from the party row at rendering, so no copy of personal data is kept here."""

    alert = models.ForeignKey("intake.Alert", on_delete=models.PROTECT, related_name="documents")
    decision = models.ForeignKey(
        Decision, null=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField("文书", max_length=30, choices=DocumentKind.choices)
    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=60, unique=True)
    content = models.JSONField("文书内容", default=dict)
    issued_at = models.DateTimeField("制作时间", default=timezone.now)
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "法律文书"
        verbose_name_plural = "法律文书"
        ordering = ["alert", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "kind", "year", "sequence"], name="document_unique_sequence"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DocumentCounter(models.Model):
    """The last document sequence per bureau, document kind and year (R6: numbers unique)."""

    bureau = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "kind", "year"], name="document_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id}/{self.kind}/{self.year}: {self.last}"


class Notification(models.Model):
    """A message to the reporter the law requires (transfer, not police business). SMS rows wait
    as PENDING for the citizen outbox, which resolves the reporter's number at send time; the text
    holds only the template's words (Z8), never personal data."""

    alert = models.ForeignKey(
        "intake.Alert", on_delete=models.PROTECT, related_name="notifications"
    )
    party = models.ForeignKey(
        "intake.AlertParty", null=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("事由", max_length=30, choices=NotificationPurpose.choices)
    channel = models.CharField("方式", max_length=12, choices=NotificationChannel.choices)
    text = models.CharField("内容", max_length=300)
    status = models.CharField(
        "状态",
        max_length=12,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    # The outbox message carrying an SMS notice (it names this row as its subject); its delivery
    # sets ``status`` through ``shoulian.workflow.milestones``.
    sms_message = models.ForeignKey(
        "notify.SmsMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="短信",
    )

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "告知记录"
        verbose_name_plural = "告知记录"
        ordering = ["alert", "created_at", "id"]
        indexes = [models.Index(fields=["status", "channel"], name="notification_outbox")]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.purpose} {self.status}"


class Reconsideration(models.Model):
    """复议 (to the bureau that decided) or 复核 (to the next level) of a 不予立案 decision, registered
    by staff on behalf of the complainant (一名报案人)."""

    alert = models.ForeignKey(
        "intake.Alert", on_delete=models.PROTECT, related_name="reconsiderations"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="reconsiderations"
    )
    kind = models.CharField("类型", max_length=20, choices=ReconsiderationKind.choices)
    applicant = models.ForeignKey(
        "intake.AlertParty", on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    applied_at = models.DateTimeField("申请时间")
    grounds = models.TextField("申请理由")
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ReconsiderationStatus.choices,
        default=ReconsiderationStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.CharField("决定理由", max_length=500, blank=True)
    # 送达: when the applicant received the decision. The 复核 window (art. 179: 收到复议决定书后
    # 7日) counts from here, never from the decision.
    served_at = models.DateTimeField("决定书送达时间", null=True, blank=True)
    served_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AlertScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "复议复核"
        verbose_name_plural = "复议复核"
        ordering = ["alert", "applied_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert"],
                condition=Q(status="pending"),
                name="reconsideration_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.alert_id})"
