"""Version 1 of the 有案不受 patrol rule's settings (``shoulian/assistant/patrol.py``), in force from
2000-01-01 like supervision's own seeded rules; the legal brigade tunes it on the rules page."""

import datetime as dt

from django.db import migrations

RULE = {
    "code": "crime_narrative_unaccepted",
    "name": "涉刑警情作非案件处理（有案不受）",
    "level": "orange",
    "params": {"min_percent": 20, "min_elements": 1},
    "recipients": ["officer", "leader", "legal_officer"],
    "review_chain": ["legal_officer", "leader", "center_head", "legal_brigade"],
    "rectify_days": 7,
}


def seed(apps, schema_editor):
    PatrolRule = apps.get_model("supervision", "PatrolRule")
    PatrolRule.objects.get_or_create(
        code=RULE["code"],
        bureau=None,
        version=1,
        defaults={
            **{k: v for k, v in RULE.items() if k != "code"},
            "is_active": True,
            "effective_from": dt.date(2000, 1, 1),
            "change_reason": "初始版本（issue 18 §5）",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "PatrolRule").objects.filter(
        code=RULE["code"], bureau=None, version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("assistant", "0002_seed_checklists"), ("supervision", "0002_seed_rules")]

    operations = [migrations.RunPython(seed, unseed)]
