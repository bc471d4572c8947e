"""Administration of accounts (issue 2 §7) and A8."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.accounts.services import disable_dormant_accounts, validate_roles
from shoulian.accounts.tasks import disable_dormant_accounts as dormant_task
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import PASSWORD, login_as

pytestmark = pytest.mark.django_db

NEW_USER = {
    "username": "new.officer",
    "full_name": "新民警",
    "police_kind": "officer",
    "badge_number": "123456",
    "roles": ["officer"],
    "password": "Brand-New-Pass-9",
}


def test_admin_creates_a_user_who_must_change_password_on_first_login(
    admin_user: User, bureau_a
) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("users:create"), {**NEW_USER, "unit": bureau_a.station.pk}
    )
    assert response.status_code == 302
    user = User.objects.get(username="new.officer")
    assert (
        user.role_set == {Role.OFFICER}
        and user.unit == bureau_a.station
        and user.must_change_password
    )
    event = AuditEvent.objects.get(event_type=EventType.USER_CREATED, object_id=str(user.pk))
    assert event.actor_id == admin_user.pk and "password" not in str(event.data)


def test_extra_fields_in_the_form_are_ignored(admin_user: User, bureau_a) -> None:
    """Z4: is_staff, is_superuser, locked_at … in the body change nothing."""
    login_as(Client(), admin_user).post(
        reverse("users:create"),
        {
            **NEW_USER,
            "unit": bureau_a.station.pk,
            "is_staff": "on",
            "is_superuser": "on",
            "is_demo_account": "on",
            "must_change_password": "",
            "police_kind_override": "x",
        },
    )
    user = User.objects.get(username="new.officer")
    assert not user.is_staff and not user.is_superuser and not user.is_demo_account


def test_admin_cannot_create_a_user_in_another_bureau(admin_user: User, bureau_b) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("users:create"), {**NEW_USER, "unit": bureau_b.station.pk}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="new.officer").exists()


def test_leader_cannot_create_users(leader: User, bureau_a) -> None:
    response = login_as(Client(), leader).post(
        reverse("users:create"), {**NEW_USER, "unit": bureau_a.station.pk}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="new.officer").exists()


def test_auxiliary_cannot_hold_a_deciding_role(bureau_a) -> None:
    for role in (Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER):
        with pytest.raises(ValidationError) as exc:
            validate_roles(unit=bureau_a.station, police_kind="auxiliary", roles=[role])
        assert "辅警不得担任" in str(exc.value)
    assert validate_roles(unit=bureau_a.center, police_kind="auxiliary", roles=[Role.CLERK]) == [
        Role.CLERK
    ]


def test_auxiliary_with_a_deciding_role_is_refused_on_the_admin_page(
    admin_user: User, bureau_a
) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("users:create"),
        {
            **NEW_USER,
            "unit": bureau_a.station.pk,
            "police_kind": "auxiliary",
            "roles": ["leader"],
        },
    )
    assert "辅警不得担任" in response.content.decode()
    assert not User.objects.filter(username="new.officer").exists()


def test_admin_and_inspector_roles_cannot_be_combined(bureau_a) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_roles(
            unit=bureau_a.bureau, police_kind="officer", roles=[Role.ADMIN, Role.BUREAU_HEAD]
        )
    assert "三员分立" in str(exc.value)


def test_role_outside_its_unit_kind_is_refused(bureau_a) -> None:
    with pytest.raises(ValidationError):
        validate_roles(unit=bureau_a.station, police_kind="officer", roles=[Role.CENTER_HEAD])


def test_admin_cannot_change_its_own_roles(admin_user: User, bureau_a) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("users:detail", kwargs={"pk": admin_user.pk}),
        {
            "username": admin_user.username,
            "full_name": "x",
            "unit": bureau_a.bureau.pk,
            "police_kind": "officer",
            "badge_number": "",
            "roles": ["bureau_head"],
        },
    )
    assert response.status_code == 403
    assert User.objects.get(pk=admin_user.pk).role_set == {Role.ADMIN}


def test_admin_sees_no_case_navigation_and_no_audit_journal(admin_user: User) -> None:
    client = login_as(Client(), admin_user)
    page = client.get(reverse("core:home")).content.decode()
    assert "系统管理" in page and "审计日志" not in page
    assert client.get(reverse("audit:journal")).status_code == 403


def test_admin_list_shows_locked_accounts_filter(admin_user: User, officer: User) -> None:
    from shoulian.accounts.services import register_failure

    for _ in range(5):  # wrong one-time codes lock; wrong passwords only throttle
        register_failure(user=officer, username=officer.username, stage="otp", source_ip=None)
    page = (
        login_as(Client(), admin_user).get(reverse("users:list") + "?state=locked").content.decode()
    )
    assert officer.username in page and "已锁定" in page


def test_admin_list_query_count_does_not_grow_with_users(
    admin_user: User, bureau_a, django_assert_max_num_queries
) -> None:
    from shoulian.conftest import make_user

    for i in range(30):
        make_user(f"bulk{i}", bureau_a.station, Role.OFFICER)
    client = login_as(Client(), admin_user)
    client.get(reverse("users:list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("users:list")).status_code == 200


# --- A8 -------------------------------------------------------------------------------------------
def test_a_fresh_database_has_no_accounts() -> None:
    assert User.objects.count() == 0


def test_seed_demo_refuses_outside_demo_mode() -> None:
    with pytest.raises(CommandError, match="演示模式"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0


@override_settings(DEMO_MODE=True)
def test_demo_accounts_stop_working_when_demo_mode_is_off(small_demo: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    with override_settings(DEMO_MODE=False):
        response = Client().post(
            reverse("accounts:login"),
            {"username": "center.clerk", "password": "Shoulian-Demo-2026"},
        )
        assert (
            response.status_code == 200
            and "演示账户仅在演示模式下可用" in response.content.decode()
        )


def test_deploy_check_fails_in_demo_mode() -> None:
    with override_settings(DEMO_MODE=True):
        from shoulian.accounts.checks import demo_mode_off_in_production

        assert [e.id for e in demo_mode_off_in_production(None)] == ["shoulian.E001"]
    assert demo_mode_off_in_production(None) == []


def test_dormant_accounts_are_disabled_and_audited(officer: User, leader: User, bureau_a) -> None:
    from shoulian.conftest import make_user

    now = timezone.now()
    User.objects.filter(pk=officer.pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=leader.pk).update(last_login=now - timedelta(days=89))
    never = make_user("never", bureau_a.station, Role.OFFICER)
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=now - timedelta(days=95))
    disabled = dormant_task.call_local()
    assert sorted(disabled) == ["never", "officer"]
    assert not User.objects.get(pk=officer.pk).is_active
    assert User.objects.get(pk=leader.pk).is_active
    assert AuditEvent.objects.filter(event_type=EventType.USER_DORMANT_DISABLED).count() == 2
    assert disable_dormant_accounts() == []


def test_re_enabled_account_is_not_disabled_again_the_same_night(
    officer: User, admin_user: User
) -> None:
    User.objects.filter(pk=officer.pk).update(last_login=timezone.now() - timedelta(days=120))
    disable_dormant_accounts()
    login_as(Client(), admin_user).post(reverse("users:enable", kwargs={"pk": officer.pk}))
    assert disable_dormant_accounts() == []
    assert User.objects.get(pk=officer.pk).is_active


def test_bootstrap_admin_creates_the_first_administrator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", StringIO("Initial-Admin-Pass-1\n"))
    call_command(
        "bootstrap_admin",
        "--city-code",
        "350400",
        "--city-name",
        "某市公安局",
        "--bureau-code",
        "350427",
        "--bureau-name",
        "某县公安局",
        "--username",
        "Admin.One",
        "--full-name",
        "管理员",
        "--password-stdin",
        stdout=StringIO(),
    )
    user = User.objects.get(username="admin.one")
    assert user.role_set == {Role.ADMIN} and user.must_change_password and not user.is_demo_account
    assert AuditEvent.objects.filter(
        event_type=EventType.USER_CREATED, object_id=str(user.pk)
    ).exists()


def test_bootstrap_admin_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", StringIO("admin123\n"))
    with pytest.raises(CommandError):
        call_command(
            "bootstrap_admin",
            "--city-code",
            "350400",
            "--city-name",
            "某市公安局",
            "--bureau-code",
            "350427",
            "--bureau-name",
            "某县公安局",
            "--username",
            "admin",
            "--full-name",
            "管理员",
            "--password-stdin",
            stdout=StringIO(),
        )
    assert User.objects.count() == 0


def test_admin_cannot_create_an_inspector_account(admin_user: User, bureau_a) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("users:create"),
        {**NEW_USER, "unit": bureau_a.discipline.pk, "roles": ["inspector"]},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="new.officer").exists()


def test_admin_cannot_take_over_the_inspectors_account(admin_user: User, inspector: User) -> None:
    client = login_as(Client(), admin_user)
    client.post(
        reverse("users:reset_password", kwargs={"pk": inspector.pk}),
        {"new_password": "Taken-Over-Pass-1"},
    )
    client.post(reverse("users:reset_otp", kwargs={"pk": inspector.pk}))
    client.post(reverse("users:disable", kwargs={"pk": inspector.pk}), {"reason": "x"})
    inspector.refresh_from_db()
    assert inspector.check_password(PASSWORD) and inspector.is_active
    denied = AuditEvent.objects.filter(
        event_type=EventType.ACCESS_DENIED, body__contains="administer_separated_account"
    )
    assert denied.count() == 3


def test_bootstrap_creates_an_inspector_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", StringIO("Inspector-Pass-2026\n"))
    call_command(
        "bootstrap_admin",
        "--city-code",
        "350400",
        "--city-name",
        "某市公安局",
        "--bureau-code",
        "350427",
        "--bureau-name",
        "某县公安局",
        "--username",
        "jijian",
        "--full-name",
        "纪检员",
        "--role",
        "inspector",
        "--password-stdin",
        stdout=StringIO(),
    )
    assert User.objects.get(username="jijian").role_set == {Role.INSPECTOR}


def test_a_username_taken_at_the_same_moment_is_a_form_error_not_a_crash(
    admin_user: User, bureau_a
) -> None:
    from unittest import mock

    from django.db.models import QuerySet

    from shoulian.accounts.services import user_create
    from shoulian.core.tests.races import false_once as _false_once

    def create() -> User:
        return user_create(
            actor=admin_user,
            username="same.name",
            full_name="张三",
            unit=bureau_a.station,
            police_kind="officer",
            roles=[Role.OFFICER],
            password=PASSWORD,
        )

    create()
    # The second admin's request passed the username check before the first one committed.
    with (
        mock.patch.object(QuerySet, "exists", _false_once(QuerySet.exists)),
        pytest.raises(ValidationError, match="已被使用"),
    ):
        create()
    assert User.objects.filter(username="same.name").count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.USER_CREATED).count() >= 1
