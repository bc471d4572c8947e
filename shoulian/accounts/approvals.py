"""The two-person rule (三员分立, DOMAIN §2; docs/security.md "Two-person rule").

What lets one person act as another — opening an account, granting a role, resetting a password
or the second factor — is only *proposed* by the 系统管理员. It takes effect when a person of
another role (``APPROVER_ROLES``: the 纪检 of the account's bureau) approves it, and never for the
person who proposed it.

Binding a second factor needs, besides the password, a one-time enrolment code. Approving a new
account or a reset of the second factor issues one; the approver is shown it once and hands it to
the person (sealed, in person). The administrator who chose the password never sees it: knowing the
password of an account it opened or reset is not enough to sign in as that account.

Why not an SMS to the person's phone: staff accounts carry no phone number the administrator does
not itself type in, so the administrator would choose where the code goes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts.choices import (
    APPROVER_ROLES,
    AccountChangeKind,
    AccountChangeStatus,
    Role,
)
from shoulian.accounts.models import AccountChange, EnrolmentCode, User, UserRole
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import deny, record
from shoulian.core.scoping import ScopeDomain, covers

# Unambiguous characters (no 0/O, 1/I/L): read aloud or copied from paper.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10
ENROLMENT_CODE_MAX_FAILURES = 5


def enrolment_code_hours() -> int:
    return int(getattr(settings, "ENROLMENT_CODE_HOURS", 72))


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _format(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


# --- Proposals (the administrator) ---------------------------------------------------------------
def propose(
    *,
    actor: User,
    user: User,
    kind: str,
    roles: list[str] | None = None,
    password_hash: str = "",
) -> AccountChange:
    """One pending proposal per account and kind; journalled in the caller's transaction."""
    if AccountChange.objects.filter(
        user=user, kind=kind, status=AccountChangeStatus.PENDING
    ).exists():
        raise ValidationError(
            _("该账户已有待审批的“%(kind)s”申请，请待审批或撤回后再提出。")
            % {"kind": AccountChangeKind(kind).label},
            code="pending",
        )
    try:
        with transaction.atomic():
            change = AccountChange.objects.create(
                kind=kind,
                user=user,
                roles=list(roles or []),
                password_hash=password_hash,
                proposed_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            _("该账户已有待审批的“%(kind)s”申请。") % {"kind": AccountChangeKind(kind).label},
            code="pending",
        ) from None
    record(
        EventType.ACCOUNT_CHANGE_PROPOSED,
        obj=user,
        actor=actor,
        data={"change": change.pk, "kind": kind, "roles": change.roles},
    )
    return change


def account_change_withdraw(*, actor: User, change: AccountChange) -> None:
    """The administrator who proposed a change takes it back before anyone decides."""
    if change.proposed_by_id != actor.pk:
        deny(
            actor,
            action="withdraw_account_change",
            obj=change.user,
            message=_("只能撤回本人提出的申请。"),
        )
    with transaction.atomic():
        updated = AccountChange.objects.filter(
            pk=change.pk, status=AccountChangeStatus.PENDING
        ).update(status=AccountChangeStatus.WITHDRAWN, decided_at=timezone.now())
        if not updated:
            raise ValidationError(_("该申请已处理，不能撤回。"), code="decided")
        record(
            EventType.ACCOUNT_CHANGE_WITHDRAWN,
            obj=change.user,
            actor=actor,
            data={"change": change.pk, "kind": change.kind},
        )


def pending_for(user: User) -> QuerySet[AccountChange]:
    return AccountChange.objects.filter(user=user, status=AccountChangeStatus.PENDING)


# --- Decisions (the second person) ---------------------------------------------------------------
def _require_approver(actor: User, change: AccountChange) -> None:
    target = change.user
    if (
        not actor.has_role(*APPROVER_ROLES)
        or actor.has_role(Role.ADMIN)
        or not covers(actor, target.unit, ScopeDomain.ORG)
    ):
        deny(
            actor,
            action="approve_account_change",
            obj=target,
            message=_("只有本局纪检可以审批系统管理员提出的账户变更。"),
        )
    if change.proposed_by_id == actor.pk:
        deny(
            actor,
            action="approve_own_account_change",
            obj=target,
            message=_("不能审批本人提出的申请。"),
        )
    if target.pk == actor.pk:
        deny(
            actor,
            action="approve_account_change_for_self",
            obj=target,
            message=_("不能审批涉及本人账户的申请。"),
        )


def _decide(actor: User, change: AccountChange, status: str, note: str) -> AccountChange:
    """Claim the pending proposal under a row lock: two approvers cannot both decide it."""
    locked = (
        AccountChange.objects.select_for_update()
        .select_related("user", "proposed_by")
        .get(pk=change.pk)
    )
    if locked.status != AccountChangeStatus.PENDING:
        raise ValidationError(_("该申请已处理。"), code="decided")
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.note = note.strip()[:200]
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return locked


def account_change_reject(*, actor: User, change: AccountChange, note: str) -> None:
    _require_approver(actor, change)
    if not note.strip():
        raise ValidationError({"note": _("请填写不批准的理由。")})
    with transaction.atomic():
        decided = _decide(actor, change, AccountChangeStatus.REJECTED, note)
        if decided.kind == AccountChangeKind.CREATE:
            User.objects.filter(pk=decided.user_id).update(disabled_reason="开户申请未获批准")
        record(
            EventType.ACCOUNT_CHANGE_REJECTED,
            obj=decided.user,
            actor=actor,
            data={
                "change": decided.pk,
                "kind": decided.kind,
                "proposed_by": decided.proposed_by.username,
                "note": decided.note,
            },
        )


def account_change_approve(*, actor: User, change: AccountChange, note: str = "") -> str | None:
    """Apply the proposal. Returns the plain enrolment code when the approval issued one: the
    caller shows it once to the approver and keeps it nowhere."""
    from shoulian.accounts.services import _end_sessions, validate_roles

    _require_approver(actor, change)
    with transaction.atomic():
        decided = _decide(actor, change, AccountChangeStatus.APPROVED, note)
        target = User.objects.select_for_update().get(pk=decided.user_id)
        code: str | None = None
        effect: dict[str, Any] = {}
        if decided.kind == AccountChangeKind.CREATE:
            User.objects.filter(pk=target.pk).update(
                is_active=True, awaiting_approval=False, disabled_reason=""
            )
            code = _issue(target, actor=actor, change=decided)
        elif decided.kind == AccountChangeKind.GRANT:
            current = set(UserRole.objects.filter(user=target).values_list("role", flat=True))
            # The account may have moved since the proposal: the roles must still fit it.
            validate_roles(
                unit=target.unit,  # type: ignore[arg-type]
                police_kind=target.police_kind,
                roles=current | set(decided.roles),
            )
            added = [r for r in decided.roles if r not in current]
            UserRole.objects.bulk_create([UserRole(user=target, role=r) for r in added])
            effect = {"from": sorted(current), "to": sorted(current | set(added))}
            record(EventType.USER_ROLES_CHANGED, obj=target, actor=actor, data=effect)
            _end_sessions(target)
        elif decided.kind == AccountChangeKind.RESET_PASSWORD:
            User.objects.filter(pk=target.pk).update(
                password=decided.password_hash,
                must_change_password=True,
                password_changed_at=timezone.now(),
            )
            _end_sessions(target)
            record(EventType.USER_PASSWORD_RESET, obj=target, actor=actor)
            if not TOTPDevice.objects.filter(user=target, confirmed=True).exists():
                # Never enrolled: the new password alone must not let anyone bind the factor.
                code = _issue(target, actor=actor, change=decided)
        elif decided.kind == AccountChangeKind.RESET_OTP:
            deleted, _detail = TOTPDevice.objects.filter(user=target).delete()
            _end_sessions(target)
            record(
                EventType.USER_OTP_RESET, obj=target, actor=actor, data={"devices_removed": deleted}
            )
            code = _issue(target, actor=actor, change=decided)
        # The proposed password is spent: keep no copy of it, not even hashed.
        AccountChange.objects.filter(pk=decided.pk).update(password_hash="")
        record(
            EventType.ACCOUNT_CHANGE_APPROVED,
            obj=target,
            actor=actor,
            data={
                "change": decided.pk,
                "kind": decided.kind,
                "roles": decided.roles,
                "proposed_by": decided.proposed_by.username,
                "enrolment_code_issued": code is not None,
            },
        )
    return code


# --- Enrolment codes ---------------------------------------------------------------------------
def _issue(user: User, *, actor: User | None, change: AccountChange | None = None) -> str:
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    plain = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    expires = now + timedelta(hours=enrolment_code_hours())
    EnrolmentCode.objects.create(
        user=user,
        code_hash=make_password(plain),
        issued_at=now,
        expires_at=expires,
        change=change,
    )
    # Unconfirmed devices hold secrets somebody may have seen before this code existed.
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    record(
        EventType.ENROLMENT_CODE_ISSUED,
        obj=user,
        actor=actor,
        data={
            "expires_at": expires.isoformat(timespec="seconds"),
            "change": change.pk if change else None,
        },
    )
    return _format(plain)


def enrolment_code_issue(*, user: User, actor: User | None = None) -> str:
    """A code for the deployment operator (management commands, ``actor`` None) and for tests:
    the web pages issue codes only through an approval."""
    if actor is not None:
        raise PermissionDenied(_("绑定码只能经审批发放。"))
    with transaction.atomic():
        return _issue(user, actor=None)


def _live_code(user: User) -> EnrolmentCode | None:
    return (
        EnrolmentCode.objects.select_for_update()
        .filter(
            user=user,
            used_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
            failures__lt=ENROLMENT_CODE_MAX_FAILURES,
        )
        .order_by("-issued_at")
        .first()
    )


def enrolment_code_redeem(*, user: User, code: str) -> int | None:
    """Check the code the person typed. Returns the code's id (kept in the session until the
    factor is bound) or None; five wrong tries spend the code (A4). A code is not used up by a
    right answer: it stays good until a factor is bound, so a person who loses the page can begin
    again, each time with a new secret."""
    with transaction.atomic():
        live = _live_code(user)
        if live is not None and check_password(_normalise(code), live.code_hash):
            record(EventType.ENROLMENT_CODE_ACCEPTED, obj=user, actor=user)
            return live.pk
        if live is not None:
            live.failures += 1
            live.save(update_fields=["failures"])
        record(
            EventType.ENROLMENT_CODE_FAILED,
            obj=user,
            actor=user,
            outcome=Outcome.FAILURE,
            data={"code_exists": live is not None},
        )
        if live is not None and live.failures >= ENROLMENT_CODE_MAX_FAILURES:
            record(
                EventType.ENROLMENT_CODE_INVALIDATED,
                obj=user,
                actor=user,
                outcome=Outcome.FAILURE,
                data={"failures": live.failures},
            )
    return None


def enrolment_code_usable(*, user: User, code_id: int | None) -> bool:
    if code_id is None:
        return False
    return EnrolmentCode.objects.filter(
        pk=code_id,
        user=user,
        used_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
        failures__lt=ENROLMENT_CODE_MAX_FAILURES,
    ).exists()


def enrolment_code_spend(*, user: User, code_id: int) -> bool:
    """Mark the code used as the factor is bound (inside otp_enrolled's transaction)."""
    return bool(
        EnrolmentCode.objects.filter(
            pk=code_id, user=user, used_at=None, revoked_at=None, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
    )


def enrolment_code_pending(user: User) -> EnrolmentCode | None:
    """The live code of an account, for the administrator's page (its expiry, never the code)."""
    return (
        EnrolmentCode.objects.filter(
            user=user, used_at=None, revoked_at=None, expires_at__gt=timezone.now()
        )
        .order_by("-issued_at")
        .first()
    )
