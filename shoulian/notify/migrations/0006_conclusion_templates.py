"""The 破案 and 结案 milestone messages (issue 12): their keys and the seeded wording, copied here
from ``shoulian.notify.texts`` (a migration must not change when the module does)."""

from django.db import migrations, models

TEXTS = {
    "solved": (
        "【{bureau}】您报警的案件（警情编号{number}）已于{date}侦破，由{unit}办理，"
        "联系电话{unit_phone}。可通过 {query_url} 查询进展。"
    ),
    "concluded": (
        "【{bureau}】您报警的案件（警情编号{number}）已于{date}办结，由{unit}办理，"
        "联系电话{unit_phone}。如有意见或建议，可通过 {query_url} 提出。"
    ),
}


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notify", "SmsTemplate")
    SmsTemplateVersion = apps.get_model("notify", "SmsTemplateVersion")
    for key, text in TEXTS.items():
        template, created = SmsTemplate.objects.get_or_create(
            key=key, bureau=None, defaults={"text": text, "version": 1}
        )
        if created:
            SmsTemplateVersion.objects.create(template=template, version=1, text=text)


def unseed(apps, schema_editor):
    apps.get_model("notify", "SmsTemplateVersion").objects.filter(
        template__key__in=list(TEXTS)
    ).delete()
    apps.get_model("notify", "SmsTemplate").objects.filter(key__in=list(TEXTS)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0005_outbox_keyset_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='smsmessage',
            name='template',
            field=models.CharField(choices=[('received', '警情已登记（附查询码）'), ('accepted', '已受案（行政案件）'), ('filed', '已立案（刑事案件）'), ('not_filed', '不予立案（告知复议期限）'), ('transferred', '移交其他单位办理'), ('transferred_out', '移送其他机关'), ('not_police', '不属于公安职责'), ('closed', '非案件类办结'), ('follow_up', '回访邀请'), ('one_time_code', '查询验证码'), ('complaint_received', '投诉建议已收到'), ('complaint_answered', '投诉建议已答复'), ('solved', '案件已侦破（刑事案件）'), ('concluded', '案件已结案（治安案件）')], max_length=30, verbose_name='模板'),
        ),
        migrations.AlterField(
            model_name='smstemplate',
            name='key',
            field=models.CharField(choices=[('received', '警情已登记（附查询码）'), ('accepted', '已受案（行政案件）'), ('filed', '已立案（刑事案件）'), ('not_filed', '不予立案（告知复议期限）'), ('transferred', '移交其他单位办理'), ('transferred_out', '移送其他机关'), ('not_police', '不属于公安职责'), ('closed', '非案件类办结'), ('follow_up', '回访邀请'), ('one_time_code', '查询验证码'), ('complaint_received', '投诉建议已收到'), ('complaint_answered', '投诉建议已答复'), ('solved', '案件已侦破（刑事案件）'), ('concluded', '案件已结案（治安案件）')], max_length=30, verbose_name='模板'),
        ),
        migrations.RunPython(seed, unseed),
    ]
