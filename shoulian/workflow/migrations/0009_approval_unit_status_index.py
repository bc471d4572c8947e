"""The pending approval steps of a unit through an index (issue 14): the bureau head's queue read
every step the bureau was ever asked to decide."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('workflow', '0008_inbox_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='approval',
            index=models.Index(fields=['unit', 'status'], name='approval_unit_status_idx'),
        ),
    ]
