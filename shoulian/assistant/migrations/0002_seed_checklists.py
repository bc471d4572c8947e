"""Version 1 of each nature's element checklist (shoulian/assistant/seed.py), marked 待法制大队核对.
Only natures without any version are seeded, so the legal brigade's revisions survive."""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    from shoulian.assistant.seed import CHECKLISTS, PROVINCE

    Checklist = apps.get_model("assistant", "Checklist")
    now = dt.datetime.now(tz=dt.UTC)
    for row in CHECKLISTS:
        if Checklist.objects.filter(label=row["label"]).exists():
            continue
        Checklist.objects.create(
            version=1,
            province=PROVINCE,
            verified=False,
            changed_at=now,
            change_note="系统预置（依据公开法律文件整理，待法制大队核对）",
            **row,
        )


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
