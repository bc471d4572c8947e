"""The numbered catalogue of audit event types. Numbers are stable forever: never reuse one.

Ranges: 1xxx authentication and sessions, 2xxx accounts and organisation, 3xxx the journal itself,
4xxx intake, 5xxx workflow and decisions (57xx the case-nature assistant), 6xxx citizen channels,
7xxx supervision (71xx the review work), 8xxx reads and exports of personal data, evidence and
documents (U1: reads are events too).

A type that records somebody *seeing* something belongs in ``READ_EVENT_TYPES``: the business
timeline that staff see leaves reads out, only the inspector's journal shows them.
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
    SESSION_REVOKED = 1015, "会话因锁定、停用或重置而结束"
    ENROLMENT_CODE_ACCEPTED = 1016, "动态口令绑定码验证通过"
    ENROLMENT_CODE_FAILED = 1017, "动态口令绑定码错误"
    ENROLMENT_CODE_INVALIDATED = 1018, "动态口令绑定码多次错误作废"
    LOGIN_THROTTLED = 1019, "登录过于频繁被暂缓"
    API_AUTH_THROTTLED = 1020, "接口认证失败过多被暂缓"

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
    ACCOUNT_CHANGE_PROPOSED = 2010, "提出账户变更（待审批）"
    ACCOUNT_CHANGE_APPROVED = 2011, "批准账户变更"
    ACCOUNT_CHANGE_REJECTED = 2012, "不批准账户变更"
    ACCOUNT_CHANGE_WITHDRAWN = 2013, "撤回账户变更申请"
    ENROLMENT_CODE_ISSUED = 2014, "发放动态口令绑定码"
    STAFF_MOBILE_CHANGED = 2015, "设置工作手机号"
    STAFF_SMS_OPT_IN_CHANGED = 2016, "开启或关闭短信提醒"
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
    CHECKPOINT_EXPORTED = 3010, "导出检查点"
    SIGNING_KEY_CREATED = 3011, "生成日志签名密钥"
    JOURNAL_BROKEN = 3012, "发现审计日志被篡改"
    SEALER_REFUSED = 3013, "封存程序拒绝签署"
    JOURNAL_FORGERY_FOUND = 3014, "发现日志外写入的事件（拒绝封存）"
    # the sealer loop survives database errors: one event per distinct error (issue 13 §4)
    SEALER_DB_ERROR = 3030, "封存程序数据库错误（自动重试）"

    # 35xx personal data (shoulian.privacy); a reveal is PERSONAL_DATA_VIEWED (8001)
    PERSONAL_DATA_REENCRYPTED = 3501, "个人信息换用新密钥加密"
    PERSONAL_DATA_REINDEXED = 3502, "重建个人信息检索索引"

    # 4xxx intake
    ALERT_REGISTERED = 4001, "登记警情"
    ALERT_IMPORTED = 4002, "接收外部系统警情"
    ALERT_REGISTRATION_COMPLETED = 4003, "补录完成警情登记"
    ALERT_IMPORT_REJECTED = 4004, "拒绝导入警情"
    EVIDENCE_FILE_RECEIVED = 4010, "接收证据文件"
    EVIDENCE_FILE_MISMATCH = 4011, "证据文件校验不符"
    EVIDENCE_ORPHAN_REMOVED = 4012, "清理孤立证据文件"
    RECEIPT_ISSUED = 4020, "出具接报案回执"
    ALERT_DRAFT_SAVED = 4030, "保存警情草稿"
    ALERT_DRAFT_DISCARDED = 4031, "删除警情草稿"
    IDEMPOTENCY_CONFLICT = 4040, "提交编号重复用于不同内容"
    CATEGORY_CREATED = 4050, "新增警情类别"
    CATEGORY_UPDATED = 4051, "修改警情类别"
    ALERTS_SEARCHED_BY_PHONE = 4052, "按报案人电话查找警情"
    CATEGORY_FLAGS_REVISED = 4053, "修订警情类别法律属性"
    CATEGORY_FLAGS_APPLIED = 4054, "警情类别法律属性新版本生效"
    API_CLIENT_CREATED = 4060, "创建接口客户端"
    API_CLIENT_REVOKED = 4061, "吊销接口客户端"
    API_AUTH_FAILED = 4062, "接口认证失败"

    # 50xx workflow: routing, sign-for, transfers, disputes, decisions (shoulian.workflow)
    ALERT_ROUTED = 5001, "分派警情"
    ALERT_REROUTED = 5002, "重新分派警情"
    ALERT_SIGNED_FOR = 5003, "签收警情"
    ALERT_RETURNED = 5004, "退回警情"
    HANDLING_STARTED = 5005, "开始办理警情"
    TRANSFER_REQUESTED = 5010, "申请移交其他单位"
    TRANSFER_APPROVED = 5011, "中心同意移交"
    TRANSFER_REJECTED = 5012, "中心不同意移交"
    DISPUTE_RAISED = 5020, "提出管辖争议"
    JURISDICTION_DESIGNATED = 5021, "指定管辖"
    DECISION_PROPOSED = 5030, "提出处理意见"
    DECISION_WITHDRAWN = 5031, "撤回处理意见"
    DECISION_STEP_APPROVED = 5032, "审批同意"
    DECISION_REJECTED = 5033, "审批不同意"
    ADMIN_CASE_ACCEPTED = 5040, "决定受案"
    CRIMINAL_CASE_FILED = 5041, "决定立案"
    NOT_FILED_DECIDED = 5042, "决定不予立案"
    TRANSFERRED_OUT = 5043, "决定移送其他机关"
    NOT_POLICE_DECIDED = 5044, "决定不予调查处理（不属于公安职责）"
    NON_CASE_CLOSED = 5045, "非案件类警情办结"
    CASE_SOLVED = 5046, "破案"
    INVESTIGATION_CONCLUDED = 5047, "侦查终结（移送审查起诉）"
    CASE_REVOKED = 5048, "撤销案件"
    PUNISHMENT_DECIDED = 5049, "作出治安管理处罚决定"
    NON_FILING_NOTICE_SERVED = 5050, "送达不予立案通知书"
    NO_PUNISHMENT_DECIDED = 5051, "作出不予处罚决定"
    CASE_MEDIATED = 5052, "调解结案"
    CASE_CONCLUDED = 5053, "结案"
    RECONSIDERATION_DECISION_SERVED = 5054, "送达复议决定书"
    COMPLAINT_ACCEPTANCE_TOLD = 5080, "告知投诉人、信访人受理"
    RECONSIDERATION_APPLIED = 5060, "登记复议申请"
    RECONSIDERATION_DECIDED = 5061, "作出复议决定"
    REVIEW_APPLIED = 5062, "登记复核申请"
    REVIEW_DECIDED = 5063, "登记复核决定"
    ALERT_FOLLOWED_UP = 5070, "回访"
    ROUTING_RULE_SAVED = 5090, "保存分派规则"
    APPROVAL_CHAIN_CONFIGURED = 5091, "配置审批流程"
    DOCUMENT_PREFIX_SET = 5092, "设置文书字号前缀"
    WORKFLOW_REFUSED = 5099, "拒绝办理操作"

    # 55xx deadlines: statutory periods, their rules and the holiday calendar (shoulian.deadlines)
    DEADLINE_STARTED = 5501, "期限开始计算"
    DEADLINE_PAUSED = 5502, "期限暂停计算"
    DEADLINE_RESUMED = 5503, "期限恢复计算"
    DEADLINE_STOPPED = 5504, "期限完结"
    DEADLINE_EXTENSION_REQUESTED = 5505, "申请延长期限"
    DEADLINE_EXTENDED = 5506, "批准延长期限"
    DEADLINE_EXTENSION_REJECTED = 5507, "驳回延长期限申请"
    DEADLINE_RECOMPUTED = 5508, "重新计算到期时间"
    DEADLINE_RULE_REVISED = 5520, "修订期限规则"
    CALENDAR_YEAR_CREATED = 5540, "新增年度节假日安排"
    CALENDAR_DAYS_SET = 5541, "设置节假日或调休日"
    CALENDAR_DAY_REMOVED = 5542, "删除节假日或调休日"
    CALENDAR_YEAR_PUBLISHED = 5543, "发布年度节假日安排"
    CALENDAR_SYNCED = 5544, "同步国务院节假日数据"

    # 57xx case-nature assistant: element checklists and the officer's choice (shoulian.assistant)
    NATURE_CHECKLIST_REVISED = 5701, "修订案件定性要件清单"
    NATURE_CHOICE_RECORDED = 5702, "记录定性选择（案件定性辅助）"

    # 60xx SMS outbox and milestone messages (shoulian.notify)
    SMS_QUEUED = 6001, "短信进入发件箱"
    SMS_SENT = 6002, "短信已发送"
    SMS_SEND_FAILED = 6003, "短信发送失败（将重试）"
    SMS_DEAD = 6004, "短信多次发送失败（运维告警）"
    SMS_EXPIRED = 6005, "短信过期未发送"
    SMS_RETRY_REQUESTED = 6006, "人工重发短信"
    SMS_TEMPLATE_CHANGED = 6007, "修改短信模板"
    SMS_GATEWAY_ALERT = 6008, "短信多次发送失败告警（继续重试）"
    # the outbox as a whole: backlog too old or sweeps failing in a row (issue 13 §5)
    SMS_OUTBOX_ALERT = 6009, "短信发件箱积压告警"
    SMS_OUTBOX_RECOVERED = 6010, "短信发件箱恢复正常"
    # retention: sent and expired messages past the period lose mobile and text (issue 14 §3)
    SMS_CONTENT_PURGED = 6011, "清除过期短信内容"
    SMS_BACKLOG_RELEASED = 6012, "短信网关恢复，积压短信提前重发"

    # 61xx progress query and kiosk (shoulian.citizen)
    QUERY_CODE_REQUESTED = 6101, "群众查询申请验证码"
    QUERY_THROTTLED = 6102, "群众查询超过频次限制"
    QUERY_VERIFIED = 6103, "群众查询验证通过"
    QUERY_VERIFY_FAILED = 6104, "群众查询验证码错误"
    QUERY_VIEWED = 6105, "群众查看办理进度"
    QUERY_CODE_SENT = 6106, "群众查询验证码已发送"
    KIOSK_CREATED = 6111, "新增自助终端"
    KIOSK_ENROLMENT_ISSUED = 6112, "生成自助终端登记链接"
    KIOSK_ENROLLED = 6113, "自助终端完成登记"
    KIOSK_DISABLED = 6114, "停用自助终端"
    KIOSK_ENABLED = 6115, "启用自助终端"

    # 62xx complaints, suggestions and follow-up visits (shoulian.feedback)
    COMPLAINT_SUBMITTED = 6201, "提交投诉建议"
    COMPLAINT_ANSWERED = 6202, "答复投诉建议"
    FOLLOW_UP_OPENED = 6210, "生成回访任务"
    FOLLOW_UP_SCHEDULED = 6211, "更新回访时间"
    FOLLOW_UP_ATTEMPTED = 6212, "记录回访（未联系上）"
    FOLLOW_UP_RECORDED = 6213, "记录回访结果"
    FOLLOW_UP_CANCELLED = 6214, "撤销回访任务"
    # No longer written: a dissatisfied follow-up is a supervision finding (7010) since the
    # 督办事项 moved into supervision (supervision 0003); kept for the events already journalled.
    SUPERVISION_ITEM_OPENED = 6220, "回访不满意转督办"

    # 70xx supervision: patrol, findings, rectification, escalation (shoulian.supervision)
    PATROL_RUN = 7001, "日常巡查"
    PATROL_RULE_REVISED = 7002, "修订巡查规则"
    FINDING_OPENED = 7010, "形成巡查发现"
    FINDING_RAISED = 7011, "巡查预警升级"
    FINDING_CLEARED = 7012, "巡查发现消除（规则不再命中）"
    FINDING_REOPENED = 7013, "巡查发现再次命中"
    RECTIFICATION_SUBMITTED = 7020, "提交整改"
    RECTIFICATION_APPROVED = 7021, "整改审核通过"
    RECTIFICATION_RETURNED = 7022, "整改退回"
    FINDING_CLOSED = 7023, "整改销号"
    FINDING_ESCALATED = 7030, "逾期未整改升级"
    # The 有案不受 rule's stored rankings of narratives (shoulian.assistant, derived data)
    NARRATIVES_RANKED = 7090, "巡查案情定性排名"
    SUPERVISION_REFUSED = 7099, "拒绝监督操作"

    # 71xx the three levels' review work: reviews, AV records, guidance, campaigns (shoulian.review)
    REVIEW_RECORDED = 7100, "记录巡查评查"
    AV_RECORD_ADDED = 7101, "登记现场处警视音频"
    AV_REVIEWED = 7102, "审查现场处警视音频"
    GUIDANCE_REQUESTED = 7103, "申请案件定性指导"
    GUIDANCE_ANSWERED = 7104, "作出案件定性指导"
    CHECKLIST_PUBLISHED = 7110, "发布评查标准"
    CAMPAIGN_DEFINED = 7111, "制定专项评查"
    CAMPAIGN_SAMPLED = 7112, "抽取评查样本"
    CAMPAIGN_ASSIGNED = 7113, "分配评查任务"
    CAMPAIGN_SCORED = 7114, "评查打分"
    CAMPAIGN_CLOSED = 7115, "专项评查结束"
    CAMPAIGN_REPORT_PRINTED = 7116, "生成专项评查报告"
    CAMPAIGN_CANCELLED = 7117, "撤销专项评查"
    REVIEW_REFUSED = 7149, "拒绝评查操作"

    # 715x bulletins: 周汇总 and numbered 月通报 (shoulian.bulletins)
    WEEKLY_SUMMARY_WRITTEN = 7150, "生成周汇总"
    BULLETIN_DRAFTED = 7151, "起草月通报"
    BULLETIN_EDITED = 7152, "修改月通报"
    BULLETIN_CENTER_APPROVED = 7153, "受立案管理中心审核月通报"
    BULLETIN_APPROVED = 7154, "法制大队审批月通报"
    BULLETIN_RETURNED = 7155, "退回月通报"
    BULLETIN_ISSUED = 7156, "下发月通报"
    BULLETIN_REFUSED = 7199, "拒绝通报操作"

    # 72xx assessment: 考核办法, score ledger, challenges, accountability (shoulian.assessment)
    SCHEME_DRAFTED = 7201, "拟定考核办法"
    SCHEME_PUBLISHED = 7202, "发布考核办法"
    SCORE_RUN = 7210, "考评记分"
    SCORE_POSTED = 7211, "考评扣分"
    SCORE_BONUS_AWARDED = 7212, "考评加分"
    SCORE_ADJUSTED = 7213, "考核办法修订调整记分"
    SCORE_CHALLENGED = 7220, "提出考评申诉"
    SCORE_CHALLENGE_UPHELD = 7221, "考评申诉成立（冲正）"
    SCORE_CHALLENGE_REJECTED = 7222, "考评申诉不成立"
    INTERVIEW_RECORDED = 7230, "登记约谈"
    REFERRAL_MADE = 7240, "移送纪检监察"
    REFERRAL_CONCLUDED = 7241, "纪检监察处理结果"
    ASSESSMENT_REFUSED = 7299, "拒绝考评操作"

    # 74xx the supervision platform (shoulian.dashboard): its rollups and the warning feed
    ROLLUPS_CHECKED = 7400, "核对监督平台汇总"
    ROLLUP_DRIFT = 7401, "监督平台汇总偏差"
    RISK_WARNING_ACKNOWLEDGED = 7410, "确认风险预警"
    # 745x display links of wall screens (shoulian.dashboard)
    DISPLAY_LINK_ISSUED = 7450, "签发大屏显示链接"
    DISPLAY_LINK_REVOKED = 7451, "撤销大屏显示链接"
    DISPLAY_LINK_OPENED = 7452, "大屏显示链接首次启用"
    DISPLAY_LINK_REFUSED = 7453, "拒绝大屏显示链接"

    # 8xxx reads and exports (who saw what)
    PERSONAL_DATA_VIEWED = 8001, "查看个人信息"
    EVIDENCE_DOWNLOADED = 8002, "下载证据材料"
    DATA_EXPORTED = 8003, "导出数据"
    DOCUMENT_PRINTED = 8004, "打印文书"


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    DENIED = "denied", "拒绝"
    FAILURE = "failure", "失败"


# Events that record somebody looking at something rather than something changing.
READ_EVENT_TYPES = frozenset(
    {
        EventType.JOURNAL_READ,
        EventType.JOURNAL_EXPORTED,
        EventType.JOURNAL_VERIFIED,
        EventType.PROOF_EXPORTED,
        EventType.TIMELINE_READ,
        EventType.CHECKPOINT_EXPORTED,
        EventType.PERSONAL_DATA_VIEWED,
        EventType.ALERTS_SEARCHED_BY_PHONE,
        EventType.EVIDENCE_DOWNLOADED,
        EventType.DATA_EXPORTED,
        EventType.DOCUMENT_PRINTED,
        EventType.QUERY_VIEWED,
        EventType.CAMPAIGN_REPORT_PRINTED,
    }
)

# Session bookkeeping (staff logins, citizens' query verification) says nothing about the
# object's business history.
SESSION_EVENT_TYPES = frozenset(
    {
        EventType.LOGIN_SUCCEEDED,
        EventType.LOGIN_FAILED,
        EventType.LOGIN_REFUSED_LOCKED,
        EventType.LOGIN_REFUSED_INACTIVE,
        EventType.LOGIN_REFUSED_DEMO,
        EventType.LOGIN_THROTTLED,
        EventType.ENROLMENT_CODE_ACCEPTED,
        EventType.ENROLMENT_CODE_FAILED,
        EventType.OTP_VERIFIED,
        EventType.OTP_FAILED,
        EventType.LOGOUT,
        EventType.SESSION_EXPIRED_IDLE,
        EventType.SESSION_EXPIRED_ABSOLUTE,
        EventType.ACCESS_DENIED,
        EventType.QUERY_CODE_REQUESTED,
        EventType.QUERY_THROTTLED,
        EventType.QUERY_VERIFIED,
        EventType.QUERY_VERIFY_FAILED,
        EventType.QUERY_CODE_SENT,
    }
)


# Attempts the system turned down: nothing happened to the object. The inspector's journal shows
# them; on the staff timeline they would read as steps of the alert's history.
REFUSAL_EVENT_TYPES = frozenset(
    {
        EventType.WORKFLOW_REFUSED,
        EventType.SUPERVISION_REFUSED,
        EventType.REVIEW_REFUSED,
        EventType.ASSESSMENT_REFUSED,
        EventType.BULLETIN_REFUSED,
    }
)


def is_business_event(event_type: int) -> bool:
    """True for events that belong on an object's business timeline (staff-visible)."""
    return (
        event_type not in READ_EVENT_TYPES
        and event_type not in SESSION_EVENT_TYPES
        and event_type not in REFUSAL_EVENT_TYPES
        and not 3000 <= event_type < 4000
    )


def label(event_type: int) -> str:
    try:
        return str(EventType(event_type).label)
    except ValueError:
        return f"未知事件（{event_type}）"
