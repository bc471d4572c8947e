"""Personal-data declarations of the review app (P4). Reviews, AV records, campaigns and their
scores name units, staff accounts and alert numbers, never a citizen by field; the free texts
below are staff's own words about the handling of an alert and may mention a party, so they stay
inside the alert's scope (never in a bulletin, never on the citizen side)."""

from shoulian.privacy.registry import Kind, Storage, not_personal, register

not_personal("review.Checklist", "name", reason="评查标准的名称（如：受立案专项评查标准）")

_WHY = "评查人员对办案情况的意见，各级审核须阅读原文；只在警情可见范围内显示，不进入通报和群众端"
for model, field in (
    ("review.Review", "comment"),
    ("review.AvReview", "comment"),
    ("review.Guidance", "question"),
    ("review.CampaignScore", "note"),
):
    register(model, field, kind=Kind.FREE_TEXT, storage=Storage.PLAIN, reason=_WHY)
