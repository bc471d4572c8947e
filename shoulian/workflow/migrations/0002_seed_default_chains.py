"""Seed the national default approval chains (bureau empty), one row per step.

Every decision: the unit leader approves. Economic-crime and dispute-prone categories: the legal
brigade reviews before the decision (公安部《关于改革完善受案立案制度的意见》, 2015). Criminal 立案
and 不予立案: the bureau head approves last. A bureau replaces a kind's chain with its own rows.
"""

from django.db import migrations

KINDS = ["admin_accept", "criminal_file", "not_file", "transfer_out", "not_police", "close_non_case"]
BUREAU_HEAD_KINDS = {"criminal_file", "not_file"}


def rows():
    for kind in KINDS:
        yield kind, 1, "leader", "always", "所队领导审批"
        yield kind, 2, "legal_brigade", "legal_review", "法制大队事前审核"
        if kind in BUREAU_HEAD_KINDS:
            yield kind, 3, "bureau_head", "always", "局领导审批"


def seed(apps, schema_editor):
    ChainStep = apps.get_model("workflow", "ChainStep")
    for kind, position, role, condition, label in rows():
        ChainStep.objects.get_or_create(
            bureau=None,
            decision_kind=kind,
            position=position,
            is_active=True,
            defaults={"role": role, "condition": condition, "label": label},
        )


def unseed(apps, schema_editor):
    apps.get_model("workflow", "ChainStep").objects.filter(bureau__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
