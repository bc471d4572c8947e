"""Who may act on assessment's rows, on top of the unit scope (core.policy)."""

from __future__ import annotations

from shoulian.accounts.choices import Role
from shoulian.core import policy
from shoulian.core.policy import rule

# Who writes the 考核办法, answers challenges and awards bonuses: the legal brigade.
LEGAL = (Role.LEGAL_BRIGADE,)
# Who holds an interview (约谈) or refers to discipline inspection.
ACCOUNTABILITY = (Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD)
REFERRERS = (Role.LEGAL_BRIGADE, Role.BUREAU_HEAD)
# Who reads accountability records: the bureau's leadership, the legal brigade, the inspector.
ACCOUNTABILITY_READERS = (*ACCOUNTABILITY, Role.INSPECTOR)
# Who sees every unit's and officer's results and exports them (评先评优、绩效).
RANKING_READERS = (Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR)


def register() -> None:
    from shoulian.assessment.models import Challenge, Interview, Referral, ScoreEntry

    policy.register(ScoreEntry, award=rule(*LEGAL))
    policy.register(Challenge, answer=rule(*LEGAL))
    policy.register(Interview, view=rule(*ACCOUNTABILITY_READERS), record=rule(*ACCOUNTABILITY))
    policy.register(
        Referral,
        view=rule(*ACCOUNTABILITY_READERS),
        refer=rule(*REFERRERS),
        conclude=rule(Role.INSPECTOR),
    )
