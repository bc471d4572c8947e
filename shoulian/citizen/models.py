"""The citizen channels: self-service kiosks (自助终端) as enrolled devices, and the progress
query's one-time-code challenges and throttle counters (Z7)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from shoulian.citizen.choices import QueryChannel, Step, Subject
from shoulian.core.scoping import ScopeDomain, ScopedQuerySet
from shoulian.privacy.choices import Kind
from shoulian.privacy.fields import EncryptedField


class KioskQuerySet(ScopedQuerySet["Kiosk"]):
    # A kiosk is a device of the unit, managed like the org tree: the bureau's administrator and
    # the center head see the bureau's kiosks.
    scope_fields = ("unit",)
    scope_domain = ScopeDomain.ORG


class Kiosk(models.Model):
    """A self-service terminal in a center's hall. It signs in with a long-lived signed device
    cookie set by a one-time enrolment link; ``epoch`` changes with every new link, so a new
    enrolment retires the cookies of the old one, and ``enabled`` stops it at once."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="所属单位"
    )
    name = models.CharField("终端名称", max_length=60)
    enabled = models.BooleanField("启用", default=True)
    epoch = models.PositiveIntegerField(default=0, editable=False)
    # Only a hash of the one-time enrolment token is stored.
    enrolment_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    enrolment_expires_at = models.DateTimeField("登记链接有效期至", null=True, blank=True)
    enrolled_at = models.DateTimeField("登记时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = KioskQuerySet.as_manager()

    class Meta:
        verbose_name = "自助终端"
        verbose_name_plural = "自助终端"
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="kiosk_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class QueryChallenge(models.Model):
    """One request for an SMS code. A challenge is written for *every* request, matched or not,
    so the citizen's next page and the work done are the same either way (Z7); only a matched
    one gets a subject and, from the worker, a code. Only a keyed hash of the code is kept."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=8, choices=QueryChannel.choices)
    subject_type = models.CharField(max_length=12, choices=Subject.choices, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    # Keyed hash of the query code typed (for the per-code throttle of the verification step).
    code_hash = models.CharField(max_length=32)
    # The mobile typed, needed again when the verified citizen files a complaint; encrypted (P2).
    mobile = EncryptedField("手机号码", kind=Kind.PHONE, searchable=False)
    otp_hash = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "查询验证"
        verbose_name_plural = "查询验证"
        indexes = [models.Index(fields=["created_at"], name="challenge_created_idx")]

    def __str__(self) -> str:
        return f"challenge {self.pk}"


class QueryAttempt(models.Model):
    """One throttled step (start or verify), counted over the last hour per code and per client
    address (Z7). Counted in the database so that every gunicorn worker sees the same numbers;
    both keys are keyed hashes, never the code or the address."""

    step = models.CharField(max_length=8, choices=Step.choices)
    code_hash = models.CharField(max_length=32)
    address_hash = models.CharField(max_length=32)
    allowed = models.BooleanField(default=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["code_hash", "at"], name="attempt_code_idx"),
            models.Index(fields=["address_hash", "at"], name="attempt_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.at:%Y-%m-%d %H:%M}"
