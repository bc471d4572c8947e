"""U3 and U6 in the database: journal rows cannot be updated, deleted or truncated, except event
bodies past the 365-day floor during a purge (and the test-database flush). See
shoulian/audit/triggers.py and docs/audit.md."""

from django.db import migrations

from shoulian.audit import triggers


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(triggers.install, triggers.uninstall, elidable=False)]
