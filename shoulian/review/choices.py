"""Choice sets of the review work (三级巡查评查): levels, modes, results, AV records, guidance."""

from __future__ import annotations

from django.db import models

from shoulian.accounts.choices import Role


class ReviewLevel(models.TextChoices):
    """The three levels (DOMAIN §1: 法制大队精准指导 + 中心靠前监督 + 所队法制员源头治理)."""

    UNIT = "unit", "所队法制员"
    CENTER = "center", "受立案管理中心"
    LEGAL_BRIGADE = "legal_brigade", "法制大队"


# Which role reviews at which level.
LEVEL_ROLES: dict[str, str] = {
    ReviewLevel.UNIT: Role.LEGAL_OFFICER,
    ReviewLevel.CENTER: Role.CENTER_HEAD,
    ReviewLevel.LEGAL_BRIGADE: Role.LEGAL_BRIGADE,
}
REVIEWER_ROLES = frozenset(LEVEL_ROLES.values())


class ReviewMode(models.TextChoices):
    DAILY = "daily", "日常巡查"
    SPECIAL = "special", "专项评查"
    INTENSIVE = "intensive", "集中评查"


class ReviewChannel(models.TextChoices):
    """网上 (in the system's records) or 网下 (on paper, at the unit)."""

    ONLINE = "online", "网上"
    OFFLINE = "offline", "网下"


class ReviewResult(models.TextChoices):
    NO_PROBLEM = "no_problem", "未发现问题"
    RULE_FINDING = "rule_finding", "发现问题（依巡查规则）"
    FREE_FINDING = "free_finding", "发现问题（其他问题）"


FINDING_RESULTS = frozenset({ReviewResult.RULE_FINDING, ReviewResult.FREE_FINDING})


class AvSource(models.TextChoices):
    UPLOAD = "upload", "上传文件"
    EXTERNAL = "external", "执法记录仪系统"


class AvResult(models.TextChoices):
    COMPLIANT = "compliant", "规范"
    PROBLEM = "problem", "存在问题"


class AvIssue(models.TextChoices):
    """What an AV review commonly finds (公安机关现场执法视音频记录工作规定)."""

    INCOMPLETE = "incomplete", "未全程记录"
    LATE_START = "late_start", "未及时开启记录"
    UNCLEAR = "unclear", "画面或声音不清"
    NOT_UPLOADED = "not_uploaded", "未按时上传存储"
    CONDUCT = "conduct", "执法行为不规范"
    LANGUAGE = "language", "执法用语不规范"


class GuidanceStatus(models.TextChoices):
    PENDING = "pending", "待法制大队答复"
    ANSWERED = "answered", "已答复"


class CampaignKind(models.TextChoices):
    """重点评查 / 专项评查 (a theme, a sample) and 集中评查 (all of a period)."""

    SPECIAL = "special", "专项评查"
    INTENSIVE = "intensive", "集中评查"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    SCORING = "scoring", "评查中"
    CLOSED = "closed", "已结束"
    CANCELLED = "cancelled", "已撤销"


class EntryStatus(models.TextChoices):
    PENDING = "pending", "待评查"
    SCORED = "scored", "已评分"
