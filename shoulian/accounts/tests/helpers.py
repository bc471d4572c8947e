from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts.approvals import enrolment_code_issue
from shoulian.accounts.models import User
from shoulian.conftest import PASSWORD


def current_token(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def password_step(client: Client, user: User, password: str = PASSWORD, **extra: Any):
    return client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}, **extra
    )


def full_login(client: Client, user: User) -> Client:
    """Password, then TOTP (enrolling on first use with an enrolment code the operator issued),
    exactly as a person does it."""
    response = password_step(client, user)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp"), response
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        code = enrolment_code_issue(user=user)
        response = client.post(reverse("accounts:otp"), {"enrolment_code": code})
        assert response.status_code == 302, response.content.decode()[:500]
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed").first()
    assert device is not None
    # A code may be used once: fresh sessions of the same user take the next step's code.
    step = 0 if device.last_t < 0 else max(0, device.last_t - TOTP(device.bin_key).t() + 1)
    response = client.post(reverse("accounts:otp"), {"token": current_token(device, step)})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def approve_all(approver: User, user: User) -> list[str | None]:
    """The 纪检 approves every pending proposal about ``user`` (two-person rule); returns the
    enrolment codes the approvals issued."""
    from shoulian.accounts.approvals import account_change_approve, pending_for

    return [
        account_change_approve(actor=approver, change=change)
        for change in pending_for(user).order_by("pk")
    ]
