"""The inspector's scope as an indexed column generated from the body (issue 14), instead of a
LIKE over every body. The database derives it for the existing rows; see migration_ops."""

import shoulian.audit.migration_ops
import shoulian.audit.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_outcome_index'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='auditevent', name='audit_time_idx'),
        shoulian.audit.migration_ops.AddJournalColumn(
            model_name='auditevent',
            name='scope_path',
            field=models.GeneratedField(db_persist=True, expression=shoulian.audit.models.ScopePath(), output_field=models.TextField(verbose_name='范围路径'), verbose_name='范围路径'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['occurred_us', 'id', 'scope_path'], name='audit_scope_idx'),
        ),
    ]
