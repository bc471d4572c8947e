"""Writes of the deadline engine, by sub-domain: running deadlines, rules, the holiday calendar."""

from shoulian.deadlines.services.calendar import (
    SyncReport,
    calendar_day_remove,
    calendar_days_set,
    calendar_sync_from_library,
    calendar_year_create,
    calendar_year_publish,
)
from shoulian.deadlines.services.deadlines import (
    compute,
    deadline_extend,
    deadline_extension_reject,
    deadline_extension_request,
    deadline_pause,
    deadline_resume,
    deadline_start,
    deadline_stop,
    deadlines_recompute,
)
from shoulian.deadlines.services.rules import RULE_FIELDS, rule_revise

__all__ = [
    "RULE_FIELDS",
    "SyncReport",
    "calendar_day_remove",
    "calendar_days_set",
    "calendar_sync_from_library",
    "calendar_year_create",
    "calendar_year_publish",
    "compute",
    "deadline_extend",
    "deadline_extension_reject",
    "deadline_extension_request",
    "deadline_pause",
    "deadline_resume",
    "deadline_start",
    "deadline_stop",
    "deadlines_recompute",
    "rule_revise",
]
