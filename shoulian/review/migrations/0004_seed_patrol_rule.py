"""Version 1 of the "on-scene handling without an AV record" patrol rule's settings
(``shoulian/review/patrol.py``), in force from 2000-01-01 like supervision's own seeded rules."""

import datetime as dt

from django.db import migrations

RULE = {
    "code": "av_record_missing",
    "name": "现场处警无视音频记录",
    "level": "yellow",
    "params": {"grace_hours": 24},
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
            "change_reason": "初始版本（issue 15：视音频记录上线）",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "PatrolRule").objects.filter(
        code=RULE["code"], bureau=None, version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0003_seed_checklist"), ("supervision", "0005_manual_findings")]

    operations = [migrations.RunPython(seed, unseed)]
