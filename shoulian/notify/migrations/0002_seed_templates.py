"""Seed one template per message key with the wording of ``shoulian.notify.texts``. The texts are
copied here (a migration must not change when the module does)."""

from django.db import migrations

TEXTS = {
    "received": (
        "【{bureau}】您报警的警情已登记，编号{number}，查询码{query_code}，"
        "可通过 {query_url} 查询办理进度。"
    ),
    "accepted": (
        "【{bureau}】您报警的警情（编号{number}）已于{date}受案调查，由{unit}办理，"
        "联系电话{unit_phone}。"
    ),
    "filed": (
        "【{bureau}】您报警的警情（编号{number}）已于{date}立案侦查，由{unit}办理，"
        "联系电话{unit_phone}。"
    ),
    "not_filed": (
        "【{bureau}】您报警的警情（编号{number}）经审查决定不予立案，详见已送达的不予立案通知书。"
        "如不服，可于{deadline}前向作出决定的公安机关申请复议。"
    ),
    "transferred": (
        "【{bureau}】您报警的警情（编号{number}）已移交{unit}办理，联系电话{unit_phone}。"
    ),
    "transferred_out": (
        "【{bureau}】您报称的事项（警情编号{number}）经审查已移送{authority}处理，"
        "详见移送案件通知书。"
    ),
    "not_police": (
        "【{bureau}】您报称的事项（警情编号{number}）经审查不属于公安机关职责范围，"
        "请向{authority}反映，详见不予调查处理告知书。"
    ),
    "closed": (
        "【{bureau}】您报警的警情（编号{number}）已于{date}办结。"
        "如对办理情况有意见或建议，可通过 {query_url} 提出。"
    ),
    "follow_up": (
        "【{bureau}】您报警的警情（编号{number}）已办结，我们将对办理情况进行回访，"
        "请留意来电，也可通过 {query_url} 评价。感谢您的支持。"
    ),
    "one_time_code": (
        "【{bureau}】您的查询验证码为{code}，{minutes}分钟内有效。请勿将验证码告诉他人。"
    ),
    "complaint_received": (
        "【{bureau}】您的投诉建议已收到，编号{complaint_number}，查询码{query_code}，"
        "我们将于{deadline}前答复，可通过 {query_url} 查看。"
    ),
    "complaint_answered": (
        "【{bureau}】您的投诉建议（编号{complaint_number}）已答复，"
        "请通过 {query_url} 凭查询码和手机号查看。"
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


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
