"""Choice sets of assessment (执法质量考评): the items of a 考核办法, ledger entries, challenges
and accountability."""

from __future__ import annotations

from django.db import models


class ItemKind(models.TextChoices):
    """What an item of the 考核办法 charges (or rewards)."""

    # A finding (巡查发现, not a 预警) of a patrol rule, by the rule's code.
    FINDING_RULE = "finding_rule", "巡查发现"
    # A deadline_overdue / non_filing_notice_late finding, by the node (deadline rule code); it
    # replaces the finding rule's own item for that finding.
    OVERDUE_NODE = "overdue_node", "节点超期"
    # A finding not rectified by its due time (escalated at least once).
    UNRECTIFIED = "unrectified", "逾期未整改"
    # Checklist items failed in a 专项评查 campaign (review's ``campaign_results``), by the
    # checklist item's code.
    CAMPAIGN_CHECK = "campaign_check", "专项评查不合格"
    # Awarded by the legal brigade (表彰、典型案例 …), never computed.
    BONUS = "bonus", "加分项"


# The code of the single unrectified item.
UNRECTIFIED_CODE = "finding_unrectified"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Subject(models.TextChoices):
    OFFICER = "officer", "民警"
    UNIT = "unit", "单位"


class EntryKind(models.TextChoices):
    DEDUCTION = "deduction", "扣分"
    BONUS = "bonus", "加分"
    # An upheld challenge: the entry's points given back by a new entry.
    REVERSAL = "reversal", "申诉成立冲正"
    # A published revision of the 考核办法 replayed on a period: the difference.
    ADJUSTMENT = "adjustment", "办法修订调整"


class PeriodKind(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年度"


class ChallengeStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    UPHELD = "upheld", "异议成立"
    REJECTED = "rejected", "异议不成立"


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "已移送"
    CONCLUDED = "concluded", "已办结"


FULL_SCORE = 100
