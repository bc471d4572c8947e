"""Personal-data declarations of supervision (P4). Findings name units, officers (as staff
accounts) and alert numbers, never a citizen; the patrol's evidence on repeat reporters keeps blind
indexes, not values. The one free text is the note a finding carried over from the feedback
app's 督办事项 (the citizen's dissatisfaction as the center recorded it)."""

from shoulian.privacy.registry import Kind, Storage, not_personal, register

not_personal("supervision.PatrolRule", "name", reason="巡查规则的名称（如：节点超期）")
register(
    "supervision.Finding",
    "note",
    kind=Kind.FREE_TEXT,
    storage=Storage.PLAIN,
    reason="回访督办事项转来的群众不满意见，责任单位整改和各级审核须阅读原文；群众查询不显示",
)
