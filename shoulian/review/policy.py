"""Who reads the review app's rows, on top of the unit scope (core.policy): the reviewers of the
three levels, the unit's own officers and leaders, the bureau head and the inspector. The clerk
(whose desk is intake) and the administrator (三员分立) read none."""

from __future__ import annotations

from shoulian.accounts.choices import Role
from shoulian.core import policy
from shoulian.core.policy import rule

READER_ROLES = (
    Role.OFFICER,
    Role.LEADER,
    Role.LEGAL_OFFICER,
    Role.CENTER_HEAD,
    Role.LEGAL_BRIGADE,
    Role.BUREAU_HEAD,
    Role.INSPECTOR,
)


def register() -> None:
    from shoulian.review.models import AvRecord, AvReview, Guidance, Review

    for model in (Review, AvRecord, AvReview, Guidance):
        policy.register(model, view=rule(*READER_ROLES))
    # The answer is the legal brigade's (精准指导), for its own bureau.
    policy.register(Guidance, answer=rule(Role.LEGAL_BRIGADE))
