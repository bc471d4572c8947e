"""The audit journal (全程留痕). Rows are written only by ``shoulian.audit.journal.record``."""

from __future__ import annotations

from django.db import models

from shoulian.audit.catalogue import Outcome


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    event_type = models.PositiveIntegerField("事件类型", db_index=True)
    occurred_at = models.DateTimeField("时间(UTC)", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, db_index=True)
    actor_username = models.CharField("操作人", max_length=150, blank=True)
    actor_roles = models.CharField("角色", max_length=200, blank=True)
    actor_unit_id = models.BigIntegerField("单位ID", null=True)
    source_ip = models.GenericIPAddressField("来源地址", null=True)
    channel = models.CharField("渠道", max_length=12, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    outcome = models.CharField("结果", max_length=8, choices=Outcome.choices)
    data = models.JSONField("内容", default=dict)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
