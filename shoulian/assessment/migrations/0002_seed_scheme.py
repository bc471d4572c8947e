"""Version 1 of the 考核办法 (national default, ``bureau`` empty), published and in force from
2000-01-01, so a fresh install scores from its first finding; each bureau's legal brigade
drafts, replays and publishes its own (docs/assessment.md)."""

import datetime as dt

from django.db import migrations


def item(kind, code, label, officer, unit):
    return {"kind": kind, "code": code, "label": label, "officer": officer, "unit": unit}


ITEMS = [
    # Findings of the patrol rules (a 预警 never costs anything).
    item("finding_rule", "deadline_overdue", "节点超期", "2", "1"),
    item("finding_rule", "non_filing_notice_late", "不予立案通知书未按期送达", "2", "1"),
    item("finding_rule", "on_the_spot_missing", "三个当场缺失", "2", "1"),
    item("finding_rule", "case_type_downgraded", "涉案警情作非案件处理或降类", "3", "2"),
    item("finding_rule", "bounced_alert", "多次退回或移交（推诿）", "2", "1"),
    item("finding_rule", "dispatch_registration_late", "110 警情未按时补录", "1", "0.5"),
    item("finding_rule", "decision_without_review", "决定缺少法制审核或审批", "3", "2"),
    item("finding_rule", "follow_up_dissatisfied", "回访不满意", "1", "0.5"),
    item("finding_rule", "crime_narrative_unaccepted", "有案不受风险", "3", "2"),
    # Overdue nodes, by the node: they replace the "节点超期" finding item above.
    item("overdue_node", "walkin_registration", "来所报案未当场登记", "2", "1"),
    item("overdue_node", "admin_acceptance_review", "行政案件受案审查超期", "2", "1"),
    item("overdue_node", "criminal_filing_review", "刑事立案审查超期", "3", "2"),
    item("overdue_node", "criminal_clue_review", "刑事线索查证超期", "2", "1"),
    item("overdue_node", "non_filing_notice", "不予立案通知书送达超期", "2", "1"),
    item("overdue_node", "admin_transfer_out", "行政案件移送超期", "2", "1"),
    item("overdue_node", "transferred_case_decision", "移送案件决定超期", "2", "1"),
    item("overdue_node", "public_order_case", "治安案件办理超期", "2", "1"),
    # A finding left unrectified past its period.
    item("unrectified", "finding_unrectified", "巡查发现逾期未整改", "3", "2"),
    # Bonus items the legal brigade awards.
    item("bonus", "commendation", "执法办案受上级表彰", "2", "2"),
    item("bonus", "model_case", "案件被评为优秀案例", "1", "1"),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("assessment", "Scheme")
    Scheme.objects.get_or_create(
        bureau=None,
        version=1,
        defaults={
            "title": "受案立案执法质量考评办法",
            "document_number": "初始版本",
            "effective_from": dt.date(2000, 1, 1),
            "status": "published",
            "items": ITEMS,
            "period_cap": "40",
            "alert_cap": "6",
            "bonus_cap": "5",
            "change_reason": "初始版本（DOMAIN §1 监督全覆盖：超期扣分）",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("assessment", "Scheme").objects.filter(bureau=None, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
