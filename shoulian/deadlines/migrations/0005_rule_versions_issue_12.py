"""New versions of seven national default rules (issue 12 §6), each dated from the day it applies.

- ``walkin_registration`` v2 and ``not_police_business_notice`` v2: 当场 / 立即 measured as within
  the hour (a zero-length period made every receipt late by seconds); the second runs from the
  decision that the matter is not police business.
- ``review_application`` v2: the 复核 window runs from the applicant's receipt of the 复议决定书
  (《公安机关办理刑事案件程序规定》 art. 179: 收到复议决定书后七日以内), not from the decision.
- ``review_decision`` v2: 案情重大、复杂的 the 复核 decision may be extended by up to 30 days
  (art. 179, last sentence, as for the 复议 decision).
- ``admin_acceptance_review`` v2: 24 hours, difficult cases "延长至3日" counted in days (the
  extension is counted afresh from registration in days and moves for holidays), no longer 72 hours.
- ``complaint_answer`` v2: 60 days, +30 days with the approval of the organ's head
  (《信访工作条例》 art. 35).
- ``public_order_case`` v2, in force from 2026-01-01 (治安管理处罚法 as revised on 27 June 2025):
  counted from 立案 (受案 of the 治安 case), 鉴定 and 听证 periods excluded, extended by 30 days at a
  time at most twice with the approval of the next-level public security organ.

Versions are never edited; a new row per change (docs/deadlines.md).
"""

import datetime

from django.db import migrations

BASELINE = datetime.date(2000, 1, 1)
REVISED_PUBLIC_ORDER_LAW = datetime.date(2026, 1, 1)

CRIMINAL_RULES = "《公安机关办理刑事案件程序规定》"
OPINION_2015 = "公安部《关于改革完善受案立案制度的意见》（2015）"
PETITION_RULES = "《信访工作条例》（2022）"
PUBLIC_ORDER_LAW_2025 = "《中华人民共和国治安管理处罚法》（2025年修订）"

VERSIONS = [
    dict(
        code="walkin_registration",
        name="来所报案当场登记、出具回执",
        description="群众来所报案：当场登记、当场接收证据材料、当场出具接报案回执（三个当场）。"
        "“当场”按接报后1小时内（自下一整点起算）出具回执计，本局法制大队可修订。",
        length_value=1, length_unit="hours",
        start_event="alert_received", stop_event="receipt_issued",
        source_law=OPINION_2015, source_article="",
        effective_from=BASELINE,
        change_reason="“当场”以0小时计时，回执晚于接报一秒即超期，三个当场无法计量；"
        "改为1小时内（issue 12）。",
    ),
    dict(
        code="not_police_business_notice",
        name="不属于公安职责的告知报案人",
        description="不属于公安机关职责范围的，立即告知报案人向其他主管机关反映；"
        "“立即”按作出决定后1小时内（自下一整点起算）计，短信送达或书面告知即为告知。",
        length_value=1, length_unit="hours",
        start_event="not_police_decided", stop_event="reporter_told",
        source_law="《公安机关办理行政案件程序规定》", source_article="第六十一条",
        effective_from=BASELINE,
        change_reason="自作出不属于公安职责的决定起算，告知报案人时终止（issue 12）。",
    ),
    dict(
        code="review_application",
        name="控告人申请复核",
        description="控告人对复议决定不服的，收到复议决定书后7日内可以向上一级公安机关申请复核；"
        "期间自复议决定书送达之时起算。",
        length_value=7, length_unit="days",
        start_event="reconsideration_decision_served", stop_event="review_applied",
        source_law=CRIMINAL_RULES, source_article="第一百七十九条",
        effective_from=BASELINE,
        change_reason="复核申请期限自复议决定书送达起算，而非自复议决定作出起算（issue 12）。",
    ),
    dict(
        code="review_decision",
        name="作出复核决定",
        description="上一级公安机关收到复核申请后30日内作出决定；案情重大、复杂的可以延长，"
        "延长不超过30日。",
        length_value=30, length_unit="days",
        start_event="review_applied", stop_event="review_decided",
        extension_length=30, extension_cap=30, extension_approver_role="legal_brigade",
        source_law=CRIMINAL_RULES, source_article="第一百七十九条",
        effective_from=BASELINE,
        change_reason="补充复核决定期限的延长（案情重大、复杂，延长不超过30日）（issue 12）。",
    ),
    dict(
        code="admin_acceptance_review",
        name="行政案件受案审查",
        description="一般24小时内作出是否受案决定；案情复杂的经办案部门负责人批准可延长至3日"
        "（按日计算，自登记次日起算，最后一日为节假日的顺延）。",
        length_value=24, length_unit="hours",
        start_event="alert_registered", stop_event="admin_accept_decided",
        extension_length=3, extension_cap=3, extension_unit="days",
        extension_approver_role="leader",
        source_law=OPINION_2015, source_article="",
        effective_from=BASELINE,
        change_reason="“疑难案件3日”按日计算并随节假日顺延，不再按72小时计算（issue 12）。",
    ),
    dict(
        code="complaint_answer",
        name="信访事项办结答复",
        description="自受理之日起60日内办结并答复；情况复杂的，经本机关负责人批准可以适当延长，"
        "延长不超过30日，并告知信访人延期理由。",
        length_value=60, length_unit="days",
        start_event="complaint_acceptance_told", stop_event="complaint_answered",
        extension_length=30, extension_cap=30, extension_approver_role="center_head",
        source_law=PETITION_RULES, source_article="第三十五条",
        effective_from=BASELINE,
        change_reason="补充信访答复期限经批准延长30日（issue 12）。",
    ),
    dict(
        code="public_order_case",
        name="办理治安案件",
        description="自立案之日起不超过30日；案情重大、复杂的，经上一级公安机关批准可延长30日，"
        "延长以二次为限；鉴定、听证的期间不计入办案期限。",
        length_value=30, length_unit="days",
        start_event="case_accepted", stop_event="case_concluded",
        pause_event="excluded_period_started", resume_event="excluded_period_ended",
        extension_length=30, extension_cap=60, extension_approver_role="bureau_head",
        source_law=PUBLIC_ORDER_LAW_2025, source_article="",
        effective_from=REVISED_PUBLIC_ORDER_LAW,
        change_reason="2025年修订的治安管理处罚法自2026年1月1日起施行：自立案起算，"
        "鉴定、听证期间不计入，可延长二次。条文序号未能在本系统内核对，请法制大队对照公布文本补录。",
    ),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for values in VERSIONS:
        values = dict(values)
        code = values.pop("code")
        current = DeadlineRule.objects.filter(code=code, bureau__isnull=True).order_by("-version")
        latest = current.first()
        if latest is None or current.filter(
            effective_from=values["effective_from"], change_reason=values["change_reason"]
        ).exists():
            continue
        DeadlineRule.objects.create(
            code=code,
            bureau=None,
            version=latest.version + 1,
            pause_event=values.pop("pause_event", ""),
            resume_event=values.pop("resume_event", ""),
            extension_length=values.pop("extension_length", 0),
            extension_cap=values.pop("extension_cap", 0),
            extension_unit=values.pop("extension_unit", ""),
            extension_approver_role=values.pop("extension_approver_role", ""),
            moves_on_holiday=values["length_unit"] != "hours",
            is_active=True,
            **values,
        )


def unseed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for values in VERSIONS:
        DeadlineRule.objects.filter(
            code=values["code"], bureau__isnull=True, change_reason=values["change_reason"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0004_month_unit_and_extension_unit")]

    operations = [migrations.RunPython(seed, unseed)]
