"""The numbered catalogue of audit event types. Numbers are stable forever: never reuse one.

Ranges: 1xxx authentication and sessions, 2xxx accounts and organisation, 3xxx the journal itself,
4xxx intake, 5xxx workflow and decisions, 6xxx citizen channels, 7xxx supervision.
"""

from django.db import models


class EventType(models.IntegerChoices):
    # 1xxx authentication and sessions
    LOGIN_SUCCEEDED = 1001, "登录成功"
    LOGIN_FAILED = 1002, "登录失败"
    ACCOUNT_LOCKED = 1003, "账户锁定"
    LOGIN_REFUSED_LOCKED = 1004, "锁定账户尝试登录"
    LOGIN_REFUSED_INACTIVE = 1005, "停用账户尝试登录"
    OTP_VERIFIED = 1006, "动态口令验证成功"
    OTP_FAILED = 1007, "动态口令验证失败"
    OTP_ENROLLED = 1008, "绑定动态口令"
    LOGOUT = 1009, "退出登录"
    SESSION_EXPIRED_IDLE = 1010, "会话空闲超时"
    SESSION_EXPIRED_ABSOLUTE = 1011, "会话达到最长时限"
    PASSWORD_CHANGED = 1012, "修改密码"
    ACCESS_DENIED = 1013, "访问被拒绝"
    LOGIN_REFUSED_DEMO = 1014, "非演示模式下演示账户尝试登录"

    # 2xxx accounts and organisation
    USER_CREATED = 2001, "创建用户"
    USER_UPDATED = 2002, "修改用户"
    USER_ROLES_CHANGED = 2003, "变更用户角色"
    USER_UNLOCKED = 2004, "解锁用户"
    USER_DISABLED = 2005, "停用用户"
    USER_ENABLED = 2006, "启用用户"
    USER_PASSWORD_RESET = 2007, "重置用户密码"
    USER_OTP_RESET = 2008, "重置动态口令"
    USER_DORMANT_DISABLED = 2009, "长期未登录自动停用"
    UNIT_CREATED = 2101, "创建单位"
    UNIT_UPDATED = 2102, "修改单位"
    AREA_CREATED = 2201, "创建辖区"
    AREA_UPDATED = 2202, "修改辖区"
    DEMO_SEEDED = 2901, "载入演示数据"

    # 3xxx the journal itself
    JOURNAL_READ = 3001, "查阅审计日志"
    JOURNAL_EXPORTED = 3002, "导出审计日志"
    JOURNAL_TAMPER_ATTEMPT = 3003, "试图修改或删除审计日志"
    JOURNAL_PURGE_REFUSED = 3004, "拒绝清理保留期内日志"
    JOURNAL_PURGED = 3005, "清理过期日志"
    CHECKPOINT_SIGNED = 3006, "签署检查点"
    JOURNAL_VERIFIED = 3007, "校验审计日志"
    PROOF_EXPORTED = 3008, "导出对象证明"
    TIMELINE_READ = 3009, "查看对象时间线"


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    DENIED = "denied", "拒绝"
    FAILURE = "failure", "失败"
