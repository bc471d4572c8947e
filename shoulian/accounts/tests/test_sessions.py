"""A5 idle and absolute timeouts, logout; A6 key rotation and kill on disable."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from shoulian.accounts.middleware import LAST_SEEN, LOGIN_AT
from shoulian.accounts.models import User, UserSession
from shoulian.accounts.tests.helpers import approve_all, full_login, password_step
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as

pytestmark = pytest.mark.django_db


def _age_session(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_idle_session_expires_after_fifteen_minutes(officer: User) -> None:
    client = login_as(Client(), officer)
    assert client.get(reverse("core:home")).status_code == 200
    _age_session(client, LAST_SEEN, 15 * 60 + 5)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse(settings.LOGIN_URL)
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(
        event_type=EventType.SESSION_EXPIRED_IDLE, object_id=str(officer.pk)
    ).exists()


def test_activity_within_the_idle_window_keeps_the_session(officer: User) -> None:
    client = login_as(Client(), officer)
    client.get(reverse("core:home"))
    _age_session(client, LAST_SEEN, 14 * 60)
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(IDLE_TIMEOUT_MINUTES=5)
def test_idle_timeout_is_configurable(officer: User) -> None:
    client = login_as(Client(), officer)
    client.get(reverse("core:home"))
    _age_session(client, LAST_SEEN, 6 * 60)
    assert client.get(reverse("core:home")).status_code == 302


def test_idle_timeout_above_thirty_minutes_is_refused_at_start() -> None:
    env = {**os.environ, "SHOULIAN_IDLE_TIMEOUT_MINUTES": "31", "SHOULIAN_SECRET_KEY": "x"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "SHOULIAN_IDLE_TIMEOUT_MINUTES" in result.stderr


def test_session_ends_after_twelve_hours_even_when_active(officer: User) -> None:
    client = login_as(Client(), officer)
    client.get(reverse("core:home"))
    _age_session(client, LOGIN_AT, 12 * 3600 + 5)
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.SESSION_EXPIRED_ABSOLUTE).exists()


def test_logout_kills_the_server_session(officer: User) -> None:
    client = full_login(Client(), officer)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert replay.get(reverse("core:home")).status_code == 302


def test_session_key_rotates_at_login_and_after_the_second_factor(officer: User) -> None:
    client = Client()
    client.get(reverse("accounts:login"))
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    password_step(client, officer)
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_password != before
    client.post(reverse("accounts:logout"))
    full_login(client, officer)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value not in {before, after_password}


def test_disabling_a_user_ends_all_its_sessions_at_once(officer: User, admin_user: User) -> None:
    first, second = full_login(Client(), officer), full_login(Client(), officer)
    assert UserSession.objects.filter(user=officer).count() == 2
    admin = login_as(Client(), admin_user)
    admin.post(reverse("users:disable", kwargs={"pk": officer.pk}), {"reason": "调离"})
    assert UserSession.objects.filter(user=officer).count() == 0
    for client in (first, second):
        assert client.get(reverse("core:home")).status_code == 302
    event = AuditEvent.objects.get(event_type=EventType.USER_DISABLED, object_id=str(officer.pk))
    assert event.data["sessions_ended"] == 2


def test_disabled_user_cannot_log_in(officer: User, admin_user: User) -> None:
    login_as(Client(), admin_user).post(
        reverse("users:disable", kwargs={"pk": officer.pk}), {"reason": "离职"}
    )
    response = password_step(Client(), officer)
    assert response.status_code == 200 and "账户已停用" in response.content.decode()


def test_officer_cannot_disable_a_colleague(officer: User, leader: User) -> None:
    response = login_as(Client(), officer).post(
        reverse("users:disable", kwargs={"pk": leader.pk}), {"reason": "x"}
    )
    assert response.status_code == 403
    leader.refresh_from_db()
    assert leader.is_active


def test_admin_cannot_disable_itself(admin_user: User) -> None:
    client = login_as(Client(), admin_user)
    client.post(reverse("users:disable", kwargs={"pk": admin_user.pk}), {"reason": "x"})
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_role_change_ends_the_users_sessions(
    officer: User, admin_user: User, inspector: User, bureau_a
) -> None:
    active = full_login(Client(), officer)
    login_as(Client(), admin_user).post(
        reverse("users:detail", kwargs={"pk": officer.pk}),
        {
            "username": officer.username,
            "full_name": officer.full_name,
            "unit": bureau_a.station.pk,
            "police_kind": "officer",
            "badge_number": "",
            "roles": ["officer", "legal_officer"],
        },
    )
    # Proposed only: the session goes on until the 纪检 approves the new role.
    assert User.objects.get(pk=officer.pk).role_set == {"officer"}
    assert active.get(reverse("core:home")).status_code == 200
    approve_all(inspector, officer)
    assert User.objects.get(pk=officer.pk).role_set == {"officer", "legal_officer"}
    assert active.get(reverse("core:home")).status_code == 302


def _lock(user: User) -> None:
    """Five wrong one-time codes (from another session that passed the password) lock it."""
    from shoulian.accounts.services import register_failure

    for _ in range(5):
        register_failure(user=user, username=user.username, stage="otp", source_ip="10.0.0.9")
    user.refresh_from_db()
    assert user.locked_at is not None


def test_a_half_logged_in_session_cannot_finish_after_the_account_is_locked(officer: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from shoulian.accounts.tests.helpers import current_token

    full_login(Client(), officer)
    succeeded = AuditEvent.objects.filter(event_type=EventType.LOGIN_SUCCEEDED).count()
    half = Client()
    password_step(half, officer)
    _lock(officer)
    device = TOTPDevice.objects.get(user=officer)
    response = half.post(reverse("accounts:otp"), {"token": current_token(device)})
    assert response.status_code == 302 and response["Location"] == reverse(settings.LOGIN_URL)
    assert half.get(reverse("core:home"))["Location"].startswith(reverse(settings.LOGIN_URL))
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN_SUCCEEDED).count() == succeeded


def test_the_session_that_changed_its_password_still_ends_when_the_account_is_locked(
    officer: User,
) -> None:
    from shoulian.conftest import PASSWORD

    client = full_login(Client(), officer)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "Another-Secret-88",
            "new_password2": "Another-Secret-88",
        },
    )
    assert client.get(reverse("core:home")).status_code == 200
    _lock(officer)
    assert client.get(reverse("core:home")).status_code == 302


def test_password_change_ends_the_users_other_sessions(officer: User) -> None:
    from shoulian.conftest import PASSWORD

    other = full_login(Client(), officer)
    client = full_login(Client(), officer)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "Another-Secret-88",
            "new_password2": "Another-Secret-88",
        },
    )
    assert client.get(reverse("core:home")).status_code == 200
    assert other.get(reverse("core:home")).status_code == 302


def test_otp_reset_sends_existing_sessions_back_to_the_password(
    officer: User, admin_user: User, inspector: User
) -> None:
    active = full_login(Client(), officer)
    login_as(Client(), admin_user).post(reverse("users:reset_otp", kwargs={"pk": officer.pk}))
    assert active.get(reverse("core:home")).status_code == 200  # proposed, not yet approved
    approve_all(inspector, officer)
    response = active.get(reverse("core:home"))
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_a_signed_in_page_reads_neither_roles_nor_the_device_from_the_database(
    officer: User,
) -> None:
    """The session holds the roles and the verifying device it was opened with; the epoch check
    (tests above) is what ends it when either changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = full_login(Client(), officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:password_change")).status_code == 200
    tables = " ".join(q["sql"] for q in queries)
    assert "accounts_userrole" not in tables
    assert "otp_totp_totpdevice" not in tables


def test_the_menu_follows_the_roles_the_session_was_opened_with(
    officer: User, admin_user: User, inspector: User, bureau_a
) -> None:
    client = full_login(Client(), officer)
    assert reverse("workflow:approvals") not in client.get(reverse("core:home")).content.decode()
    login_as(Client(), admin_user).post(
        reverse("users:detail", kwargs={"pk": officer.pk}),
        {
            "username": officer.username,
            "full_name": officer.full_name,
            "unit": bureau_a.station.pk,
            "police_kind": "officer",
            "badge_number": "",
            "roles": ["officer", "leader"],
        },
    )
    approve_all(inspector, officer)
    # The old session ends; a new login carries the new roles into the menu.
    assert client.get(reverse("core:home")).status_code == 302
    fresh = User.objects.get(pk=officer.pk)
    again = full_login(Client(), fresh)
    home = again.get(reverse("core:home")).content.decode()
    assert reverse("workflow:approvals") in home
