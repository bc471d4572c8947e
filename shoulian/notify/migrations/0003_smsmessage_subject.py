"""``SmsMessage.notification`` (a foreign key up to workflow) becomes a generic subject
``(subject_type, subject_id)``, as deadlines and the journal name their objects; the notice keeps
its link as ``Notification.sms_message`` (workflow 0003, which copies it first). Every message of
a notice keeps naming it: ("notification", "<pk>")."""

from django.db import migrations, models


def to_subject(apps, schema_editor):
    SmsMessage = apps.get_model("notify", "SmsMessage")
    rows = SmsMessage.objects.filter(notification__isnull=False).values_list("pk", "notification_id")
    for pk, notification_id in rows.iterator():
        SmsMessage.objects.filter(pk=pk).update(
            subject_type="notification", subject_id=str(notification_id)
        )


def from_subject(apps, schema_editor):
    SmsMessage = apps.get_model("notify", "SmsMessage")
    rows = SmsMessage.objects.filter(subject_type="notification").values_list("pk", "subject_id")
    for pk, subject_id in rows.iterator():
        SmsMessage.objects.filter(pk=pk).update(notification_id=int(subject_id))


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_seed_templates"),
        ("workflow", "0003_notification_sms_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="smsmessage",
            name="subject_type",
            field=models.CharField(
                blank=True, default="", max_length=30, verbose_name="关联对象类型"
            ),
        ),
        migrations.AddField(
            model_name="smsmessage",
            name="subject_id",
            field=models.CharField(
                blank=True, default="", max_length=40, verbose_name="关联对象编号"
            ),
        ),
        migrations.RunPython(to_subject, from_subject),
        migrations.RemoveField(model_name="smsmessage", name="notification"),
        migrations.AddIndex(
            model_name="smsmessage",
            index=models.Index(fields=["subject_type", "subject_id"], name="sms_subject_idx"),
        ),
    ]
