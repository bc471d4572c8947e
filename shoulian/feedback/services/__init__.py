"""Writes of the feedback app, by sub-domain: complaints and suggestions (``complaints``) and
follow-up visits (``follow_ups``). Import the
services from here."""

from shoulian.feedback.services.complaints import (
    ANSWER_MAX,
    COMPLAINT_OBJECT_TYPE,
    COMPLAINT_RULE,
    CONTENT_MAX,
    IdempotencyMismatch,
    complaint_accept,
    complaint_answer,
    complaint_deadline,
    complaint_submit,
)
from shoulian.feedback.services.follow_ups import (
    NOTE_MAX,
    follow_up_days,
    follow_up_max_attempts,
    follow_up_record,
    follow_up_sync,
    follow_ups_release,
)

__all__ = [
    "ANSWER_MAX",
    "COMPLAINT_OBJECT_TYPE",
    "COMPLAINT_RULE",
    "CONTENT_MAX",
    "NOTE_MAX",
    "IdempotencyMismatch",
    "complaint_accept",
    "complaint_answer",
    "complaint_deadline",
    "complaint_submit",
    "follow_up_days",
    "follow_up_max_attempts",
    "follow_up_record",
    "follow_up_sync",
    "follow_ups_release",
]
