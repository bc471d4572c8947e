"""Personal-data declarations of the citizen channels (P4). ``QueryChallenge.mobile`` is an
``EncryptedField`` and declares itself; the rest is machinery."""

from shoulian.privacy.registry import not_personal

not_personal("citizen.Kiosk", "name", reason="自助终端的名称（如“中心大厅 1 号机”）")
not_personal("citizen.Kiosk", "enrolment_token_hash", reason="一次性登记链接的 SHA-256，不指向个人")
not_personal("citizen.QueryChallenge", "code_hash", reason="查询码的密钥散列，用于限制频次")
not_personal("citizen.QueryChallenge", "otp_hash", reason="短信验证码的密钥散列")
not_personal("citizen.QueryChallenge", "subject_type", reason="查询对象类型（警情/投诉建议）")
not_personal("citizen.QueryAttempt", "code_hash", reason="查询码的密钥散列，用于限制频次")
not_personal("citizen.QueryAttempt", "address_hash", reason="客户端地址的密钥散列，用于限制频次")
