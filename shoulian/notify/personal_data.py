"""Personal-data declarations of the SMS outbox (P4).

The recipient's mobile is an ``EncryptedField`` and declares itself. The message text is rendered
from a template whose placeholders name nothing personal (``texts.PLACEHOLDERS``, Z8).
"""

from shoulian.privacy.registry import Kind, Storage, not_personal, register

not_personal("notify.SmsMessage", "text", reason="由短信模板和非个人信息占位符生成（Z8）")
not_personal("notify.SmsMessage", "shown_text", reason="短信内容，验证码和查询码以星号隐去")
not_personal("notify.SmsMessage", "key", reason="去重键，只含对象编号和手机号的不可逆索引")
not_personal("notify.SmsMessage", "last_error", reason="网关错误信息，不含号码和短信内容")
not_personal("notify.SmsMessage", "provider_ref", reason="短信服务商的回执编号")
not_personal("notify.SmsTemplate", "text", reason="短信模板文字，保存时拒绝号码和证件号")
not_personal("notify.SmsTemplateVersion", "text", reason="短信模板的历史文字")
not_personal("notify.SmsMessage", "template", reason="短信模板的键（received、filed 等）")
not_personal("notify.SmsMessage", "template_version", reason="短信模板的版本号")
not_personal("notify.OutboxState", "name", reason="投递机制状态行的名称（batch、sweep）")
not_personal("notify.OutboxState", "alert_reason", reason="发件箱告警原因：积压时长或连续失败轮数")
register(
    "notify.SmsMessage",
    "mobile_masked",
    kind=Kind.PHONE,
    storage=Storage.MASKED,
    reason="保留期满清除号码后留下的隐去号码（138****8000），发件箱仍可显示发给了谁",
)
