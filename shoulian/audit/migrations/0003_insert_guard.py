"""No journal event may be inserted at or below the highest sealed event id (issue 13): such a row
would never be sealed. See shoulian/audit/triggers.py and docs/audit.md."""

from django.db import migrations

from shoulian.audit import triggers


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(
            triggers.install_insert_guard, triggers.uninstall_insert_guard, elidable=False
        )
    ]
