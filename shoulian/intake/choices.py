"""Choice sets of the intake desk (DOMAIN §3, §4)."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    """How an alert reached the bureau (DOMAIN §3)."""

    WALK_IN = "walk_in", "来所报警"
    KIOSK = "kiosk", "自助终端"
    DISPATCH_110 = "dispatch_110", "110转警"
    PHONE = "phone", "电话报警"
    ONLINE = "online", "网上报警"
    BROUGHT_IN = "brought_in", "扭送/投案"
    ASSIGNED = "assigned", "上级交办"
    ADMIN_TRANSFER = "admin_transfer", "行政执法机关移送"


# The reporter stands at the desk: the three "on the spot" duties apply (2015 意见).
ON_THE_SPOT_CHANNELS = frozenset({Channel.WALK_IN, Channel.KIOSK, Channel.BROUGHT_IN})

# Alerts that reach the bureau from another system; they arrive through the API or a CSV import,
# each with the sender's own reference number.
MACHINE_CHANNELS = frozenset({Channel.DISPATCH_110, Channel.ADMIN_TRANSFER})

# Channels a clerk may pick on the desk form. 110 alerts come from the command center's export.
DESK_CHANNELS = (
    Channel.WALK_IN,
    Channel.PHONE,
    Channel.ONLINE,
    Channel.BROUGHT_IN,
    Channel.ASSIGNED,
    Channel.ADMIN_TRANSFER,
)


class AlertStatus(models.TextChoices):
    """The internal legal status (DOMAIN §4). Intake creates alerts in REGISTERED only; the
    workflow app owns every transition after it."""

    REGISTERED = "registered", "已登记"
    ROUTED = "routed", "已分派"
    SIGNED = "signed", "已签收"
    HANDLING = "handling", "处置中"
    ADMIN_CASE = "admin_case", "已受案"
    CRIMINAL_CASE = "criminal_case", "已立案"
    NOT_FILED = "not_filed", "不予立案"
    TRANSFERRED = "transferred", "已移送"
    NOT_POLICE = "not_police", "不属于公安职责(已告知)"
    CLOSED_NON_CASE = "closed_non_case", "非案件类办结"
    FOLLOWED_UP = "followed_up", "已回访"
    RETURNED = "returned", "退回"
    DISPUTED = "disputed", "争议"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class ReportForm(models.TextChoices):
    """口头 reports are written down by the clerk: narrative plus a signed 询问笔录."""

    ORAL = "oral", "口头报案"
    WRITTEN = "written", "书面报案"


class PartyRole(models.TextChoices):
    REPORTER = "reporter", "报案人"
    VICTIM = "victim", "被害人"
    SUSPECT = "suspect", "嫌疑人"
    WITNESS = "witness", "证人"
    OTHER = "other", "其他当事人"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"
    UNKNOWN = "unknown", "未知"


class CategoryGroup(models.TextChoices):
    """Top level of the classification standard (警情分类标准)."""

    CRIMINAL = "criminal", "刑事类"
    PUBLIC_ORDER = "public_order", "治安类"
    DISPUTE = "dispute", "纠纷类"
    HELP = "help", "求助类"
    TIP_OFF = "tip_off", "举报类"
    COMPLAINT = "complaint", "投诉类"
    CONSULT = "consult", "咨询类"
    INVALID = "invalid", "无效警情"


# 违法犯罪类警情: the alerts of the 刑事类 and 治安类 groups (what the center's patrol counts as
# "违法犯罪类" in its reports); a filter value of its own on the alert list.
OFFENCE_GROUPS = (CategoryGroup.CRIMINAL, CategoryGroup.PUBLIC_ORDER)
OFFENCE_FILTER = "offence"


class FileKind(models.TextChoices):
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "文档"
    AUDIO = "audio", "音频"
    VIDEO = "video", "视频"


class FilePurpose(models.TextChoices):
    EVIDENCE = "evidence", "证据材料"
    TRANSCRIPT = "transcript", "询问笔录"
    WRITTEN_REPORT = "written_report", "书面报案材料"
    TRANSFER_LETTER = "transfer_letter", "移送函"
    # What a unit attaches to its answer to a supervision finding (the served notice, the
    # corrected receipt …): part of the alert's file like any other material.
    RECTIFICATION = "rectification", "整改材料"
    # A recording of the on-scene handling (执法记录仪), registered as an AV record by the review
    # app: reviewed there, but kept with the alert's other materials.
    ONSCENE_AV = "onscene_av", "现场处警视音频"


class ImportSource(models.TextChoices):
    API = "api", "接口"
    CSV = "csv", "CSV导入"
