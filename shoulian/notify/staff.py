"""Staff work mobiles and their consent to SMS notices.

The administrator of a staff member's unit enters (or removes) the work mobile; only the staff
member turns the notices on or off. Each change is journalled (the number masked with its keyed
hash, as the journal keeps every mobile). It is not an account grant: no second person approves
it (accounts.approvals covers roles, enabling and resets)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.notify.models import StaffMobile
from shoulian.privacy.fields import Protected
from shoulian.privacy.validators import normalize_mobile


def work_mobile_of(user: Any) -> StaffMobile | None:
    return StaffMobile.objects.filter(user_id=user.pk).first()


def staff_mobile_set(*, actor: Any, user: User, mobile: str) -> StaffMobile | None:
    """Set (or, with an empty value, remove) ``user``'s work mobile. Only an administrator whose
    scope covers the user; the number is validated as a mainland mobile."""
    if not (actor.is_authenticated and actor.is_active and actor.has_role(Role.ADMIN)):
        raise PermissionDenied("只有系统管理员可以设置工作手机号。")
    if not User.objects.visible_to(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("该用户不在您的管理范围内。")
    value = str(mobile or "").strip()
    number = normalize_mobile(value) if value else ""
    with transaction.atomic():
        row = StaffMobile.objects.select_for_update().filter(user=user).first()
        before = row.mobile.plaintext() if row is not None and row.mobile else ""
        if number == before:
            return row
        if row is None:
            row = StaffMobile(user=user)
        row.mobile = number or None
        if not number:
            # No number, nothing to send to: the consent lapses with it.
            row.sms_opt_in = False
        row.updated_at = timezone.now()
        row.save()
        record(
            EventType.STAFF_MOBILE_CHANGED,
            obj=user,
            actor=actor,
            data={
                "user": user.username,
                "work_mobile": number or None,
                "removed": not number,
                "sms_opt_in": row.sms_opt_in,
            },
        )
    return row


def staff_sms_opt_in(*, actor: Any, on: bool) -> StaffMobile:
    """The staff member's own consent to SMS notices on their work mobile (nobody else's)."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied("请先登录。")
    with transaction.atomic():
        row = StaffMobile.objects.select_for_update().filter(user_id=actor.pk).first()
        if row is None or not row.mobile:
            raise ValidationError("尚未登记工作手机号，请联系系统管理员登记后再开启短信提醒。")
        if row.sms_opt_in == on:
            return row
        row.sms_opt_in = on
        row.updated_at = timezone.now()
        row.save(update_fields=["sms_opt_in", "updated_at"])
        record(
            EventType.STAFF_SMS_OPT_IN_CHANGED,
            obj=actor,
            actor=actor,
            data={"user": actor.username, "sms_opt_in": on},
        )
    return row


def opted_in_mobiles(user_ids: Iterable[int]) -> dict[int, Protected]:
    """user → work mobile, for the users among ``user_ids`` who turned SMS notices on."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {
        row.user_id: row.mobile
        for row in StaffMobile.objects.filter(
            user_id__in=ids, sms_opt_in=True, user__is_active=True, mobile__isnull=False
        )
        if row.mobile is not None
    }
