"""Menu entries of the feedback app (see core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import Role
from shoulian.core.navigation import NavItem, register
from shoulian.org.choices import UnitKind

# A 接报警员 answers the center's phone, not a 派出所's desk: the center does complaints and
# follow-up calls for the whole bureau.
CENTER_CLERK: dict[str, frozenset[str]] = {UnitKind.CENTER: frozenset({Role.CLERK})}

register(
    NavItem(
        _("投诉建议"),
        "feedback:complaints",
        frozenset({Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR}),
        "citizens",
        _("群众投诉与建议，受立案中心负责人15日内答复"),
        seated=CENTER_CLERK,
    ),
    NavItem(
        _("回访任务"),
        "feedback:follow_ups",
        frozenset({Role.CENTER_HEAD}),
        "citizens",
        _("办结警情的回访：联系结果与群众满意度"),
        seated=CENTER_CLERK,
    ),
)
