"""Menu entries of assessment (see core.navigation): the 考评 section after 监督."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shoulian.accounts.choices import ALL_STAFF, Role
from shoulian.assessment.policy import ACCOUNTABILITY_READERS, RANKING_READERS
from shoulian.core.navigation import NavItem, add_section, register

add_section("assessment", _("考评"), before="admin")
register(
    NavItem(
        _("我的考评"),
        "assessment:overview",
        ALL_STAFF - {Role.ADMIN},
        "assessment",
        _("本人和本单位的执法质量考评得分、扣分明细与排名，3日内可申诉"),
    ),
    NavItem(
        _("考评排名"),
        "assessment:rankings",
        frozenset(RANKING_READERS),
        "assessment",
        _("各单位、民警的月度、季度、年度得分排名与趋势，导出用于评先评优和绩效"),
    ),
    NavItem(
        _("考评申诉"),
        "assessment:challenges",
        ALL_STAFF - {Role.ADMIN},
        "assessment",
        _("对扣分提出的申诉及法制大队的答复"),
    ),
    NavItem(
        _("考核办法"),
        "assessment:schemes",
        ALL_STAFF - {Role.ADMIN},
        "assessment",
        _("扣分项目、分值、上限与加分项目，文号与生效日期，修订前可试算"),
    ),
    NavItem(
        _("约谈"),
        "assessment:interviews",
        frozenset(ACCOUNTABILITY_READERS),
        "assessment",
        _("约谈记录及签字文书"),
    ),
    NavItem(
        _("移送纪检监察"),
        "assessment:referrals",
        frozenset(ACCOUNTABILITY_READERS),
        "assessment",
        _("逾期不整改造成后果的问题线索移送及处理结果"),
    ),
)
