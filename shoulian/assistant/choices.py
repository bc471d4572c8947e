"""The natures the assistant ranks. The label strings are part of the commands' stable interface
(``nature_suggest``, ``nature_eval``): exactly these, ASCII parentheses and comma."""

from __future__ import annotations

from django.db import models


class Nature(models.TextChoices):
    THEFT = "盗窃", "盗窃"
    FRAUD = "诈骗", "诈骗"
    TELECOM_FRAUD = "电信网络诈骗", "电信网络诈骗"
    CONTRACT_FRAUD = "合同诈骗", "合同诈骗"
    CONVERSION = "侵占", "侵占"
    EMBEZZLEMENT = "职务侵占", "职务侵占"
    MISAPPROPRIATION = "挪用资金", "挪用资金"
    EXTORTION = "敲诈勒索", "敲诈勒索"
    ROBBERY = "抢劫", "抢劫"
    SNATCHING = "抢夺", "抢夺"
    INTENTIONAL_INJURY = "故意伤害", "故意伤害"
    AFFRAY = "寻衅滋事", "寻衅滋事"
    PROPERTY_DAMAGE = "故意毁坏财物", "故意毁坏财物"
    PETTY_THEFT = "盗窃(治安,未达立案标准)", "盗窃(治安,未达立案标准)"
    ASSAULT = "殴打他人(治安)", "殴打他人(治安)"
    ECONOMIC_DISPUTE = "经济纠纷", "经济纠纷"
    LABOUR_DISPUTE = "劳动纠纷", "劳动纠纷"
    FAMILY_DISPUTE = "家庭纠纷", "家庭纠纷"
    NEIGHBOUR_DISPUTE = "邻里纠纷", "邻里纠纷"
    HELP = "求助", "求助"
    ENQUIRY = "咨询", "咨询"


class NatureKind(models.TextChoices):
    CRIMINAL = "criminal", "刑事"
    ADMINISTRATIVE = "administrative", "治安（行政）"
    NON_CASE = "non_case", "非案件类"


CRIMINAL_NATURES = frozenset(
    {
        Nature.THEFT,
        Nature.FRAUD,
        Nature.TELECOM_FRAUD,
        Nature.CONTRACT_FRAUD,
        Nature.CONVERSION,
        Nature.EMBEZZLEMENT,
        Nature.MISAPPROPRIATION,
        Nature.EXTORTION,
        Nature.ROBBERY,
        Nature.SNATCHING,
        Nature.INTENTIONAL_INJURY,
        Nature.AFFRAY,
        Nature.PROPERTY_DAMAGE,
    }
)
ADMINISTRATIVE_NATURES = frozenset({Nature.PETTY_THEFT, Nature.ASSAULT})


def kind_of(label: str) -> NatureKind:
    if label in CRIMINAL_NATURES:
        return NatureKind.CRIMINAL
    if label in ADMINISTRATIVE_NATURES:
        return NatureKind.ADMINISTRATIVE
    return NatureKind.NON_CASE


# The hard pairs ``nature_eval`` reports the confusion of (issue 18 §3).
HARD_GROUPS: tuple[tuple[str, ...], ...] = (
    (Nature.THEFT, Nature.CONVERSION, Nature.EMBEZZLEMENT, Nature.MISAPPROPRIATION),
    (Nature.FRAUD, Nature.CONTRACT_FRAUD, Nature.ECONOMIC_DISPUTE),
    (Nature.ROBBERY, Nature.SNATCHING, Nature.EXTORTION),
    (Nature.INTENTIONAL_INJURY, Nature.AFFRAY, Nature.ASSAULT),
    (Nature.LABOUR_DISPUTE, Nature.ECONOMIC_DISPUTE),
)


class ThresholdKind(models.TextChoices):
    AMOUNT = "amount", "数额"
    INJURY = "injury", "伤情（轻伤以上）"
    NONE = "none", "不以数额或伤情为要件"
    NOT_APPLICABLE = "n/a", "不适用（非刑事）"


class Element(models.TextChoices):
    """The four elements of an offence (犯罪构成四要件) a checklist spells out."""

    OBJECT = "object", "客体"
    CONDUCT = "conduct", "客观方面"
    SUBJECT = "subject", "主体"
    INTENT = "intent", "主观方面"


class Context(models.TextChoices):
    """Where the officer saw the suggestion."""

    REGISTER = "intake.register", "接报登记"
    PROPOSE = "workflow.propose", "提出处理意见"
