"""A3: every staff role uses TOTP; a password-only session reaches no staff page."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts.approvals import enrolment_code_issue
from shoulian.accounts.models import User
from shoulian.accounts.tests.helpers import current_token, full_login, password_step
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import PERSONA_NAMES
from shoulian.core.tests.matrix import PUBLIC, collect_rules

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona_name", PERSONA_NAMES)
def test_password_only_session_reaches_no_staff_page(
    persona_name: str, request: pytest.FixtureRequest, bureau_b
) -> None:
    user = request.getfixturevalue(persona_name)
    client = Client()
    assert password_step(client, user)["Location"] == reverse("accounts:otp")
    own = request.getfixturevalue(
        "bureau_b" if user.unit.bureau().code.startswith("3502") else "bureau_a"
    )
    for name, rule in collect_rules().items():
        if rule.allowed == PUBLIC or name in {"accounts:otp", "accounts:logout"}:
            continue
        kwargs = rule.kwargs(user, own, bureau_b) if rule.kwargs else None
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"] == reverse("accounts:otp"), name


def test_first_login_enrols_a_device_with_a_qr_code(officer: User) -> None:
    client = Client()
    password_step(client, officer)
    page = client.get(reverse("accounts:otp")).content.decode()
    # The password alone shows no secret: first the one-time enrolment code.
    assert "绑定码" in page and "<svg" not in page
    assert not TOTPDevice.objects.filter(user=officer).exists()
    code = enrolment_code_issue(user=officer)
    assert client.post(reverse("accounts:otp"), {"enrolment_code": code}).status_code == 302
    page = client.get(reverse("accounts:otp")).content.decode()
    assert "绑定动态口令" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    response = client.post(reverse("accounts:otp"), {"token": current_token(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(
        event_type=EventType.OTP_ENROLLED, object_id=str(officer.pk)
    ).exists()


def test_wrong_code_is_refused_in_chinese(officer: User) -> None:
    client = Client()
    password_step(client, officer)
    client.post(reverse("accounts:otp"), {"enrolment_code": enrolment_code_issue(user=officer)})
    response = client.post(reverse("accounts:otp"), {"token": "123456"})
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:otp")


def test_a_code_cannot_be_used_twice(officer: User) -> None:
    full_login(Client(), officer)
    device = TOTPDevice.objects.get(user=officer, confirmed=True)
    used = device.last_t
    client = Client()
    password_step(client, officer)
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key)
    totp.time = used * device.step + 1
    response = client.post(reverse("accounts:otp"), {"token": f"{totp.token():06d}"})
    assert response.status_code == 200


@override_settings(DEMO_MODE=True)
def test_demo_mode_waives_totp_for_demo_accounts_only(bureau_a, small_demo: None) -> None:
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo_user = User.objects.get(username="center.clerk")
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "center.clerk", "password": "Shoulian-Demo-2026"}
    )
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    assert demo_user.totp_waived()
    # A real account in demo mode still needs its second factor.
    from shoulian.conftest import make_user

    real = make_user("realofficer", bureau_a.station, "officer")
    assert password_step(Client(), real)["Location"] == reverse("accounts:otp")


@override_settings(DEMO_MODE=True)
def test_login_page_says_demo_mode(db: None) -> None:
    assert "演示模式" in Client().get(reverse("accounts:login")).content.decode()


def test_login_page_without_demo_mode_does_not_mention_demo_accounts(db: None) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "演示模式" not in page and "Shoulian-Demo" not in page
