"""Writes to accounts: each one atomic, each one journalled in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts import approvals
from shoulian.accounts.choices import (
    AUXILIARY_ALLOWED_ROLES,
    ROLE_UNIT_KINDS,
    SEPARATED_ROLES,
    AccountChangeKind,
    PoliceKind,
    Role,
)
from shoulian.accounts.models import LoginAttempt, User, UserRole, UserSession
from shoulian.audit.canonical import keyed_hash
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import deny, record
from shoulian.core.scoping import ScopeDomain, covers
from shoulian.core.text import Text
from shoulian.org.models import Unit


# --- Role rules --------------------------------------------------------------------------------
def validate_roles(*, unit: Unit, police_kind: str, roles: Iterable[str]) -> list[str]:
    """Return the roles sorted in catalogue order, or raise ValidationError in Chinese."""
    chosen = [r for r in Role.values if r in set(roles)]
    if not chosen:
        raise ValidationError(_("至少选择一个角色。"), code="no_role")
    errors: list[Text] = []
    for unknown in set(roles) - set(Role.values):
        errors.append(_("未知角色：%(unknown)s") % {"unknown": unknown})
    if police_kind == PoliceKind.AUXILIARY:
        for role in chosen:
            if role not in AUXILIARY_ALLOWED_ROLES:
                errors.append(
                    _("辅警不得担任“%(role)s”：辅警不得作出或参与执法决定。")
                    % {"role": Role(role).label}
                )
    separated = [r for r in chosen if r in SEPARATED_ROLES]
    if separated and len(chosen) > 1:
        errors.append(_("三员分立：系统管理员、纪检角色不得与其他角色兼任。"))
    for role in chosen:
        if unit.kind not in ROLE_UNIT_KINDS[role]:
            errors.append(
                _("“%(role)s”不能设在%(parent_kind)s（%(name)s）。")
                % {
                    "role": Role(role).label,
                    "parent_kind": unit.get_kind_display(),
                    "name": unit.name,
                }
            )
    if errors:
        raise ValidationError(errors, code="invalid_roles")
    return chosen


def _require_admin_over(actor: User, target_unit: Unit) -> None:
    if not actor.has_role(Role.ADMIN) or not covers(actor, target_unit, ScopeDomain.ORG):
        deny(actor, action="administer_users", obj=target_unit, message=_("无权管理该单位的用户。"))


def _require_not_separated(
    actor: User | None, roles: Iterable[str], target: User | None = None
) -> None:
    """三员分立: the administrator can neither create nor take over an inspector's or another
    administrator's account (set its password, second factor, roles or status) — it would then
    read, or sign off, the journal that watches it. Those accounts are managed from the command
    line by the deployment operator (`manage.py bootstrap_admin --role ...`)."""
    if actor is None:
        return
    touched = set(roles) | (set(target.role_set) if target is not None else set())
    if touched & SEPARATED_ROLES and not (target is not None and target.pk == actor.pk):
        deny(
            actor,
            action="administer_separated_account",
            obj=target,
            message=_("三员分立：系统管理员、纪检账户须由部署管理员在命令行管理。"),
        )


def _end_sessions(user: User, *, keep_key: str | None = None) -> int:
    """End every session of ``user`` (A6), except ``keep_key``.

    The epoch is the guarantee: every session carries the epoch it was opened under and the
    session middleware logs out any session whose epoch is stale — including sessions that have
    passed the password but not yet the second factor, which are not in UserSession. Deleting the
    tracked server-side sessions frees them at once; the return value counts those."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    engine = import_module(settings.SESSION_ENGINE)
    tracked = UserSession.objects.filter(user=user).exclude(session_key=keep_key or "")
    keys = list(tracked.values_list("session_key", flat=True))
    for key in keys:
        engine.SessionStore(session_key=key).delete()
    tracked.delete()
    return len(keys)


def current_epoch(user: User) -> int:
    return int(User.objects.filter(pk=user.pk).values_list("session_epoch", flat=True).get())


def session_rekeyed(*, old_key: str | None, new_key: str | None) -> None:
    """The session key changed (password change cycles it): keep tracking the live key."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


# --- Administration ----------------------------------------------------------------------------
def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    unit: Unit,
    police_kind: str,
    roles: Iterable[str],
    password: str,
    badge_number: str = "",
    must_change_password: bool = True,
    demo: bool = False,
) -> User:
    """Create a staff account. ``actor`` None only for management commands (createadmin, seed).

    An administrator only proposes it (two-person rule, accounts.approvals): the account is
    written disabled and ``awaiting_approval`` until the 纪检 approves it, which issues the
    enrolment code the person needs to bind a second factor."""
    if actor is not None:
        _require_admin_over(actor, unit)
    role_list = validate_roles(unit=unit, police_kind=police_kind, roles=roles)
    _require_not_separated(actor, role_list)
    username = username.strip().lower()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")})
    user = User(
        username=username,
        full_name=full_name.strip(),
        unit=unit,
        police_kind=police_kind,
        badge_number=badge_number.strip(),
        must_change_password=must_change_password,
        is_demo_account=demo,
        is_active=actor is None,
        awaiting_approval=actor is not None,
        disabled_reason="" if actor is None else "待纪检审批开户",
    )
    User.username_validator(username)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    try:
        with transaction.atomic():
            user.save()
            UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in role_list])
            record(
                EventType.USER_CREATED,
                obj=user,
                actor=actor,
                data={
                    "username": username,
                    "unit": unit.code,
                    "police_kind": police_kind,
                    "roles": role_list,
                },
            )
            if actor is not None:
                approvals.propose(
                    actor=actor, user=user, kind=AccountChangeKind.CREATE, roles=role_list
                )
    except IntegrityError:
        # Two admins created the same username at once: the check above passed for both.
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("该用户名已被使用。")}) from None
        raise
    user.__dict__.pop("role_set", None)
    return user


def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    unit: Unit,
    police_kind: str,
    badge_number: str,
    roles: Iterable[str],
) -> User:
    """Save the account's particulars. A role taken away goes at once; a role added is only
    proposed (two-person rule): ``user.proposed_roles`` lists what awaits approval."""
    _require_admin_over(actor, user.unit)  # type: ignore[arg-type]
    _require_admin_over(actor, unit)
    role_list = validate_roles(unit=unit, police_kind=police_kind, roles=roles)
    _require_not_separated(actor, role_list, target=user)
    if user.pk == actor.pk and set(role_list) != set(actor.role_set):
        raise PermissionDenied(_("不能变更自己的角色。"))
    before = {
        "full_name": user.full_name,
        "unit": user.unit.code if user.unit else None,
        "police_kind": user.police_kind,
        "badge_number": user.badge_number,
        "roles": sorted(user.role_set),
    }
    current = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    added = [r for r in role_list if r not in current]
    kept = sorted(r for r in role_list if r in current)
    if added and not kept:
        # Nothing of the old authority stays and the new is not yet approved: the account would
        # hold no role at all, which the role rules forbid. Propose the change as a whole instead.
        raise ValidationError(
            _("新增角色须经纪检审批后生效；请先保留原有角色提出新增，批准后再取消原角色。"),
            code="grant_needs_kept_role",
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            full_name=full_name.strip(),
            unit=unit,
            police_kind=police_kind,
            badge_number=badge_number.strip(),
        )
        UserRole.objects.filter(user=user).exclude(role__in=role_list).delete()
        if added:
            approvals.propose(actor=actor, user=user, kind=AccountChangeKind.GRANT, roles=added)
        after = {
            "full_name": full_name.strip(),
            "unit": unit.code,
            "police_kind": police_kind,
            "badge_number": badge_number.strip(),
            "roles": kept,
        }
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        record(EventType.USER_UPDATED, obj=user, actor=actor, data={"changed": changed})
        if "roles" in changed or "unit" in changed:
            record(
                EventType.USER_ROLES_CHANGED, obj=user, actor=actor, data=changed.get("roles", {})
            )
            # A narrower or different authority takes effect now, not at the next login.
            _end_sessions(user)
    user.refresh_from_db()
    user.__dict__.pop("role_set", None)
    user.proposed_roles = added  # type: ignore[attr-defined]
    return user


def user_unlock(*, actor: User, user: User) -> None:
    _require_admin_over(actor, user.unit)  # type: ignore[arg-type]
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(locked_at=None, failures_reset_at=now)
        record(EventType.USER_UNLOCKED, obj=user, actor=actor)


def user_disable(
    *, actor: User | None, user: User, reason: str, event: EventType = EventType.USER_DISABLED
) -> int:
    """Disable the account and end every session it has, at once (A6)."""
    _require_not_separated(actor, (), target=user)
    if actor is not None:
        _require_admin_over(actor, user.unit)  # type: ignore[arg-type]
        if actor.pk == user.pk:
            raise PermissionDenied(_("不能停用自己的账户。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写停用原因。")})
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            is_active=False, disabled_reason=reason.strip()[:120]
        )
        ended = _end_sessions(user)
        record(
            event,
            obj=user,
            actor=actor,
            data={"reason": reason.strip()[:120], "sessions_ended": ended},
        )
    return ended


def user_enable(*, actor: User, user: User) -> None:
    _require_admin_over(actor, user.unit)  # type: ignore[arg-type]
    if User.objects.filter(pk=user.pk, awaiting_approval=True).exists():
        deny(
            actor,
            action="enable_unapproved_account",
            obj=user,
            message=_("该账户的开户申请尚未获纪检批准，不能启用。"),
        )
    now = timezone.now()
    with transaction.atomic():
        # Re-enabling counts as fresh activity, or the dormant job would disable it again tonight.
        User.objects.filter(pk=user.pk).update(
            is_active=True, disabled_reason="", last_login=now, failures_reset_at=now
        )
        record(EventType.USER_ENABLED, obj=user, actor=actor)


def user_reset_password(*, actor: User, user: User, new_password: str) -> None:
    """Propose a temporary password (two-person rule): it replaces the password only when the
    纪检 approves; until then the account signs in as before."""
    _require_admin_over(actor, user.unit)  # type: ignore[arg-type]
    _require_not_separated(actor, (), target=user)
    if user.pk == actor.pk:
        raise PermissionDenied(_("请用“修改密码”修改自己的密码。"))
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        approvals.propose(
            actor=actor,
            user=user,
            kind=AccountChangeKind.RESET_PASSWORD,
            password_hash=make_password(new_password),
        )


def user_reset_otp(*, actor: User, user: User) -> None:
    """Propose a reset of the second factor (two-person rule): the device stays until the 纪检
    approves; the approval issues the enrolment code for the new one."""
    _require_admin_over(actor, user.unit)  # type: ignore[arg-type]
    _require_not_separated(actor, (), target=user)
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能为自己重置动态口令。"))
    with transaction.atomic():
        approvals.propose(actor=actor, user=user, kind=AccountChangeKind.RESET_OTP)


def password_change(
    *, user: User, old_password: str, new_password: str, current_session_key: str | None
) -> int:
    """Change the password; every other session ends. Returns the new session epoch, which the
    caller stores in the session that made the change so it stays valid."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    if old_password == new_password:
        raise ValidationError({"new_password": _("新密码不能与原密码相同。")})
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        # Other sessions of this account end; the one that changed the password stays.
        _end_sessions(user, keep_key=current_session_key)
        record(EventType.PASSWORD_CHANGED, obj=user, actor=user)
        return current_epoch(user)


# --- Login (A1) --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: Text | None = None


GENERIC_LOGIN_ERROR = _("用户名或密码错误。")
LOCKED_ERROR = _("账户已锁定，请联系系统管理员解锁。")
THROTTLED_ERROR = _("登录尝试过于频繁，请 %(minutes)s 分钟后再试。")

# A1 (docs/security.md, "Login throttling"). The password step is throttled, not locked: anyone who
# knows an officer's user name can fail its password, so a lock an administrator must lift would let
# anyone keep that officer out of the system. Failures are counted per (name, address) with a delay
# that doubles from one minute to an hour, and per name across addresses and per address across
# names (rotated addresses, name sweeps) with a quarter-hour pause that does not apply to an address
# the account signed in from in the last 30 days. The second step, which only someone holding the
# password reaches, still locks the account until an administrator unlocks it.
_PAIR_MEMORY = timedelta(hours=24)
_MAX_DELAY = timedelta(hours=1)
_KNOWN_ADDRESS = timedelta(days=30)


def _spread_threshold() -> int:
    return settings.LOCKOUT_THRESHOLD * 4


def _typed_name(username: str, user: User | None) -> str:
    # A username nobody has is often a password typed into the wrong box: keep only its hash.
    return username[:150] if user is not None else f"#{keyed_hash(username)}"


def _known_address(user: User | None, source_ip: str | None, now: Any) -> bool:
    return bool(
        user is not None
        and source_ip
        and LoginAttempt.objects.filter(
            user=user, source_ip=source_ip, succeeded=True, at__gte=now - _KNOWN_ADDRESS
        ).exists()
    )


def throttle_wait(*, typed: str, user: User | None, source_ip: str | None, now: Any) -> timedelta:
    """How long this (name, address) must wait before its password is checked again."""
    waits = [timedelta(0)]
    attempts = LoginAttempt.objects.filter(stage="password", at__gte=now - _PAIR_MEMORY)
    pair = attempts.filter(username=typed, source_ip=source_ip)
    since = pair.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    failures = pair.filter(succeeded=False)
    if since is not None:
        failures = failures.filter(at__gt=since)
    if user is not None and user.failures_reset_at:
        failures = failures.filter(at__gt=user.failures_reset_at)
    count = failures.count()
    if count >= settings.LOCKOUT_THRESHOLD:
        last = failures.order_by("-at").values_list("at", flat=True).first() or now
        delay = min(timedelta(minutes=2 ** (count - settings.LOCKOUT_THRESHOLD)), _MAX_DELAY)
        waits.append(last + delay - now)
    window = now - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    pause = timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    recent = attempts.filter(succeeded=False, at__gte=window)
    spreads = [recent.filter(source_ip=source_ip)] if source_ip else []
    if user is not None:
        by_name = recent.filter(user=user)
        if user.failures_reset_at:
            by_name = by_name.filter(at__gt=user.failures_reset_at)
        spreads.append(by_name)
    for spread in spreads:
        if spread.count() >= _spread_threshold() and not _known_address(user, source_ip, now):
            last = spread.order_by("-at").values_list("at", flat=True).first() or now
            waits.append(last + pause - now)
    return max(waits)


def _recent_otp_failures(user: User, now: Any) -> int:
    since = now - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    qs = LoginAttempt.objects.filter(user=user, succeeded=False, stage="otp", at__gte=since)
    if user.failures_reset_at:
        qs = qs.filter(at__gt=user.failures_reset_at)
    return qs.count()


def register_failure(
    *, user: User | None, username: str, stage: str, source_ip: str | None
) -> bool:
    """Count one failure. A wrong one-time code locks the account at the threshold (only the
    password's holder gets that far); a wrong password only feeds the throttle, journalled once
    when it starts. Returns True if the account is now locked."""
    now = timezone.now()
    with transaction.atomic():
        typed = _typed_name(username, user)
        LoginAttempt.objects.create(
            username=typed,
            user=user,
            at=now,
            source_ip=source_ip,
            stage=stage,
            succeeded=False,
        )
        event = EventType.OTP_FAILED if stage == "otp" else EventType.LOGIN_FAILED
        record(
            event,
            obj=user,
            outcome=Outcome.FAILURE,
            actor=None,
            data={"username": typed, "stage": stage},
        )
        if stage != "otp":
            wait = throttle_wait(typed=typed, user=user, source_ip=source_ip, now=now)
            if wait > timedelta(0):
                record(
                    EventType.LOGIN_THROTTLED,
                    obj=user,
                    outcome=Outcome.DENIED,
                    actor=None,
                    data={"username": typed, "wait_seconds": int(wait.total_seconds())},
                )
            return False
        if user is None:
            return False
        # Lock under the row lock so two concurrent failures cannot both miss the threshold.
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        if (
            locked_user.locked_at is None
            and _recent_otp_failures(locked_user, now) >= settings.LOCKOUT_THRESHOLD
        ):
            User.objects.filter(pk=user.pk).update(locked_at=now)
            _end_sessions(locked_user)
            record(
                EventType.ACCOUNT_LOCKED,
                obj=user,
                outcome=Outcome.SUCCESS,
                actor=None,
                data={
                    "failures": settings.LOCKOUT_THRESHOLD,
                    "window_minutes": settings.LOCKOUT_WINDOW_MINUTES,
                    "stage": stage,
                },
            )
            return True
        return locked_user.locked_at is not None


def _minutes(wait: timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))


def login_check_password(*, username: str, password: str, source_ip: str | None) -> LoginResult:
    """First factor. An unknown username, a wrong password and a locked account with a wrong
    password all get the same message and the same hashing time, so nobody learns whether a name
    exists; only the holder of the right password learns that the account is locked. A throttled
    (name, address) gets the same wait for an existing name and an unknown one, without a password
    check and without a journal event each time (the throttle's start is journalled once)."""
    username = username.strip().lower()
    user = User.objects.filter(username=username).select_related("unit").first()
    now = timezone.now()
    wait = throttle_wait(typed=_typed_name(username, user), user=user, source_ip=source_ip, now=now)
    if wait > timedelta(0):
        return LoginResult(None, THROTTLED_ERROR % {"minutes": _minutes(wait)})
    if user is None:
        # Spend the same hashing time as a real check so existence is not revealed by timing.
        User().set_password(password)
        register_failure(user=None, username=username, stage="password", source_ip=source_ip)
        return LoginResult(None, GENERIC_LOGIN_ERROR)
    if not user.check_password(password):
        register_failure(user=user, username=username, stage="password", source_ip=source_ip)
        return LoginResult(None, GENERIC_LOGIN_ERROR)
    if user.is_locked:
        with transaction.atomic():
            LoginAttempt.objects.create(
                username=username, user=user, source_ip=source_ip, succeeded=False, stage="locked"
            )
            record(EventType.LOGIN_REFUSED_LOCKED, obj=user, outcome=Outcome.DENIED, actor=None)
        return LoginResult(None, LOCKED_ERROR)
    if not user.is_active:
        record(EventType.LOGIN_REFUSED_INACTIVE, obj=user, outcome=Outcome.DENIED, actor=None)
        return LoginResult(None, _("账户已停用，请联系系统管理员。"))
    if user.is_demo_account and not settings.DEMO_MODE:
        # A8: demo accounts with their published passwords never work outside demo mode.
        record(EventType.LOGIN_REFUSED_DEMO, obj=user, outcome=Outcome.DENIED, actor=None)
        return LoginResult(None, _("演示账户仅在演示模式下可用。"))
    return LoginResult(user)


def login_completed(
    *, user: User, session_key: str, source_ip: str | None, second_factor: str
) -> None:
    """Both factors passed (or the demo waiver applied): remember the session, reset counters."""
    now = timezone.now()
    with transaction.atomic():
        LoginAttempt.objects.create(
            username=user.username, user=user, at=now, source_ip=source_ip, succeeded=True
        )
        User.objects.filter(pk=user.pk).update(last_login=now, failures_reset_at=now)
        UserSession.objects.get_or_create(
            session_key=session_key, defaults={"user": user, "source_ip": source_ip}
        )
        record(
            EventType.LOGIN_SUCCEEDED, obj=user, actor=user, data={"second_factor": second_factor}
        )


def logout_recorded(
    *, user: User, session_key: str | None, reason: EventType = EventType.LOGOUT
) -> None:
    with transaction.atomic():
        if session_key:
            UserSession.objects.filter(session_key=session_key).delete()
        record(reason, obj=user, actor=user)


def otp_verify(*, device: TOTPDevice, token: str) -> bool:
    """Check a one-time code under a row lock: two concurrent requests cannot both accept the same
    code, and a failing one cannot write back an older ``last_t`` (A4). django-otp's own
    ``verify_token`` reads and saves the device without a lock."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return bool(locked.verify_token(token))


def otp_enrolled(*, user: User, device: TOTPDevice, enrolment_code_id: int) -> None:
    """Bind the device. The enrolment code that opened this enrolment is spent in the same
    transaction; if it was revoked, expired or used meanwhile nothing is bound."""
    with transaction.atomic():
        if not approvals.enrolment_code_spend(user=user, code_id=enrolment_code_id):
            raise PermissionDenied(_("绑定码已失效，请联系纪检重新发放。"))
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        record(EventType.OTP_ENROLLED, obj=user, actor=user)


# --- Dormant accounts (A8) -----------------------------------------------------------------------
def disable_dormant_accounts(*, now: Any = None) -> list[str]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DORMANT_ACCOUNT_DAYS)
    dormant = User.objects.filter(is_active=True).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    names = []
    for user in dormant:
        user_disable(
            actor=None,
            user=user,
            reason=_("%(days)s 天未登录，自动停用") % {"days": settings.DORMANT_ACCOUNT_DAYS},
            event=EventType.USER_DORMANT_DISABLED,
        )
        names.append(user.username)
    return names
