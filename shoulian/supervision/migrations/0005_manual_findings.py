"""Findings a reviewer raises by hand (issue 15): their source, and the settings row of the free
finding (``manual_review``: no predicate, so not in the code registry; its level is the
reviewer's, its recipients, rectification period and review chain are data like any rule's)."""

import datetime as dt

from django.db import migrations, models

RULE = {
    "code": "manual_review",
    "name": "人工巡查发现",
    "level": "yellow",
    "params": {},
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
            "change_reason": "初始版本（issue 15：评查人员提出的问题）",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "PatrolRule").objects.filter(
        code=RULE["code"], bureau=None, version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_rectification_files")]

    operations = [
        migrations.AlterField(
            model_name="finding",
            name="source",
            field=models.CharField(
                choices=[
                    ("patrol", "规则巡查"),
                    ("follow_up_item", "回访督办事项"),
                    ("manual", "人工巡查"),
                ],
                default="patrol",
                max_length=20,
                verbose_name="来源",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
