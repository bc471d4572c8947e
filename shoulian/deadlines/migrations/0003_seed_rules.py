"""Seed the national default of every period in DOMAIN §5, each with its source, as version 1.

``effective_from`` 2000-01-01 marks the baseline: in force for every deadline the system will see.
When a law changes, the legal brigade writes a new version dated from the day it takes effect.
The row "economic-crime and dispute-prone cases: legal review before the decision" is a guard on
the decision, not a period, and belongs to the workflow's guard registry.
"""

import datetime

from django.db import migrations

BASELINE = datetime.date(2000, 1, 1)

OPINION_2015 = "公安部《关于改革完善受案立案制度的意见》（2015）"
CRIMINAL_RULES = "《公安机关办理刑事案件程序规定》"
ADMIN_RULES = "《公安机关办理行政案件程序规定》"
TRANSFER_RULES = "国务院《行政执法机关移送涉嫌犯罪案件的规定》"
PUBLIC_ORDER_LAW = "《中华人民共和国治安管理处罚法》（2012年修正）"
PETITION_RULES = "《信访工作条例》（2022）、《公安机关信访工作规定》"
ASSESSMENT_RULES = "本局执法质量考评办法"

# (code, name, description, length, unit, start, stop, pause, resume,
#  extension per grant, extension cap, approver role, source law, article)
RULES = [
    (
        "walkin_registration",
        "来所报案当场登记、出具回执",
        "群众来所报案：当场登记、当场接收证据材料、当场出具接报案回执（三个当场）。",
        0, "hours", "alert_received", "receipt_issued", "", "",
        0, 0, "", OPINION_2015, "",
    ),
    (
        "urgent_registration",
        "紧急警情、110 转警处置后补录",
        "先行处置的紧急警情、110 指令警情，处置结束后补录登记。",
        24, "hours", "onsite_handled", "alert_registered", "", "",
        0, 0, "", OPINION_2015, "",
    ),
    (
        "admin_acceptance_review",
        "行政案件受案审查",
        "一般24小时内作出是否受案决定；案情复杂的经办案部门负责人批准可延长至3日（按72小时计）。",
        24, "hours", "alert_registered", "admin_accept_decided", "", "",
        48, 48, "leader", OPINION_2015, "",
    ),
    (
        "criminal_filing_review",
        "刑事案件立案审查",
        "一般3日内作出是否立案决定；重大疑难复杂案件经县级以上公安机关负责人批准可延长至30日。",
        3, "days", "alert_registered", "criminal_filing_decided", "", "",
        27, 27, "bureau_head", OPINION_2015, "",
    ),
    (
        "criminal_clue_review",
        "刑事线索查证立案审查",
        "涉嫌犯罪线索需要查证的，立案审查不超过7日；重大疑难复杂案件经县级以上公安机关负责人批准可延长至30日。",
        7, "days", "alert_registered", "criminal_filing_decided", "", "",
        23, 23, "bureau_head", OPINION_2015, "",
    ),
    (
        "non_filing_notice",
        "送达不予立案通知书",
        "决定不予立案的，3日内制作不予立案通知书送达控告人。",
        3, "days", "non_filing_decided", "non_filing_notice_served", "", "",
        0, 0, "", CRIMINAL_RULES, "第一百七十八条",
    ),
    (
        "reconsideration_application",
        "控告人申请复议",
        "控告人收到不予立案通知书后7日内可以申请复议；期满未申请的，不予立案决定不再复议。",
        7, "days", "non_filing_notice_served", "reconsideration_applied", "", "",
        0, 0, "", CRIMINAL_RULES, "第一百七十九条",
    ),
    (
        "reconsideration_decision",
        "作出复议决定",
        "收到复议申请后30日内作出决定并送达；案情重大、复杂的可延长，延长不超过30日。",
        30, "days", "reconsideration_applied", "reconsideration_decided", "", "",
        30, 30, "bureau_head", CRIMINAL_RULES, "第一百七十九条",
    ),
    (
        "review_application",
        "控告人申请复核",
        "控告人对复议决定不服的，收到复议决定书后7日内可以向上一级公安机关申请复核。",
        7, "days", "reconsideration_decided", "review_applied", "", "",
        0, 0, "", CRIMINAL_RULES, "第一百七十九条",
    ),
    (
        "review_decision",
        "作出复核决定",
        "上一级公安机关收到复核申请后30日内作出决定。",
        30, "days", "review_applied", "review_decided", "", "",
        0, 0, "", CRIMINAL_RULES, "第一百七十九条",
    ),
    (
        "admin_transfer_out",
        "非本单位管辖的行政案件移送并告知",
        "属于公安机关职责范围但不属于本单位管辖的，受理后24小时内移送有管辖权的单位，并告知报案人。",
        24, "hours", "alert_registered", "transferred_out", "", "",
        0, 0, "", ADMIN_RULES, "第六十一条",
    ),
    (
        "not_police_business_notice",
        "不属于公安职责的告知报案人",
        "不属于公安机关职责范围的，立即口头告知报案人向其他主管机关报案；报案人有异议的书面告知。",
        0, "hours", "alert_registered", "reporter_told", "", "",
        0, 0, "", ADMIN_RULES, "第六十一条",
    ),
    (
        "transferred_case_decision",
        "审查行政执法机关移送的涉嫌犯罪案件",
        "自接受移送之日起3日内审查，决定是否立案并书面通知移送机关。",
        3, "days", "transfer_received", "criminal_filing_decided", "", "",
        0, 0, "", TRANSFER_RULES, "第八条",
    ),
    (
        "public_order_case",
        "办理治安案件",
        "自受理之日起不超过30日；案情重大、复杂的经上一级公安机关批准可延长30日；鉴定期间不计入。"
        "2025年修订本施行后，由法制大队核对条文并修订本规则。",
        30, "days", "case_accepted", "case_concluded", "appraisal_commissioned", "appraisal_returned",
        30, 30, "bureau_head", PUBLIC_ORDER_LAW, "第九十九条",
    ),
    (
        "complaint_acceptance",
        "告知信访人是否受理",
        "收到信访事项后15日内告知是否受理。",
        15, "days", "complaint_received", "complaint_acceptance_told", "", "",
        0, 0, "", PETITION_RULES, "",
    ),
    (
        "complaint_answer",
        "信访事项办结答复",
        "自受理之日起60日内办结并答复。",
        60, "days", "complaint_acceptance_told", "complaint_answered", "", "",
        0, 0, "", PETITION_RULES, "",
    ),
    (
        "complaint_center_answer",
        "受立案中心投诉答复承诺",
        "受立案管理中心承诺15日内答复投诉、建议（本局可调整）。",
        15, "days", "complaint_received", "complaint_answered", "", "",
        0, 0, "", "受立案管理中心服务承诺", "",
    ),
    (
        "score_challenge",
        "考评结果异议期",
        "考评结果公布后3日内可以提出异议。",
        3, "days", "score_published", "score_challenged", "", "",
        0, 0, "", ASSESSMENT_RULES, "",
    ),
    (
        "score_challenge_answer",
        "答复考评异议",
        "收到考评异议后3日内答复。",
        3, "days", "score_challenged", "score_challenge_answered", "", "",
        0, 0, "", ASSESSMENT_RULES, "",
    ),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for (
        code, name, description, length, unit, start, stop, pause, resume,
        step, cap, approver, law, article,
    ) in RULES:
        if DeadlineRule.objects.filter(code=code, bureau__isnull=True).exists():
            continue
        DeadlineRule.objects.create(
            code=code,
            bureau=None,
            version=1,
            name=name,
            description=description,
            length_value=length,
            length_unit=unit,
            start_event=start,
            stop_event=stop,
            pause_event=pause,
            resume_event=resume,
            extension_length=step,
            extension_cap=cap,
            extension_approver_role=approver,
            moves_on_holiday=unit != "hours",
            source_law=law,
            source_article=article,
            effective_from=BASELINE,
            is_active=True,
            change_reason="初始版本（DOMAIN §5）",
        )


def unseed(apps, schema_editor):
    apps.get_model("deadlines", "DeadlineRule").objects.filter(
        bureau__isnull=True, version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0002_seed_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
