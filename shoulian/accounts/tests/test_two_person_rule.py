"""三员分立, two-person rule (issue 13 item 1): the administrator only proposes what lets one
person act as another; the 纪检 approves; binding a second factor needs the one-time enrolment
code that only the approver sees. One test per "cannot"."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts import approvals, services
from shoulian.accounts.choices import AccountChangeKind, AccountChangeStatus, Role
from shoulian.accounts.models import AccountChange, EnrolmentCode, User
from shoulian.accounts.tests.helpers import approve_all, current_token, full_login, password_step
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import PASSWORD, login_as, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Chosen-By-Admin-77"
CODE_RE = re.compile(r"[A-Z2-9]{5}-[A-Z2-9]{5}")


def _create_through_page(admin_user: User, bureau_a, username: str = "mole") -> User:
    response = login_as(Client(), admin_user).post(
        reverse("users:create"),
        {
            "username": username,
            "full_name": "内鬼",
            "unit": bureau_a.center.pk,
            "police_kind": "officer",
            "badge_number": "",
            "roles": [Role.CLERK],
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:400]
    return User.objects.get(username=username)


def _approve_through_page(inspector: User, change: AccountChange) -> str:
    response = login_as(Client(), inspector).post(
        reverse("accounts:approval_approve", kwargs={"pk": change.pk})
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


# --- Opening an account -------------------------------------------------------------------------
def test_an_account_the_admin_opens_cannot_sign_in_before_approval(admin_user, bureau_a) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    assert not mole.is_active and mole.awaiting_approval
    change = AccountChange.objects.get(user=mole)
    assert change.kind == AccountChangeKind.CREATE and change.status == AccountChangeStatus.PENDING
    response = Client().post(
        reverse("accounts:login"), {"username": "mole", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated


def test_the_admin_cannot_enable_an_account_awaiting_approval(admin_user, bureau_a) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    response = login_as(Client(), admin_user).post(reverse("users:enable", kwargs={"pk": mole.pk}))
    assert response.status_code == 403
    assert not User.objects.get(pk=mole.pk).is_active
    assert AuditEvent.objects.filter(
        event_type=EventType.ACCESS_DENIED, actor_id=admin_user.pk, outcome="denied"
    ).exists()


def test_the_admin_cannot_approve_its_own_proposal(admin_user, bureau_a) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    change = AccountChange.objects.get(user=mole)
    response = login_as(Client(), admin_user).post(
        reverse("accounts:approval_approve", kwargs={"pk": change.pk})
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        approvals.account_change_approve(actor=admin_user, change=change)
    assert AccountChange.objects.get(pk=change.pk).status == AccountChangeStatus.PENDING
    assert not User.objects.get(pk=mole.pk).is_active


def test_a_content_role_cannot_approve(admin_user, leader, head, bureau_a) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    change = AccountChange.objects.get(user=mole)
    for person in (leader, head):
        url = reverse("accounts:approval_approve", kwargs={"pk": change.pk})
        assert login_as(Client(), person).post(url).status_code == 403
        with pytest.raises(PermissionDenied):
            approvals.account_change_approve(actor=person, change=change)
    assert AccountChange.objects.get(pk=change.pk).is_pending


def test_the_inspector_of_another_bureau_cannot_approve(admin_user, bureau_a, bureau_b) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    change = AccountChange.objects.get(user=mole)
    stranger = make_user("inspector2", bureau_b.discipline, Role.INSPECTOR)
    response = login_as(Client(), stranger).post(
        reverse("accounts:approval_approve", kwargs={"pk": change.pk})
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        approvals.account_change_approve(actor=stranger, change=change)
    assert AccountChange.objects.get(pk=change.pk).is_pending


def test_the_approver_sees_the_code_once_and_the_admin_never(
    admin_user, inspector, bureau_a
) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    change = AccountChange.objects.get(user=mole)
    page = _approve_through_page(inspector, change)
    found = CODE_RE.search(page)
    assert found is not None
    code = found.group(0)
    assert User.objects.get(pk=mole.pk).is_active
    # Not again on the approver's list, not on any administrator page, not in the journal.
    again = login_as(Client(), inspector).get(reverse("accounts:approvals")).content.decode()
    assert code not in again
    admin = login_as(Client(), admin_user)
    for url in (reverse("users:detail", kwargs={"pk": mole.pk}), reverse("users:list")):
        assert code not in admin.get(url).content.decode()
    assert (
        "已发放绑定码"
        in admin.get(reverse("users:detail", kwargs={"pk": mole.pk})).content.decode()
    )
    assert not AuditEvent.objects.filter(body__contains=code.replace("-", "")).exists()
    assert not AuditEvent.objects.filter(body__contains=code).exists()
    assert EnrolmentCode.objects.get(user=mole).code_hash != code


def test_the_admin_set_password_alone_cannot_bind_a_second_factor(
    admin_user, inspector, bureau_a
) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    approve_all(inspector, mole)
    client = Client()
    assert password_step(client, mole, password=NEW_PASSWORD)["Location"] == reverse("accounts:otp")
    page = client.get(reverse("accounts:otp")).content.decode()
    assert "绑定码" in page and "<svg" not in page
    # No secret exists to guess against, and a six-digit code is not an enrolment code.
    assert client.post(reverse("accounts:otp"), {"token": "123456"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=mole).exists()
    response = client.post(reverse("accounts:otp"), {"enrolment_code": "ABCDE-FGHJK"})
    assert "绑定码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=mole).exists()
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:otp")


def test_five_wrong_enrolment_codes_spend_the_code(admin_user, inspector, bureau_a) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    (code,) = approve_all(inspector, mole)
    client = Client()
    password_step(client, mole, password=NEW_PASSWORD)
    for _ in range(5):
        client.post(reverse("accounts:otp"), {"enrolment_code": "ABCDE-FGHJK"})
    response = client.post(reverse("accounts:otp"), {"enrolment_code": code})
    assert response.status_code == 200 and "绑定码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(
        event_type=EventType.ENROLMENT_CODE_INVALIDATED, object_id=str(mole.pk)
    ).exists()


def test_the_person_with_password_and_code_binds_the_factor_once(
    admin_user, inspector, bureau_a
) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    (code,) = approve_all(inspector, mole)
    client = Client()
    password_step(client, mole, password=NEW_PASSWORD)
    assert client.post(reverse("accounts:otp"), {"enrolment_code": code}).status_code == 302
    device = TOTPDevice.objects.get(user=mole, confirmed=False)
    response = client.post(reverse("accounts:otp"), {"token": current_token(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=mole).confirmed
    assert EnrolmentCode.objects.get(user=mole).used_at is not None
    # The same code cannot open a second enrolment.
    assert not approvals.enrolment_code_usable(
        user=mole, code_id=EnrolmentCode.objects.get(user=mole).pk
    )


def test_a_rejected_account_stays_disabled(admin_user, inspector, bureau_a) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    change = AccountChange.objects.get(user=mole)
    with pytest.raises(Exception, match="理由"):
        approvals.account_change_reject(actor=inspector, change=change, note=" ")
    approvals.account_change_reject(actor=inspector, change=change, note="无此人")
    assert not User.objects.get(pk=mole.pk).is_active
    with pytest.raises(Exception, match="已处理"):
        approvals.account_change_approve(actor=inspector, change=change)
    response = login_as(Client(), admin_user).post(reverse("users:enable", kwargs={"pk": mole.pk}))
    assert response.status_code == 403


# --- Password and second-factor resets ---------------------------------------------------------
def test_a_password_reset_waits_for_approval(officer, admin_user, inspector) -> None:
    login_as(Client(), admin_user).post(
        reverse("users:reset_password", kwargs={"pk": officer.pk}),
        {"new_password": NEW_PASSWORD},
    )
    assert password_step(Client(), officer, password=NEW_PASSWORD).status_code == 200
    assert password_step(Client(), officer, password=PASSWORD).status_code == 302
    approve_all(inspector, officer)
    assert password_step(Client(), officer, password=NEW_PASSWORD).status_code == 302
    assert AccountChange.objects.get(user=officer).password_hash == ""


def test_a_password_reset_alone_does_not_let_the_admin_past_the_second_factor(
    officer, admin_user, inspector
) -> None:
    full_login(Client(), officer)  # the officer's own device
    services.user_reset_password(actor=admin_user, user=officer, new_password=NEW_PASSWORD)
    codes = approve_all(inspector, officer)
    assert codes == [None]  # the officer keeps the factor: no enrolment code
    client = Client()
    password_step(client, officer, password=NEW_PASSWORD)
    page = client.get(reverse("accounts:otp")).content.decode()
    assert "输入动态口令" in page and "<svg" not in page


def test_an_otp_reset_keeps_the_factor_until_approved_and_then_needs_the_code(
    officer, admin_user, inspector
) -> None:
    full_login(Client(), officer)
    services.user_reset_otp(actor=admin_user, user=officer)
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    (code,) = approve_all(inspector, officer)
    assert code is not None
    assert not TOTPDevice.objects.filter(user=officer).exists()
    client = Client()
    password_step(client, officer)
    assert "<svg" not in client.get(reverse("accounts:otp")).content.decode()
    assert client.post(reverse("accounts:otp"), {"enrolment_code": code.lower()}).status_code == 302
    assert "<svg" in client.get(reverse("accounts:otp")).content.decode()


def test_the_admin_cannot_reset_its_own_factor_or_password(admin_user) -> None:
    with pytest.raises(PermissionDenied):
        services.user_reset_otp(actor=admin_user, user=admin_user)
    with pytest.raises(PermissionDenied):
        services.user_reset_password(actor=admin_user, user=admin_user, new_password=NEW_PASSWORD)


def test_the_web_pages_cannot_issue_a_code_without_an_approval(officer, admin_user) -> None:
    with pytest.raises(PermissionDenied):
        approvals.enrolment_code_issue(user=officer, actor=admin_user)


# --- Granting a role ---------------------------------------------------------------------------
def test_a_granted_role_takes_effect_only_after_approval(
    officer, admin_user, inspector, bureau_a
) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("users:detail", kwargs={"pk": officer.pk}),
        {
            "username": officer.username,
            "full_name": officer.full_name,
            "unit": bureau_a.station.pk,
            "police_kind": "officer",
            "badge_number": "",
            "roles": [Role.OFFICER, Role.LEADER],
        },
        follow=True,
    )
    assert "待纪检审批" in response.content.decode() or "提交纪检审批" in response.content.decode()
    assert User.objects.get(pk=officer.pk).role_set == {Role.OFFICER}
    change = AccountChange.objects.get(user=officer, kind=AccountChangeKind.GRANT)
    assert change.roles == [Role.LEADER]
    with pytest.raises(PermissionDenied):
        approvals.account_change_approve(actor=admin_user, change=change)
    assert User.objects.get(pk=officer.pk).role_set == {Role.OFFICER}
    assert _approve_through_page(inspector, change)
    assert User.objects.get(pk=officer.pk).role_set == {Role.OFFICER, Role.LEADER}
    approved = AuditEvent.objects.get(event_type=EventType.ACCOUNT_CHANGE_APPROVED)
    assert approved.actor_id == inspector.pk and approved.data["proposed_by"] == admin_user.username


def test_a_role_taken_away_goes_at_once(officer, admin_user) -> None:
    services.user_update(
        actor=admin_user,
        user=officer,
        full_name=officer.full_name,
        unit=officer.unit,
        police_kind=officer.police_kind,
        badge_number="",
        roles=[Role.LEGAL_OFFICER, Role.OFFICER],
    )
    approvals_pending = list(approvals.pending_for(officer))
    assert [c.kind for c in approvals_pending] == [AccountChangeKind.GRANT]


def test_one_pending_proposal_per_kind_and_only_its_author_withdraws(
    officer, admin_user, bureau_a
) -> None:
    other_admin = make_user("sysadmin2", bureau_a.bureau, Role.ADMIN)
    services.user_reset_otp(actor=admin_user, user=officer)
    with pytest.raises(Exception, match="待审批"):
        services.user_reset_otp(actor=other_admin, user=officer)
    change = AccountChange.objects.get(user=officer)
    with pytest.raises(PermissionDenied):
        approvals.account_change_withdraw(actor=other_admin, change=change)
    approvals.account_change_withdraw(actor=admin_user, change=change)
    assert AccountChange.objects.get(pk=change.pk).status == AccountChangeStatus.WITHDRAWN


def test_every_step_is_journalled(admin_user, inspector, bureau_a) -> None:
    mole = _create_through_page(admin_user, bureau_a)
    approve_all(inspector, mole)
    types = list(
        AuditEvent.objects.filter(object_id=str(mole.pk), object_type="user")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    for expected in (
        EventType.USER_CREATED,
        EventType.ACCOUNT_CHANGE_PROPOSED,
        EventType.ENROLMENT_CODE_ISSUED,
        EventType.ACCOUNT_CHANGE_APPROVED,
    ):
        assert expected in types
