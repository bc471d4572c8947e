"""The score ledger is append-only in the database too: UPDATE and DELETE of ledger rows are
refused by triggers on SQLite and PostgreSQL (shoulian/assessment/triggers.py)."""

from django.db import migrations

from shoulian.assessment import triggers


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_seed_scheme"), ("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(triggers.install, triggers.uninstall, elidable=False)]
