"""Staff accounts, their roles, login attempts and live sessions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from shoulian.accounts.choices import (
    BUREAU_WIDE_ROLES,
    ROLE_DUTIES,
    AccountChangeKind,
    AccountChangeStatus,
    PoliceKind,
    Role,
)
from shoulian.core.scoping import ScopeDomain, ScopedQuerySet
from shoulian.core.text import Text

username_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]{2,31}$", "用户名为 3–32 位小写字母、数字或 _ . -，以字母或数字开头。"
)


class UserQuerySet(ScopedQuerySet["User"]):
    scope_fields = ("unit",)
    scope_domain = ScopeDomain.ORG


class ShoulianUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A member of staff. Citizens never have accounts: they use query codes."""

    username_validator = username_validator  # type: ignore[assignment]

    full_name = models.CharField("姓名", max_length=30)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="所属单位",
        null=True,
    )
    police_kind = models.CharField(
        "人员类别", max_length=12, choices=PoliceKind.choices, default=PoliceKind.OFFICER
    )
    badge_number = models.CharField("警号/辅警编号", max_length=12, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)
    # Failures before this moment no longer count toward lockout (set at unlock and at login).
    failures_reset_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField("停用原因", max_length=120, blank=True)
    is_demo_account = models.BooleanField(default=False, editable=False)
    # Bumped whenever all sessions must end (lock, disable, password or OTP reset, role change);
    # a session opened under an older epoch is logged out on its next request (A6).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # An account an administrator opened stays disabled until a second person approves it
    # (two-person rule, accounts.approvals); nobody can enable it before that.
    awaiting_approval = models.BooleanField("待审批开户", default=False, editable=False)

    objects = ShoulianUserManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["unit__path", "username"]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）"

    @cached_property
    def role_set(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        if "roles" in prefetched:
            return frozenset(r.role for r in prefetched["roles"])
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_bureau_wide(self) -> bool:
        return bool(self.role_set & BUREAU_WIDE_ROLES)

    @property
    def is_auxiliary(self) -> bool:
        return self.police_kind == PoliceKind.AUXILIARY

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def role_labels(self) -> list[Text]:
        return [Role(r).label for r in Role.values if r in self.role_set]

    @property
    def role_duties(self) -> list[tuple[Text, Text]]:
        """(role, what it does) for each role held, for the home page."""
        return [(Role(r).label, ROLE_DUTIES[r]) for r in Role.values if r in self.role_set]

    def password_expired(self) -> bool:
        from shoulian.accounts.passwords import rotation_days

        days = rotation_days()
        if self.must_change_password:
            return True
        if not days or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > timedelta(days=days)

    def totp_waived(self) -> bool:
        """Demo mode waives the second factor for accounts of the demo bureau only (A3)."""
        return bool(settings.DEMO_MODE and self.is_demo_account and self.unit and self.unit.is_demo)


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="userrole_unique")]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.get_role_display()}"


class LoginAttempt(models.Model):
    """Every login try, for lockout (A1) counted per account, never per address."""

    username = models.CharField(max_length=150, db_index=True)
    user = models.ForeignKey(
        User, null=True, on_delete=models.CASCADE, related_name="login_attempts"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    source_ip = models.GenericIPAddressField(null=True)
    stage = models.CharField(max_length=10, default="password")  # password | otp
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["user", "succeeded", "at"], name="loginattempt_user_at")]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"


class UserSession(models.Model):
    """Maps a user to its server-side sessions so disabling the user can end all of them (A6)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="live_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    source_ip = models.GenericIPAddressField(null=True)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class AccountChangeQuerySet(ScopedQuerySet["AccountChange"]):
    scope_fields = ("user__unit",)
    scope_domain = ScopeDomain.ORG


class AccountChange(models.Model):
    """An administrator's proposal that lets a person act as another (open an account, grant a
    role, reset a password or the second factor). It takes effect only when a person of another
    role approves it (accounts.approvals)."""

    kind = models.CharField("事项", max_length=20, choices=AccountChangeKind.choices)
    status = models.CharField(
        "状态",
        max_length=12,
        choices=AccountChangeStatus.choices,
        default=AccountChangeStatus.PENDING,
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="account_changes", verbose_name="账户"
    )
    roles = models.JSONField("角色", default=list, blank=True)
    # RESET_PASSWORD: the proposed temporary password, hashed as Django stores passwords; it
    # replaces the account's password only at approval.
    password_hash = models.CharField(max_length=128, blank=True, editable=False)
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="审批人"
    )
    decided_at = models.DateTimeField("审批时间", null=True)
    note = models.CharField("审批意见", max_length=200, blank=True)

    objects = AccountChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "账户变更申请"
        verbose_name_plural = "账户变更申请"
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(status="pending"),
                name="accountchange_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user_id} {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == AccountChangeStatus.PENDING

    @property
    def role_labels(self) -> list[Text]:
        return [Role(r).label for r in Role.values if r in self.roles]


class EnrolmentCode(models.Model):
    """The one-time code a person needs, besides the password, to bind a second factor. Only its
    hash is kept; the plain code is shown once to whoever hands it over (the approver, or the
    operator at the command line), never to the administrator who set the password."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=128)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failures = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)
    change = models.ForeignKey(
        AccountChange, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"enrolment code of user {self.user_id}"
