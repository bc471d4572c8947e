"""Staff work mobiles: entered by the unit's administrator (validated, encrypted, journalled),
turned on for SMS notices only by the staff member."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.notify.models import StaffMobile
from shoulian.notify.staff import (
    opted_in_mobiles,
    staff_mobile_set,
    staff_sms_opt_in,
    work_mobile_of,
)

pytestmark = pytest.mark.django_db


def test_the_administrator_sets_a_work_mobile_encrypted_and_journalled_masked(
    admin_user: Any, officer: Any
) -> None:
    row = staff_mobile_set(actor=admin_user, user=officer, mobile="+86 139-0000-1111")
    assert row is not None and row.mobile.plaintext() == "13900001111"
    assert row.masked_mobile != "13900001111" and row.sms_opt_in is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM notify_staffmobile WHERE id = %s", [row.pk])
        assert "13900001111" not in cursor.fetchone()[0]
    event = AuditEvent.objects.filter(event_type=EventType.STAFF_MOBILE_CHANGED).get()
    assert "13900001111" not in event.body and "1111" in event.body  # masked, with its hmac
    # The same number again changes nothing and writes nothing.
    count = AuditEvent.objects.count()
    staff_mobile_set(actor=admin_user, user=officer, mobile="13900001111")
    assert AuditEvent.objects.count() == count


def test_a_number_that_is_not_a_mobile_is_refused(admin_user: Any, officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        staff_mobile_set(actor=admin_user, user=officer, mobile="0598-5821234")
    assert "手机号码" in exc.value.messages[0]
    assert work_mobile_of(officer) is None


def test_only_an_administrator_of_the_users_unit_sets_it(
    leader: Any, officer: Any, outsider_admin: Any
) -> None:
    with pytest.raises(PermissionDenied):
        staff_mobile_set(actor=leader, user=officer, mobile="13900001111")
    with pytest.raises(PermissionDenied):
        staff_mobile_set(actor=outsider_admin, user=officer, mobile="13900001111")
    assert work_mobile_of(officer) is None


def test_only_the_staff_member_turns_the_notices_on_and_not_without_a_mobile(
    admin_user: Any, officer: Any
) -> None:
    with pytest.raises(ValidationError):
        staff_sms_opt_in(actor=officer, on=True)
    staff_mobile_set(actor=admin_user, user=officer, mobile="13900001111")
    assert opted_in_mobiles([officer.pk]) == {}
    staff_sms_opt_in(actor=officer, on=True)
    assert opted_in_mobiles([officer.pk])[officer.pk].plaintext() == "13900001111"
    # Removing the number withdraws the consent with it.
    staff_mobile_set(actor=admin_user, user=officer, mobile="")
    row = StaffMobile.objects.get(user=officer)
    assert row.mobile is None and row.sms_opt_in is False
    assert opted_in_mobiles([officer.pk]) == {}


def test_a_disabled_account_gets_no_notice(admin_user: Any, officer: Any) -> None:
    staff_mobile_set(actor=admin_user, user=officer, mobile="13900001111")
    staff_sms_opt_in(actor=officer, on=True)
    type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    assert opted_in_mobiles([officer.pk]) == {}


def test_the_pages(client_for: Any, admin_user: Any, officer: Any, outsider_admin: Any) -> None:
    url = reverse("notify:staff_mobile", kwargs={"pk": officer.pk})
    detail = client_for(admin_user).get(reverse("users:detail", kwargs={"pk": officer.pk}))
    assert "工作手机与短信提醒" in detail.content.decode()
    response = client_for(admin_user).post(url, {"mobile": "13900001111"})
    assert response.status_code == 302
    assert StaffMobile.objects.get(user=officer).mobile.plaintext() == "13900001111"
    # Another bureau's administrator: like a missing user (Z3); nothing changes.
    assert client_for(outsider_admin).post(url, {"mobile": "13900002222"}).status_code == 404
    # A staff member cannot set a number, not even their own.
    assert client_for(officer).post(url, {"mobile": "13900002222"}).status_code == 403
    assert StaffMobile.objects.get(user=officer).mobile.plaintext() == "13900001111"
    mine = client_for(officer)
    assert "139****1111" in mine.get(reverse("notify:my_sms")).content.decode()
    assert mine.post(reverse("notify:my_sms"), {"sms_opt_in": "on"}).status_code == 302
    assert StaffMobile.objects.get(user=officer).sms_opt_in is True
    assert AuditEvent.objects.filter(event_type=EventType.STAFF_SMS_OPT_IN_CHANGED).count() == 1
    # The administrator cannot turn it on for anyone (the page is the staff member's own).
    assert client_for(admin_user).get(reverse("notify:my_sms")).status_code == 403
