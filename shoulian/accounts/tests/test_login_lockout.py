"""A1 as hardened by issue 13: wrong passwords throttle the (name, address) with a doubling delay,
the same for a name that exists and one that does not; wrong one-time codes (only the password's
holder gets that far) lock the account until an administrator unlocks it; nobody learns from the
login page that a name exists or is locked without its password."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.models import User
from shoulian.accounts.services import login_completed
from shoulian.accounts.tests.helpers import full_login, password_step
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as

pytestmark = pytest.mark.django_db


def _fail(client: Client, user: User, times: int, **extra: str) -> None:
    for _ in range(times):
        response = password_step(client, user, password="wrong-password", **extra)
        assert response.status_code == 200


def lock_with_wrong_codes(user: User) -> None:
    """Pass the password, then five wrong one-time codes: the account locks."""
    client = Client()
    full_login(client, user)
    client.post(reverse("accounts:logout"))
    password_step(client, user)
    for _ in range(5):
        client.post(reverse("accounts:otp"), {"token": "000000"})
    user.refresh_from_db()
    assert user.locked_at is not None


def test_five_wrong_passwords_make_that_address_wait_even_with_the_right_password(
    officer: User,
) -> None:
    client = Client()
    _fail(client, officer, 5)
    response = password_step(client, officer)
    assert "登录尝试过于频繁" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    officer.refresh_from_db()
    assert officer.locked_at is None  # no lock an administrator must lift


def test_the_wait_is_over_after_a_minute_and_then_doubles(officer: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _fail(Client(), officer, 5)
        clock.shift(timedelta(seconds=61))
        _fail(Client(), officer, 1)  # the sixth: two minutes now
        clock.shift(timedelta(seconds=61))
        assert "2 分钟" not in password_step(Client(), officer).content.decode()
        assert "登录尝试过于频繁" in password_step(Client(), officer).content.decode()
        clock.shift(timedelta(seconds=60))
        assert password_step(Client(), officer).status_code == 302


def test_four_failures_do_not_throttle(officer: User) -> None:
    client = Client()
    _fail(client, officer, 4)
    assert password_step(client, officer).status_code == 302


def test_an_unknown_name_and_a_known_one_get_the_same_answers(officer: User) -> None:
    """A name's existence shows neither in the error nor in the throttle."""
    answers = {}
    for name in (officer.username, "nobody.here"):
        client = Client()
        texts = []
        for _ in range(6):
            response = client.post(
                reverse("accounts:login"), {"username": name, "password": "wrong-password"}
            )
            texts.append("过于频繁" if "过于频繁" in response.content.decode() else "错误")
        answers[name] = texts
    assert answers[officer.username] == answers["nobody.here"] == ["错误"] * 5 + ["过于频繁"]


def test_a_stranger_cannot_keep_an_officer_out_from_another_address(officer: User) -> None:
    _fail(Client(), officer, 30, REMOTE_ADDR="10.9.9.9")
    assert password_step(Client(), officer, REMOTE_ADDR="10.1.1.1").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_rotating_addresses_still_pause_the_name_but_not_the_officers_own_desk(
    officer: User,
) -> None:
    # The officer signed in from its desk before (both factors).
    login_completed(user=officer, session_key="desk", source_ip="10.1.1.1", second_factor="totp")
    for i in range(20):
        password_step(Client(), officer, password="nope", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    fresh = password_step(Client(), officer, HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert "登录尝试过于频繁" in fresh.content.decode()
    assert password_step(Client(), officer, HTTP_X_FORWARDED_FOR="10.1.1.1").status_code == 302
    ips = set(
        AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILED).values_list(
            "source_ip", flat=True
        )
    )
    assert ips == {f"203.0.113.{i}" for i in range(20)}


def test_rotating_an_untrusted_forwarded_for_does_not_reset_the_counter(officer: User) -> None:
    client = Client()
    for i in range(5):
        password_step(client, officer, password="nope", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert "登录尝试过于频繁" in password_step(client, officer).content.decode()


def test_the_throttle_is_journalled_once_not_per_refused_try(officer: User) -> None:
    client = Client()
    _fail(client, officer, 5)
    for _ in range(20):
        password_step(client, officer, password="wrong-password")
    failures = AuditEvent.objects.filter(
        event_type=EventType.LOGIN_FAILED, object_id=str(officer.pk)
    )
    assert failures.count() == 5
    assert all(e.outcome == "failure" for e in failures)
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN_THROTTLED).count() == 1


def test_unknown_username_is_audited_with_the_same_message_and_only_its_hash(db: None) -> None:
    typed = "secret-typed-here-1"
    response = Client().post(reverse("accounts:login"), {"username": typed, "password": "whatever"})
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert event.data["username"].startswith("#") and typed not in event.body


def test_wrong_one_time_codes_lock_the_account(officer: User) -> None:
    lock_with_wrong_codes(officer)
    assert AuditEvent.objects.filter(
        event_type=EventType.ACCOUNT_LOCKED, object_id=str(officer.pk)
    ).exists()


def test_a_locked_account_answers_like_any_wrong_password_without_its_password(
    officer: User,
) -> None:
    lock_with_wrong_codes(officer)
    wrong = password_step(Client(), officer, password="wrong-password").content.decode()
    assert "账户已锁定" not in wrong and "用户名或密码错误" in wrong
    right = password_step(Client(), officer)
    assert "账户已锁定" in right.content.decode()
    assert not right.wsgi_request.user.is_authenticated


def test_admin_unlocks_and_the_user_can_log_in_again(officer: User, admin_user: User) -> None:
    lock_with_wrong_codes(officer)
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
    lock_with_wrong_codes(officer)
    response = login_as(Client(), leader).post(reverse("users:unlock", kwargs={"pk": officer.pk}))
    assert response.status_code == 403
    officer.refresh_from_db()
    assert officer.locked_at is not None


def test_admin_of_another_bureau_cannot_unlock(officer: User, outsider_admin: User) -> None:
    lock_with_wrong_codes(officer)
    response = login_as(Client(), outsider_admin).post(
        reverse("users:unlock", kwargs={"pk": officer.pk})
    )
    assert response.status_code == 404
    officer.refresh_from_db()
    assert officer.locked_at is not None


def test_lock_ends_existing_sessions(officer: User) -> None:
    active = full_login(Client(), officer)
    lock_with_wrong_codes(officer)
    assert active.get(reverse("core:home")).status_code == 302
