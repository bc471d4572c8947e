"""A2: the two password profiles, both tested."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from shoulian.accounts.models import User
from shoulian.accounts.passwords import ProfileValidator, character_classes
from shoulian.accounts.services import user_create
from shoulian.conftest import PASSWORD, login_as


def _codes(password: str, profile: str) -> set[str]:
    try:
        ProfileValidator(profile).validate(password)
    except ValidationError as exc:
        return {e.code for e in exc.error_list if e.code}
    return set()


def test_mlps_requires_three_character_classes() -> None:
    assert "password_too_simple" in _codes("abcdefgh12", "mlps")
    assert _codes("Abcdefgh12", "mlps") == set()


def test_mlps_requires_eight_characters() -> None:
    assert "password_too_short" in _codes("Ab1!xyz", "mlps")


def test_cjis_requires_fifteen_characters_but_not_classes() -> None:
    assert "password_too_short" in _codes("Abcdefgh12!xyz", "cjis")
    assert _codes("correct horse battery staple", "cjis") == set()


@pytest.mark.parametrize("profile", ["mlps", "cjis"])
def test_both_profiles_refuse_blocklisted_passwords(profile: str) -> None:
    assert "password_too_common" in _codes("1qaz2wsx3edc", profile)
    assert "password_too_common" in _codes("P@ssw0rd", profile)


@pytest.mark.django_db
def test_password_similar_to_username_is_refused(bureau_a) -> None:
    user = User(username="zhangsan.officer", full_name="张三")
    with pytest.raises(ValidationError):
        validate_password("Zhangsan.officer1", user)


@given(st.text(min_size=0, max_size=40))
def test_character_classes_is_between_zero_and_four(text: str) -> None:
    assert 0 <= character_classes(text) <= 4


@override_settings(PASSWORD_PROFILE="cjis")
@pytest.mark.django_db
def test_cjis_profile_applies_to_account_creation(bureau_a) -> None:
    with pytest.raises(ValidationError):
        user_create(
            actor=None,
            username="short",
            full_name="短",
            unit=bureau_a.station,
            police_kind="officer",
            roles=["officer"],
            password="Abc!12345678",
        )  # 12 chars
    user_create(
        actor=None,
        username="long",
        full_name="长",
        unit=bureau_a.station,
        police_kind="officer",
        roles=["officer"],
        password="a much longer passphrase here",
    )


@override_settings(PASSWORD_PROFILE="mlps")
@pytest.mark.django_db
def test_mlps_password_older_than_90_days_must_be_changed(officer: User) -> None:
    User.objects.filter(pk=officer.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    client = login_as(Client(), officer)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "accounts:password_change"
    )
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "Fresh-Secret-77",
            "new_password2": "Fresh-Secret-77",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(PASSWORD_PROFILE="cjis")
@pytest.mark.django_db
def test_cjis_has_no_rotation(officer: User) -> None:
    User.objects.filter(pk=officer.pk).update(
        password_changed_at=timezone.now() - timedelta(days=400)
    )
    assert login_as(Client(), officer).get(reverse("core:home")).status_code == 200


@pytest.mark.django_db
def test_password_change_rejects_weak_new_password_in_chinese(officer: User) -> None:
    client = login_as(Client(), officer)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "abc",
            "new_password2": "abc",
        },
    )
    assert response.status_code == 200
    assert "密码至少需要" in response.content.decode()


@pytest.mark.django_db
def test_must_change_password_after_admin_reset(
    officer: User, admin_user: User, inspector: User
) -> None:
    login_as(Client(), admin_user).post(
        reverse("users:reset_password", kwargs={"pk": officer.pk}),
        {"new_password": "Temp-Pass-2026!"},
    )
    officer.refresh_from_db()
    assert not officer.must_change_password  # proposed only
    from shoulian.accounts.tests.helpers import approve_all

    approve_all(inspector, officer)
    officer.refresh_from_db()
    assert officer.must_change_password
    client = login_as(Client(), officer)
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:password_change")
