"""A1: five failures in fifteen minutes lock the account until an administrator unlocks it."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.models import User
from shoulian.accounts.tests.helpers import full_login, password_step
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as

pytestmark = pytest.mark.django_db


def _fail(client: Client, user: User, times: int, **extra: str) -> None:
    for _ in range(times):
        response = password_step(client, user, password="wrong-password", **extra)
        assert response.status_code == 200


def test_five_failures_lock_the_account_even_with_the_right_password_afterwards(
    officer: User,
) -> None:
    client = Client()
    _fail(client, officer, 5)
    officer.refresh_from_db()
    assert officer.locked_at is not None
    response = password_step(client, officer)
    assert "账户已锁定" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_four_failures_do_not_lock(officer: User) -> None:
    client = Client()
    _fail(client, officer, 4)
    officer.refresh_from_db()
    assert officer.locked_at is None
    assert password_step(client, officer).status_code == 302


def test_rotating_forwarded_for_does_not_reset_the_counter(officer: User) -> None:
    client = Client()
    for i in range(5):
        password_step(client, officer, password="nope", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    officer.refresh_from_db()
    assert officer.locked_at is not None


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_rotating_forwarded_for_behind_a_trusted_proxy_does_not_reset_the_counter(
    officer: User,
) -> None:
    client = Client()
    for i in range(5):
        password_step(client, officer, password="nope", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    officer.refresh_from_db()
    assert officer.locked_at is not None
    ips = set(
        AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILED).values_list(
            "source_ip", flat=True
        )
    )
    assert ips == {f"203.0.113.{i}" for i in range(5)}


def test_failures_older_than_fifteen_minutes_do_not_count(officer: User) -> None:
    client = Client()
    past = timezone.now() - timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=past):
        _fail(client, officer, 4)
    _fail(client, officer, 1)
    officer.refresh_from_db()
    assert officer.locked_at is None


def test_every_failure_and_the_lock_are_audited(officer: User) -> None:
    _fail(Client(), officer, 5)
    failures = AuditEvent.objects.filter(
        event_type=EventType.LOGIN_FAILED, object_id=str(officer.pk)
    )
    assert failures.count() == 5
    assert all(e.outcome == "failure" for e in failures)
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.ACCOUNT_LOCKED, object_id=str(officer.pk)
        ).count()
        == 1
    )


def test_unknown_username_is_audited_with_the_same_message_and_only_its_hash(db: None) -> None:
    typed = "secret-typed-here-1"
    response = Client().post(reverse("accounts:login"), {"username": typed, "password": "whatever"})
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert event.data["username"].startswith("#") and typed not in event.body


def test_wrong_one_time_codes_count_toward_the_lock(officer: User) -> None:
    client = Client()
    full_login(client, officer)
    client.post(reverse("accounts:logout"))
    password_step(client, officer)
    for _ in range(5):
        client.post(reverse("accounts:otp"), {"token": "000000"})
    officer.refresh_from_db()
    assert officer.locked_at is not None
    assert not client.get(reverse("core:home")).wsgi_request.user.is_authenticated


def test_admin_unlocks_and_the_user_can_log_in_again(officer: User, admin_user: User) -> None:
    _fail(Client(), officer, 5)
    admin = login_as(Client(), admin_user)
    response = admin.post(reverse("users:unlock", kwargs={"pk": officer.pk}))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.locked_at is None
    assert password_step(Client(), officer).status_code == 302
    assert AuditEvent.objects.filter(
        event_type=EventType.USER_UNLOCKED, actor_id=admin_user.pk
    ).exists()


def test_leader_cannot_unlock(officer: User, leader: User) -> None:
    _fail(Client(), officer, 5)
    response = login_as(Client(), leader).post(reverse("users:unlock", kwargs={"pk": officer.pk}))
    assert response.status_code == 403
    officer.refresh_from_db()
    assert officer.locked_at is not None


def test_admin_of_another_bureau_cannot_unlock(officer: User, outsider_admin: User) -> None:
    _fail(Client(), officer, 5)
    response = login_as(Client(), outsider_admin).post(
        reverse("users:unlock", kwargs={"pk": officer.pk})
    )
    assert response.status_code == 404
    officer.refresh_from_db()
    assert officer.locked_at is not None


def test_lock_ends_existing_sessions(officer: User) -> None:
    active = full_login(Client(), officer)
    _fail(Client(), officer, 5)
    assert active.get(reverse("core:home")).status_code == 302
