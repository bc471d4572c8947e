"""Personal-data declarations of the workflow (P4).

The workflow keeps no copy of a reporter's name, ID number or phone: documents and notifications
point to the party row. What staff write in free text (facts, reasons, grounds) may mention people
and is declared here, kept in clear because reviewers and approvers must read it as written."""

from shoulian.privacy.registry import Kind, Storage, not_personal, register

_WRITTEN = "办案人员撰写的事实与理由，审批、复议人员须阅读原文；群众查询和列表均不显示"

register("workflow.Decision", "facts", kind=Kind.FREE_TEXT, storage=Storage.PLAIN, reason=_WRITTEN)
register(
    "workflow.Reconsideration",
    "grounds",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="控告人的复议、复核理由，决定机关须阅读原文",
)
register(
    "workflow.Document",
    "content",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="已制作法律文书的内容（含受案登记表的简要案情和发案地点），须与送达文本一致；"
    "报案人姓名不在其中，渲染时从当事人记录读取",
)
not_personal("workflow.Decision", "authority", reason="接收移送或应当受理的机关名称")
not_personal(
    "workflow.Notification", "text", reason="告知模板文字，只含警情编号、单位和机关名称（Z8）"
)
not_personal("workflow.ChainStep", "label", reason="审批环节名称")
not_personal("workflow.Approval", "label", reason="审批环节名称")
