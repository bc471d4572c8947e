"""The search finds a source number (external_ref) in any case, through an index of its upper
case (issue 14 review: the exact look-up had lost the case-insensitive match)."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0008_list_indexes'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='alert',
            name='alert_external_ref_idx',
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(django.db.models.functions.text.Upper('external_ref'), name='alert_external_ref_idx'),
        ),
    ]
