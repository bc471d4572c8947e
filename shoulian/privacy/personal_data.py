"""Declarations (P4) for the foundation apps that predate the registry: accounts, audit, org.

They live here so that those apps need not import the privacy layer; an app written after it
keeps its own declarations in ``shoulian/<app>/personal_data.py``.
"""

from shoulian.privacy.registry import Kind, Storage, not_personal, register

# --- accounts: staff, not citizens ------------------------------------------------------------
# Staff names are personal data too (PIPL), but law enforcement is done openly: documents are
# signed, every routing and decision shows who acted, and the journal must name the actor.
register(
    "accounts.User",
    "full_name",
    kind=Kind.NAME,
    storage=Storage.PLAIN,
    reason="民警、辅警姓名：执法须表明身份，文书署名、流转记录和审计追责都要显示承办人",
)
register(
    "accounts.User",
    "username",
    kind=Kind.ACCOUNT,
    storage=Storage.PLAIN,
    reason="工作人员登录账号，账号管理和审计需要识别",
)
for _field in ("first_name", "last_name"):
    register(
        "accounts.User",
        _field,
        kind=Kind.NAME,
        storage=Storage.PLAIN,
        reason="Django 内置字段，本系统不填写（姓名存于 full_name）",
    )
register(
    "accounts.User",
    "email",
    kind=Kind.EMAIL,
    storage=Storage.PLAIN,
    reason="工作邮箱，Django 内置字段，本系统目前不填写",
)
register(
    "accounts.LoginAttempt",
    "username",
    kind=Kind.ACCOUNT,
    storage=Storage.PLAIN,
    reason="登录失败锁定（A1）按账号计数，包括不存在的账号",
)
register(
    "accounts.LoginAttempt",
    "source_ip",
    kind=Kind.NETWORK_ADDRESS,
    storage=Storage.PLAIN,
    reason="登录来源地址，供安全审计核查（A1、U1）",
)
register(
    "accounts.UserSession",
    "source_ip",
    kind=Kind.NETWORK_ADDRESS,
    storage=Storage.PLAIN,
    reason="会话来源地址，供核查账号使用情况（A6）",
)

# --- audit: read only by the discipline inspector (Z6) ----------------------------------------
register(
    "audit.AuditEvent",
    "actor_username",
    kind=Kind.ACCOUNT,
    storage=Storage.PLAIN,
    reason="审计事件必须记录操作人（U1）；日志只有纪检可以查阅",
)
register(
    "audit.AuditEvent",
    "source_ip",
    kind=Kind.NETWORK_ADDRESS,
    storage=Storage.PLAIN,
    reason="审计事件必须记录来源地址（U1）；日志只有纪检可以查阅",
)

# --- org: public facts about police units -----------------------------------------------------
not_personal("org.Unit", "name", reason="公安机关单位名称，公开的机构信息")
not_personal("org.Unit", "short_name", reason="公安机关单位简称，公开的机构信息")
not_personal("org.Unit", "phone", reason="单位对外联系电话，印在回执上告知群众，不指向个人")
not_personal("org.Unit", "address", reason="单位办公地址，公开的机构信息")
not_personal("org.Area", "name", reason="派出所辖区名称")
not_personal("org.Place", "name", reason="辖区内的地名（街道、社区、道路），不指向个人")
