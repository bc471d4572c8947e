"""The intake desk: alerts (警情) with their parties, evidence and receipt data; the classification
standard; alert numbering; idempotency keys; drafts; machine clients of the 110 interface."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from shoulian.core.scoping import ScopedQuerySet
from shoulian.intake.choices import (
    AlertStatus,
    CategoryGroup,
    Channel,
    FileKind,
    FilePurpose,
    Gender,
    ImportSource,
    PartyRole,
    ReportForm,
    Urgency,
)
from shoulian.privacy.choices import IdType, Kind
from shoulian.privacy.fields import BlindIndexField, EncryptedField
from shoulian.privacy.masking import mask
from shoulian.privacy.policy import Custody

# --- Classification standard (configuration, not case content) ----------------------------------


class CategoryQuerySet(models.QuerySet["Category"]):
    def selectable(self) -> CategoryQuerySet:
        """Active categories under active groups: an alert is classified at the most specific
        level. The standard has two levels (group → category); services keep it so."""
        return self.filter(is_active=True, parent__isnull=False, parent__is_active=True)


class Category(models.Model):
    """One node of the classification standard (警情分类标准): a group or a category under it."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级类别",
    )
    code = models.CharField("类别代码", max_length=12, unique=True)
    name = models.CharField("类别名称", max_length=40)
    group = models.CharField("大类", max_length=16, choices=CategoryGroup.choices)
    is_case_type = models.BooleanField(
        "涉案类", default=False, help_text="刑事、治安类等须作出受案/立案决定的警情"
    )
    requires_legal_review = models.BooleanField(
        "决定前须法制审核", default=False, help_text="经济犯罪、易与纠纷混淆的警情（2015 意见）"
    )
    is_sensitive = models.BooleanField(
        "敏感类别", default=False, help_text="涉未成年人、性侵害等，群众不能在线查询"
    )
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = "警情类别"
        verbose_name_plural = "警情类别"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_selectable(self) -> bool:
        # A retired group retires its categories (services.category_update), so the leaf's own
        # flag is enough here.
        return self.is_active and self.parent_id is not None

    @property
    def full_name(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name  # type: ignore[union-attr]


class CategoryFlagVersion(models.Model):
    """One version of a category's legal classification: 涉案类 and 决定前须法制审核. The legal
    brigade writes them (三员分立: the administrator keeps only the tree's structure); the shipped
    standard is the base until the first version takes effect. The version in force on a day is
    the one with the latest ``effective_from`` on or before it (``core.versioning.pick``); it is
    copied onto the category, which every reader uses (registration, approval chains, patrol
    rules): at once when it takes effect today, by the daily job when it takes effect later."""

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="flag_versions", verbose_name="类别"
    )
    version = models.PositiveIntegerField("版本")
    is_case_type = models.BooleanField("涉案类")
    requires_legal_review = models.BooleanField("决定前须法制审核")
    effective_from = models.DateField("生效日期")
    change_reason = models.CharField("修订理由", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("修订时间", default=timezone.now)

    class Meta:
        verbose_name = "警情类别法律属性版本"
        verbose_name_plural = "警情类别法律属性版本"
        ordering = ["category", "effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "version"], name="categoryflagversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category.code} v{self.version}"


# --- Alerts -----------------------------------------------------------------------------------


class AlertQuerySet(ScopedQuerySet["Alert"]):
    # The registering desk (center or station) and the unit the alert is routed to both see it.
    scope_fields = ("registering_unit", "handling_unit")


class Alert(models.Model):
    """A 警情 as registered at the desk or received from another system (DOMAIN §3)."""

    number = models.CharField("警情编号", max_length=40, unique=True)
    channel = models.CharField("报警方式", max_length=20, choices=Channel.choices)
    report_form = models.CharField(
        "报案形式", max_length=10, choices=ReportForm.choices, default=ReportForm.ORAL
    )
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        "状态", max_length=20, choices=AlertStatus.choices, default=AlertStatus.REGISTERED
    )

    received_at = models.DateTimeField("接报时间")
    registered_at = models.DateTimeField("登记时间", default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    registering_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="登记单位"
    )
    handling_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办理单位",
    )

    incident_at = models.DateTimeField("发案时间")
    incident_until = models.DateTimeField("发案时间（止）", null=True, blank=True)
    incident_place = models.CharField("发案地点", max_length=200)
    # The jurisdiction the place suggests (org.selectors.area_for_place); routing decides.
    jurisdiction_area = models.ForeignKey(
        "org.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所属辖区（建议）",
    )
    jurisdiction_station = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="辖区派出所（建议）",
    )
    narrative = models.TextField("简要案情")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name="警情类别"
    )
    # The classification at registration, kept for "downgraded category" supervision.
    registered_category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name="登记时类别"
    )
    is_case_type = models.BooleanField("涉案类", default=False)

    # Shown once on the receipt; with the registered mobile it opens the citizen progress query.
    query_code = models.CharField("查询码", max_length=16, unique=True)

    external_ref = models.CharField("来源编号", max_length=64, blank=True)
    source_organ = models.CharField("移送机关", max_length=100, blank=True)
    import_source = models.CharField(
        "导入方式", max_length=8, choices=ImportSource.choices, blank=True
    )
    api_client = models.ForeignKey(
        "intake.ApiClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name="来源接口",
    )
    handled_at = models.DateTimeField("处警时间", null=True, blank=True)
    # 110-dispatched and urgent alerts are registered after handling, within 24 h (2015 意见):
    # the deadline engine's ``urgent_registration`` counts it (``hooks.registration_due``).
    registration_completed_at = models.DateTimeField("登记完成时间", null=True, blank=True)

    receipt_issued_at = models.DateTimeField("回执出具时间", null=True, blank=True)
    receipt_print_count = models.PositiveIntegerField("回执打印次数", default=0)

    # The journal event of the registration; its body's SHA-256 is printed on the receipt.
    intake_event_id = models.BigIntegerField("登记事件编号", null=True, blank=True)
    intake_event_sha256 = models.CharField("登记事件摘要", max_length=64, blank=True)

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = "警情"
        verbose_name_plural = "警情"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["registering_unit", "received_at"], name="alert_reg_unit_idx"),
            models.Index(fields=["handling_unit", "received_at"], name="alert_handling_idx"),
            models.Index(fields=["received_at"], name="alert_received_idx"),
            models.Index(fields=["status", "received_at"], name="alert_status_idx"),
            # The 警情 list (issue 14): keyset pages on (received_at, id), with and without a
            # status filter; the search's exact look-up of a source number, in any case (a
            # 110 sheet's number is typed as the caller reads it).
            models.Index(fields=["received_at", "id"], name="alert_list_idx"),
            models.Index(fields=["status", "received_at", "id"], name="alert_list_status_idx"),
            models.Index(Upper("external_ref"), name="alert_external_ref_idx"),
            # A unit's inbox: its open alerts by status, oldest first.
            models.Index(fields=["handling_unit", "status", "received_at"], name="alert_inbox_idx"),
        ]
        constraints = [
            # One alert per 110 dispatch sheet or transfer letter: re-imports are no-ops.
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~Q(external_ref=""),
                name="alert_unique_external_ref",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def registration_pending(self) -> bool:
        return self.registration_completed_at is None

    @property
    def query_code_display(self) -> str:
        return display_query_code(self.query_code)


def display_query_code(code: str) -> str:
    """A query code as printed and texted (alerts' and complaints'): ``ABCDE-23456``."""
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


class AlertNumberCounter(models.Model):
    """The last sequence number handed out per registering unit and day (R6)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="alert_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.day}: {self.last}"


class PartyQuerySet(ScopedQuerySet["AlertParty"]):
    scope_fields = ("alert__registering_unit", "alert__handling_unit")


class AlertParty(models.Model):
    """A reporter or another party of an alert. ID numbers and phones are encrypted at rest with
    a keyed-hash index for equality search (P2); names and addresses are shown masked (P1)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField("身份", max_length=10, choices=PartyRole.choices)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    id_type = models.CharField("证件类型", max_length=30, choices=IdType.choices, blank=True)
    id_number = EncryptedField("证件号码", kind=Kind.ID_NUMBER)
    id_number_index = BlindIndexField(source="id_number")
    phone = EncryptedField("联系电话", kind=Kind.PHONE)
    phone_index = BlindIndexField(source="phone")
    address = models.CharField("住址", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["alert", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"

    def privacy_custody(self) -> Custody:
        alert = self.alert
        return Custody(registering_unit=alert.registering_unit, handling_unit=alert.handling_unit)

    @property
    def masked_name(self) -> str:
        return mask(self.name, Kind.NAME)


class EvidenceItemQuerySet(ScopedQuerySet["EvidenceItem"]):
    scope_fields = ("alert__registering_unit", "alert__handling_unit")


class EvidenceItem(models.Model):
    """One line of the itemised evidence list (证据材料清单) handed back on the receipt."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="evidence_items")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=100)
    quantity = models.PositiveIntegerField("数量", default=1)
    features = models.CharField("特征", max_length=200, blank=True)
    pages = models.PositiveIntegerField("页数", null=True, blank=True)

    objects = EvidenceItemQuerySet.as_manager()

    class Meta:
        verbose_name = "证据材料"
        verbose_name_plural = "证据材料"
        ordering = ["alert", "position"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "position"], name="evidence_item_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class EvidenceFileQuerySet(ScopedQuerySet["EvidenceFile"]):
    scope_fields = ("alert__registering_unit", "alert__handling_unit")


class EvidenceFile(models.Model):
    """An uploaded file. ``stored_name`` is generated (F2); the original name is metadata only."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="evidence_files")
    purpose = models.CharField(
        "用途", max_length=20, choices=FilePurpose.choices, default=FilePurpose.EVIDENCE
    )
    kind = models.CharField("类型", max_length=10, choices=FileKind.choices)
    original_name = models.CharField("原文件名", max_length=255)
    stored_name = models.CharField(max_length=120, unique=True, editable=False)
    content_type = models.CharField("内容类型", max_length=60)
    size = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = "证据文件"
        verbose_name_plural = "证据文件"
        ordering = ["alert", "id"]

    def __str__(self) -> str:
        return self.original_name


# --- Reliability and channels -----------------------------------------------------------------


class IdempotencyKey(models.Model):
    """One submission → one alert (R5). ``scope`` is the submitter (``user:<id>`` or
    ``client:<id>``); ``fingerprint`` the SHA-256 of the canonical request."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64)
    alert = models.ForeignKey(Alert, null=True, on_delete=models.CASCADE, related_name="+")
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.key}"


class AlertDraft(models.Model):
    """A registration form saved before it was complete. The form data holds personal data, so it
    is stored encrypted as one value; only its owner can open it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_drafts"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    # The form's fields as ASCII-only JSON, encrypted as one value.
    payload = EncryptedField("草稿内容", kind=Kind.FREE_TEXT, searchable=False, null=False)
    summary = models.CharField("摘要", max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "警情草稿"
        verbose_name_plural = "警情草稿"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"draft {self.pk}"

    def payload_data(self) -> dict[str, str]:
        data = json.loads(self.payload.plaintext()) if self.payload else {}
        return {str(k): str(v) for k, v in data.items()}


class ApiClient(models.Model):
    """A system that delivers alerts by API: the 110 command center or an administrative
    law-enforcement organ's exchange platform. Only a hash of its token is stored."""

    name = models.CharField("名称", max_length=60, unique=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="所属单位"
    )
    channel = models.CharField("报警方式", max_length=20, choices=Channel.choices)
    token_prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiAuthFailureWindow(models.Model):
    """Failed API authentications per source address and ten-minute window: the throttle's
    counter, and what keeps a client that fails hundreds of times a second from writing as many
    journal events (the first few are journalled one by one, then one event for the throttle)."""

    source_ip = models.CharField(max_length=45)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_ip", "window_start"], name="apiauthfailure_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_ip} {self.window_start:%H:%M} {self.failures}"
