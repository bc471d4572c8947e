"""Version 1 of the default review checklist (受案立案执法质量评查标准): items, points (100 in all)
and the legal basis of each, in force from 2000-01-01; a bureau publishes its own versions."""

import datetime as dt

from django.db import migrations

CODE = "acceptance_filing"
NAME = "受案立案执法质量评查标准"
ITEMS = [
    ("receipt", "当场出具接报案回执，告知查询方式和投诉渠道", 10, "公安部《关于改革完善受案立案制度的意见》（2015）"),
    ("registration", "受案登记及时，报案人、案情、涉案财物等信息完整", 15, "公安部《关于改革完善受案立案制度的意见》（2015）"),
    ("evidence", "当场接收证据材料并逐项登记，文件留存完整", 10, "公安部《关于改革完善受案立案制度的意见》（2015）"),
    ("classification", "警情定性准确，无有案不受、降格处理", 20, "《公安机关办理刑事案件程序规定》第一百七十四条、第一百七十八条"),
    ("time_limit", "受案、立案审查在法定期限内完成", 15, "公安部《关于改革完善受案立案制度的意见》（2015）；《公安机关办理行政案件程序规定》第六十一条"),
    ("documents", "法律文书齐全规范，不予立案通知书三日内送达", 10, "《公安机关办理刑事案件程序规定》第一百七十八条"),
    ("approval", "决定经法制审核和领导审批", 10, "《公安机关办理刑事案件程序规定》第一百七十八条；2015 意见"),
    ("av_record", "现场处警视音频记录完整并按时上传", 10, "《公安机关现场执法视音频记录工作规定》（2016）"),
]


def seed(apps, schema_editor):
    Checklist = apps.get_model("review", "Checklist")
    Item = apps.get_model("review", "ChecklistItem")
    checklist, created = Checklist.objects.get_or_create(
        code=CODE,
        bureau=None,
        version=1,
        defaults={
            "name": NAME,
            "effective_from": dt.date(2000, 1, 1),
            "change_reason": "初始版本（issue 15）",
        },
    )
    if created:
        Item.objects.bulk_create(
            Item(checklist=checklist, position=n, code=code, text=text, points=points, legal_basis=basis)
            for n, (code, text, points, basis) in enumerate(ITEMS, start=1)
        )


def unseed(apps, schema_editor):
    Checklist = apps.get_model("review", "Checklist")
    Item = apps.get_model("review", "ChecklistItem")
    Item.objects.filter(checklist__code=CODE, checklist__bureau=None).delete()
    Checklist.objects.filter(code=CODE, bureau=None).delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0002_campaigns")]

    operations = [migrations.RunPython(seed, unseed)]
