"""Personal-data declarations of the intake desk (P4).

ID numbers and phones of parties are ``EncryptedField`` columns with a blind index and declare
themselves. Everything else that names, locates or describes a person is declared here.
"""

from shoulian.privacy.registry import Kind, Storage, not_personal, register

# --- parties (报案人 and other parties) ---------------------------------------------------------
register("intake.AlertParty", "name", kind=Kind.NAME, storage=Storage.MASKED)
register("intake.AlertParty", "address", kind=Kind.ADDRESS, storage=Storage.MASKED)
register(
    "intake.AlertParty",
    "note",
    kind=Kind.FREE_TEXT,
    storage=Storage.MASKED,
    reason="关于当事人的补充说明（如与被害人的关系），列表中不显示",
)

# --- the alert itself --------------------------------------------------------------------------
register(
    "intake.Alert",
    "narrative",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="简要案情是办案内容：办案、审核、巡查人员必须阅读原文；群众查询和列表均不显示",
)
register(
    "intake.Alert",
    "incident_place",
    kind=Kind.ADDRESS,
    storage=Storage.PLAIN,
    reason="发案地点是警情要素，确定管辖派出所和出警都需要原文；群众查询不显示",
)
not_personal("intake.Alert", "source_organ", reason="移送案件的行政执法机关名称")
not_personal("intake.Alert", "external_ref", reason="110 接警单号或移送函文号，不指向个人")

# --- evidence ----------------------------------------------------------------------------------
not_personal("intake.EvidenceItem", "name", reason="证据材料（物品、文件）的名称")
register(
    "intake.EvidenceItem",
    "features",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="物品特征（颜色、型号、编号）须原样写入回执，交报案人核对",
)
register(
    "intake.EvidenceFile",
    "original_name",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="证据文件的原文件名是证据保全元数据，须原样保存以便核对（F2）；只在授权页面显示",
)
not_personal("intake.EvidenceFile", "stored_name", reason="系统生成的随机文件名")

# --- configuration and machinery ---------------------------------------------------------------
not_personal("intake.Category", "name", reason="警情分类标准中的类别名称")
not_personal("intake.ApiClient", "name", reason="接口客户端（110 指挥中心、执法机关平台）名称")
not_personal("intake.AlertDraft", "summary", reason="草稿摘要只含报警方式、类别和保存时间")

# --- the API's authentication throttle ----------------------------------------------------------
register(
    "intake.ApiAuthFailureWindow",
    "source_ip",
    kind=Kind.NETWORK_ADDRESS,
    storage=Storage.PLAIN,
    reason="接口认证失败按来源地址限流（十分钟窗口，一天后删除），须用原地址比对",
)
