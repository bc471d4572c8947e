"""Choice sets of bulletins: the automatic 周汇总 and the numbered 月通报."""

from __future__ import annotations

from django.db import models


class BulletinKind(models.TextChoices):
    # Written by the Monday job for the bureau's leadership; not numbered, not sent to units.
    WEEKLY = "weekly", "周汇总"
    # 第 N 期 per year, approved by the center and the legal brigade, issued to every unit.
    MONTHLY = "monthly", "月通报"


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    CENTER_APPROVED = "center_ok", "中心已审核"
    APPROVED = "approved", "法制大队已审批"
    ISSUED = "issued", "已下发"
