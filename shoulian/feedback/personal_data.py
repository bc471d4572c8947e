"""Personal-data declarations of the feedback app (P4).

The complainant's name and mobile are ``EncryptedField`` columns with a blind index and declare
themselves. The free texts below may mention people; they are read by the center in full.
"""

from shoulian.privacy.registry import Kind, Storage, not_personal, register

register(
    "feedback.Complaint",
    "content",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="投诉建议的内容须由中心负责人阅读原文后答复；群众查询只显示答复，列表不显示内容",
)
register(
    "feedback.Complaint",
    "answer",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="答复内容须原样告知投诉人（查询页面展示），不得写入他人个人信息",
)
register(
    "feedback.FollowUp",
    "note",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="回访情况记录群众意见，中心人员和督办须阅读原文；群众查询不显示",
)
register(
    "feedback.FollowUpAttempt",
    "note",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="每次回访的情况说明，中心人员须阅读原文",
)
not_personal("feedback.Complaint", "number", reason="系统生成的投诉建议编号")
not_personal("feedback.Complaint", "query_code", reason="系统生成的随机查询码")
