"""Writes of supervision, by sub-domain: the finding lifecycle (rectification, escalation), the
patrol that opens and clears findings, the rule settings and the inbox."""

from shoulian.supervision.services.findings import (
    FindingConflict,
    FindingDenied,
    FindingError,
    finding_transition,
    rectification_approve,
    rectification_return,
    rectification_submit,
)
from shoulian.supervision.services.inbox import inbox_mark_read, inbox_notify
from shoulian.supervision.services.manual import finding_raise, manual_rule_choices
from shoulian.supervision.services.patrol import PatrolStats, evaluate, evaluate_alert, patrol_run
from shoulian.supervision.services.rules import patrol_rule_revise

__all__ = [
    "FindingConflict",
    "FindingDenied",
    "FindingError",
    "PatrolStats",
    "evaluate",
    "evaluate_alert",
    "finding_raise",
    "finding_transition",
    "inbox_mark_read",
    "inbox_notify",
    "manual_rule_choices",
    "patrol_rule_revise",
    "patrol_run",
    "rectification_approve",
    "rectification_return",
    "rectification_submit",
]
