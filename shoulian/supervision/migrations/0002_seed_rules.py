"""Version 1 of every patrol rule's settings (DOMAIN §6), in force from 2000-01-01: the defaults
of the predicates registered in ``shoulian/supervision/rules.py``. A test checks that every
registered rule has its default here; a new rule adds its own data migration."""

import datetime as dt

from django.db import migrations

RULES = [
    {"code": "deadline_warning", "name": "节点期限预警", "level": "yellow", "params": {"yellow_percent": 50, "orange_percent": 80}, "recipients": ["officer", "leader"], "review_chain": [], "rectify_days": 0},
    {"code": "deadline_overdue", "name": "节点超期", "level": "red", "params": {}, "recipients": ["officer", "leader", "legal_officer"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 3},
    {"code": "non_filing_notice_late", "name": "不予立案通知书未按期送达", "level": "red", "params": {}, "recipients": ["officer", "leader", "legal_officer"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 3},
    {"code": "on_the_spot_missing", "name": "三个当场缺失", "level": "orange", "params": {"grace_minutes": 30}, "recipients": ["officer", "leader", "legal_officer"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 7},
    {"code": "case_type_downgraded", "name": "涉案警情作非案件处理或降类", "level": "orange", "params": {}, "recipients": ["officer", "leader", "legal_officer"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 7},
    {"code": "bounced_alert", "name": "多次退回或移交", "level": "orange", "params": {"max_bounces": 2}, "recipients": ["officer", "leader", "legal_officer"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 7},
    {"code": "repeat_reporter", "name": "同一报案人或电话重复报警", "level": "yellow", "params": {"window_days": 30}, "recipients": ["officer", "leader", "legal_officer"], "review_chain": ["legal_officer", "leader"], "rectify_days": 7},
    {"code": "dispatch_registration_late", "name": "110 警情未在 24 小时内补录登记", "level": "orange", "params": {}, "recipients": ["officer", "leader", "legal_officer"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 7},
    {"code": "decision_without_review", "name": "决定缺少法制审核或审批", "level": "red", "params": {}, "recipients": ["officer", "leader", "legal_officer", "legal_brigade"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 3},
    {"code": "follow_up_dissatisfied", "name": "回访不满意", "level": "orange", "params": {}, "recipients": ["officer", "leader", "legal_officer", "center_head"], "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"], "rectify_days": 7},
    {"code": "finding_unrectified", "name": "巡查发现逾期未整改", "level": "red", "params": {"max_escalations": 3}, "recipients": [], "review_chain": [], "rectify_days": 3},
]


def seed(apps, schema_editor):
    PatrolRule = apps.get_model("supervision", "PatrolRule")
    for row in RULES:
        PatrolRule.objects.get_or_create(
            code=row["code"],
            bureau=None,
            version=1,
            defaults={
                **{k: v for k, v in row.items() if k != "code"},
                "is_active": True,
                "effective_from": dt.date(2000, 1, 1),
                "change_reason": "初始版本（DOMAIN §6）",
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "PatrolRule").objects.filter(bureau=None, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
