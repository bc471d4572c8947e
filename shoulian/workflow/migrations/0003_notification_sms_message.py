"""The notice → SMS link moves from ``SmsMessage.notification`` (notify pointing up at workflow)
to ``Notification.sms_message`` (workflow pointing down at notify). Every existing link is copied
before notify drops its column (notify 0003)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    SmsMessage = apps.get_model("notify", "SmsMessage")
    Notification = apps.get_model("workflow", "Notification")
    # One message per notice (its key is "notification:<pk>"); the latest wins if ever two.
    rows = (
        SmsMessage.objects.filter(notification__isnull=False)
        .order_by("notification_id", "id")
        .values_list("notification_id", "id")
    )
    for notification_id, message_id in rows.iterator():
        Notification.objects.filter(pk=notification_id).update(sms_message_id=message_id)


def copy_links_back(apps, schema_editor):
    SmsMessage = apps.get_model("notify", "SmsMessage")
    Notification = apps.get_model("workflow", "Notification")
    rows = Notification.objects.filter(sms_message__isnull=False).values_list("pk", "sms_message_id")
    for notification_id, message_id in rows.iterator():
        SmsMessage.objects.filter(pk=message_id).update(notification_id=notification_id)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_seed_templates"),
        ("workflow", "0002_seed_default_chains"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="sms_message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="notify.smsmessage",
                verbose_name="短信",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
