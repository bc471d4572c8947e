from django.db import models
from django.utils.translation import gettext_lazy as _

from shoulian.core.text import Text
from shoulian.org.choices import UnitKind


class Role(models.TextChoices):
    CLERK = "clerk", _("接报警员")
    OFFICER = "officer", _("办案民警")
    LEADER = "leader", _("所队领导")
    LEGAL_OFFICER = "legal_officer", _("所队法制员")
    CENTER_HEAD = "center_head", _("受立案中心负责人")
    LEGAL_BRIGADE = "legal_brigade", _("法制大队")
    BUREAU_HEAD = "bureau_head", _("局领导")
    INSPECTOR = "inspector", _("纪检")
    ADMIN = "admin", _("系统管理员")


class PoliceKind(models.TextChoices):
    OFFICER = "officer", _("民警")
    AUXILIARY = "auxiliary", _("辅警")


ALL_STAFF = frozenset(Role.values)

# Roles whose holder sees the whole bureau's case data, not only the own unit's subtree.
BUREAU_WIDE_ROLES = frozenset(
    {Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR}
)

# A 辅警 may register and route but never make, propose or approve a legal decision
# (公安机关警务辅助人员管理条例: auxiliaries assist, they do not exercise law-enforcement power).
AUXILIARY_ALLOWED_ROLES = frozenset({Role.CLERK})

# 三员分立: the administrator manages accounts and configuration and reads no case content; the
# inspector reads the journal. Neither role may be combined with the other or with case roles.
SEPARATED_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR})

# Where each role may be held. A role outside its unit kinds is a configuration mistake.
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    Role.CLERK: frozenset({UnitKind.CENTER, UnitKind.STATION}),
    Role.OFFICER: frozenset(
        {
            UnitKind.STATION,
            UnitKind.CRIMINAL_BRIGADE,
            UnitKind.ECONOMIC_BRIGADE,
            UnitKind.PUBLIC_ORDER_BRIGADE,
            UnitKind.OTHER,
        }
    ),
    Role.LEADER: frozenset(
        {
            UnitKind.STATION,
            UnitKind.CRIMINAL_BRIGADE,
            UnitKind.ECONOMIC_BRIGADE,
            UnitKind.PUBLIC_ORDER_BRIGADE,
            UnitKind.OTHER,
            UnitKind.CENTER,
            UnitKind.LEGAL_BRIGADE,
        }
    ),
    Role.LEGAL_OFFICER: frozenset(
        {
            UnitKind.STATION,
            UnitKind.CRIMINAL_BRIGADE,
            UnitKind.ECONOMIC_BRIGADE,
            UnitKind.PUBLIC_ORDER_BRIGADE,
            UnitKind.OTHER,
        }
    ),
    Role.CENTER_HEAD: frozenset({UnitKind.CENTER}),
    Role.LEGAL_BRIGADE: frozenset({UnitKind.LEGAL_BRIGADE}),
    Role.BUREAU_HEAD: frozenset({UnitKind.BUREAU}),
    Role.INSPECTOR: frozenset({UnitKind.DISCIPLINE, UnitKind.BUREAU}),
    Role.ADMIN: frozenset(
        {UnitKind.BUREAU, UnitKind.CITY_BUREAU, UnitKind.COMMAND, UnitKind.OTHER}
    ),
}

ROLE_DUTIES: dict[str, Text] = {
    Role.CLERK: _("登记报警、出具回执、分派警情"),
    Role.OFFICER: _("签收、办理警情，提出受案/立案意见，反馈与整改"),
    Role.LEADER: _("审批本单位决定，审核整改，接收巡查发现抄送"),
    Role.LEGAL_OFFICER: _("本所队法制初审，源头整改"),
    Role.CENTER_HEAD: _("分派与指定管辖，争议裁决，日常巡查，二级审核"),
    Role.LEGAL_BRIGADE: _("法制审核、定性指导、重点评查、通报，三级销号"),
    Role.BUREAU_HEAD: _("审批刑事立案/不予立案及30日延长"),
    Role.INSPECTOR: _("查阅审计日志与问责记录"),
    Role.ADMIN: _("管理单位、辖区、用户与配置（不接触案件内容）"),
}


# --- Two-person rule (三员分立, DOMAIN §2) ------------------------------------------------------
class AccountChangeKind(models.TextChoices):
    """What an administrator may only propose: each one lets a person act as someone else."""

    CREATE = "create", _("开设账户")
    GRANT = "grant", _("授予角色")
    RESET_PASSWORD = "reset_password", _("重置密码")
    RESET_OTP = "reset_otp", _("重置动态口令")


class AccountChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


# Who approves an administrator's proposal. DOMAIN §2 names a 安全保密管理员 and, where a bureau
# names none, the 纪检: the product has no 安全保密管理员 role yet (every content page admits
# "every role but the administrator", so a new role would inherit case content), so the 纪检 of
# the target's bureau approves (docs/security.md, "Two-person rule").
APPROVER_ROLES = frozenset({Role.INSPECTOR})
