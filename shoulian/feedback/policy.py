"""Who may see and act on complaints and follow-ups, on top of the unit scope
(registered with core.policy from FeedbackConfig.ready(); applied by ``visible_to(user, action)``).

The bureau-wide scope of the legal brigade, say, does not make complaints its business: these
rules narrow the unit scope to the roles whose work this is."""

from __future__ import annotations

from shoulian.accounts.choices import Role
from shoulian.core import policy
from shoulian.core.policy import rule
from shoulian.org.choices import UnitKind

# A 接报警员 takes part only at the center's desk, not at a 派出所's.
CENTER_CLERK: dict[str, set[str]] = {UnitKind.CENTER: {Role.CLERK}}
CENTER_STAFF: dict[str, set[str]] = {UnitKind.CENTER: {Role.CLERK, Role.CENTER_HEAD}}
CENTER_HEAD: dict[str, set[str]] = {UnitKind.CENTER: {Role.CENTER_HEAD}}


def register() -> None:
    from shoulian.feedback.models import Complaint, FollowUp, FollowUpAttempt

    policy.register(
        Complaint,
        # The center answers; the bureau head oversees how the bureau answers its citizens and
        # the discipline inspector reads accountability records (DOMAIN §2). The legal brigade,
        # units and the administrator have no business with them.
        view=rule(Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR, seated=CENTER_CLERK),
        # Only the head of the center the complaint is addressed to answers it.
        answer=rule(seated=CENTER_HEAD, own_unit=True),
    )
    policy.register(
        FollowUp,
        view=rule(Role.CENTER_HEAD, seated=CENTER_CLERK),
        # The call is made from the follow-up's own center, by its clerks or its head.
        record=rule(seated=CENTER_STAFF, own_unit=True),
    )
    policy.register(FollowUpAttempt, view=rule(Role.CENTER_HEAD, seated=CENTER_CLERK))
