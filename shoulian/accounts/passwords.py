"""Password profiles (A2), chosen by SHOULIAN_PASSWORD_PROFILE.

- ``mlps`` (GB/T 22239-2019 level 3 as commonly applied): at least 8 characters from at least three
  of the four classes (upper, lower, digit, symbol), changed every 90 days.
- ``cjis`` (CJIS Security Policy 5.6.2.1.1 "basic password standards"): at least 15 characters,
  checked against a blocklist of common and compromised passwords, no forced rotation.

Both profiles also refuse passwords similar to the username or name.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    UserAttributeSimilarityValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Words that make up most leaked Chinese-context passwords, beyond Django's English list.
LOCAL_BLOCKLIST = frozenset(
    {
        "woaini1314",
        "woaini520",
        "aini1314",
        "qwertyuiop",
        "1qaz2wsx",
        "1qaz2wsx3edc",
        "zxcvbnm",
        "a123456",
        "abc123456",
        "p@ssw0rd",
        "passw0rd",
        "admin123",
        "admin@123",
        "gongan110",
        "jingcha110",
        "police110",
        "110110110",
        "123456789a",
        "qq123456",
        "huanying",
        "shoulian",
        "shoulian123",
    }
)


@dataclass(frozen=True)
class Profile:
    name: str
    min_length: int
    min_classes: int
    rotation_days: int | None
    blocklist: bool


PROFILES = {
    "mlps": Profile("mlps", min_length=8, min_classes=3, rotation_days=90, blocklist=True),
    "cjis": Profile("cjis", min_length=15, min_classes=1, rotation_days=None, blocklist=True),
}


def active_profile() -> Profile:
    return PROFILES[settings.PASSWORD_PROFILE]


def rotation_days() -> int | None:
    return active_profile().rotation_days


def character_classes(password: str) -> int:
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or (not c.isalnum() and not c.isspace()) for c in password),
    ]
    return sum(classes)


class ProfileValidator:
    """Applies the active profile; one validator so the profile switch is one setting."""

    def __init__(self, profile: str | None = None) -> None:
        self._profile = profile

    def profile(self) -> Profile:
        return PROFILES[self._profile] if self._profile else active_profile()

    def validate(self, password: str, user: Any = None) -> None:
        profile = self.profile()
        errors: list[ValidationError] = []
        if len(password) < profile.min_length:
            errors.append(
                ValidationError(
                    _("密码至少需要 %(min_length)s 个字符。") % {"min_length": profile.min_length},
                    code="password_too_short",
                )
            )
        if character_classes(password) < profile.min_classes:
            errors.append(
                ValidationError(
                    _("密码须包含大写字母、小写字母、数字、符号中至少 %(min_classes)s 类。")
                    % {"min_classes": profile.min_classes},
                    code="password_too_simple",
                )
            )
        if profile.blocklist:
            lowered = password.lower()
            if lowered in LOCAL_BLOCKLIST:
                errors.append(
                    ValidationError(_("该密码过于常见，请换一个。"), code="password_too_common")
                )
            else:
                try:
                    _common_passwords().validate(password)
                except ValidationError:
                    errors.append(
                        ValidationError(_("该密码过于常见，请换一个。"), code="password_too_common")
                    )
        if user is not None:
            try:
                UserAttributeSimilarityValidator(
                    user_attributes=("username", "full_name", "badge_number")
                ).validate(password, user)
            except ValidationError:
                errors.append(
                    ValidationError(
                        _("密码与用户名、姓名或警号过于相似。"), code="password_too_similar"
                    )
                )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        profile = self.profile()
        text = _("至少 %(min_length)s 个字符") % {"min_length": profile.min_length}
        if profile.min_classes > 1:
            text += _("，包含大写字母、小写字母、数字、符号中至少 %(min_classes)s 类") % {
                "min_classes": profile.min_classes
            }
        text += _("；不得使用常见密码或与用户名相似的密码")
        if profile.rotation_days:
            text += _("；每 %(rotation_days)s 天须更换") % {"rotation_days": profile.rotation_days}
        return text + "。"


@functools.cache
def _common_passwords() -> CommonPasswordValidator:
    """Django's list of 20,000 common passwords, read and unzipped once per process (about 50 ms
    each time: every account creation and password change paid it)."""
    return CommonPasswordValidator()
