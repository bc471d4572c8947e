"""Validators and normalisers for the personal data taken at the desk (I2).

``normalize_*`` functions return the canonical form or raise ``ValidationError`` with a Chinese
message; ``validate_*`` wrap them for ``validators=[...]`` on model and form fields. Input is read
through NFKC first, because Chinese input methods readily produce full-width digits and letters.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from shoulian.privacy.choices import IdType, Kind

SHANGHAI = ZoneInfo("Asia/Shanghai")

# GB/T 2260 province-level codes: the first two digits of a 公民身份号码. 71 (台湾省) is listed in
# the standard. 81/82/83 are not provinces: they open the numbers of 港澳台居民居住证, which use the
# same GB 11643 structure and are accepted only under that document type.
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71}
)
HMT_REGION_CODES = frozenset({81, 82, 83})

# ISO 7064 MOD 11-2 as used by GB 11643-1999: weight of position i is 2^(17-i) mod 11 and the
# check character is looked up by the weighted sum mod 11.
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_GB11643 = re.compile(r"^\d{17}[\dX]$")
_WHITESPACE = re.compile(r"\s+")


def _nfkc(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _compact(value: Any) -> str:
    return _WHITESPACE.sub("", _nfkc(value))


def gb11643_check_char(body: str) -> str:
    """The 18th character for the first 17 digits of a GB 11643 number."""
    if len(body) != 17 or not body.isdigit():
        raise ValueError("GB 11643 body must be 17 digits")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _check_birth_date(digits: str, *, label: str, today: date | None) -> None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(
            "%(label)s中的出生日期（%(digits)s）不是有效日期。",
            code="birth_date",
            params={"label": label, "digits": digits},
        ) from None
    if born < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            "%(label)s中的出生日期不能早于1900年。", code="birth_date", params={"label": label}
        )
    if born > (today or _today()):
        raise ValidationError(
            "%(label)s中的出生日期不能晚于今天。", code="birth_date", params={"label": label}
        )


def _gb11643(value: Any, *, regions: frozenset[int], label: str, today: date | None) -> str:
    number = _compact(value).upper()
    if len(number) == 15 and number.isdigit():
        # First-generation cards stopped being valid on 2013-01-01 (公安部公告); their holders all
        # carry an 18-digit number now, and converting 15 → 18 digits could invent a wrong one.
        raise ValidationError(
            "15位的第一代居民身份证已于2013年1月1日停止使用，请登记18位号码。", code="legacy"
        )
    if not _GB11643.match(number):
        raise ValidationError(
            "%(label)s号码应为18位：前17位为数字，最后一位为数字或X。",
            code="format",
            params={"label": label},
        )
    region = int(number[:2])
    if region not in regions:
        if region in HMT_REGION_CODES:
            raise ValidationError(
                "以81、82、83开头的号码是港澳台居民居住证号码，请选择“港澳台居民居住证”。",
                code="region",
            )
        raise ValidationError(
            "%(label)s号码前两位（%(region)s）不是有效的省级行政区划代码。",
            code="region",
            params={"label": label, "region": number[:2]},
        )
    _check_birth_date(number[6:14], label=label, today=today)
    if gb11643_check_char(number[:17]) != number[17]:
        raise ValidationError(
            "%(label)s号码校验位不正确，请逐位核对。", code="checksum", params={"label": label}
        )
    return number


def normalize_resident_id(value: Any, *, today: date | None = None) -> str:
    """A 居民身份证 number (GB 11643-1999), returned with an upper-case X."""
    return _gb11643(value, regions=PROVINCE_CODES, label="居民身份证", today=today)


def normalize_hmt_residence_permit(value: Any, *, today: date | None = None) -> str:
    return _gb11643(value, regions=HMT_REGION_CODES, label="港澳台居民居住证", today=today)


def validate_resident_id(value: Any) -> None:
    normalize_resident_id(value)


_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_HK_MACAO = re.compile(r"^[HM](\d{8}|\d{10})$")
# Since 2015 a card with 8 digits; the older booklet had 10 digits and sometimes a letter in
# brackets for the issue count, e.g. 1234567890(B).
_TAIWAN = re.compile(r"^(\d{8}|\d{10}[A-Z]?)$")
# 2004/2017 cards: 3-letter nationality code and 12 digits. 2023 cards follow GB 11643: 18
# characters, first digit 9, MOD 11-2 check character (国家移民管理局, 新版永居证机读信息规则).
_FPR_OLD = re.compile(r"^[A-Z]{3}\d{12}$")
_FPR_NEW = re.compile(r"^9\d{16}[\dX]$")
_OTHER_MAX = 40


def _document_number(value: Any) -> str:
    return re.sub(r"[\s()\[\]]", "", _nfkc(value)).upper()


def normalize_id_number(id_type: str, value: Any, *, today: date | None = None) -> str:
    """Validate ``value`` as a number of document ``id_type``; return its canonical form."""
    if id_type == IdType.RESIDENT_ID:
        return normalize_resident_id(value, today=today)
    if id_type == IdType.HMT_RESIDENCE_PERMIT:
        return normalize_hmt_residence_permit(value, today=today)
    number = _document_number(value)
    if id_type == IdType.PASSPORT:
        if not _PASSPORT.match(number):
            raise ValidationError("护照号码应为5–20位字母或数字。", code="format")
    elif id_type == IdType.HK_MACAO_PERMIT:
        if not _HK_MACAO.match(number):
            raise ValidationError(
                "港澳居民来往内地通行证号码应为H或M开头，后接8位或10位数字。", code="format"
            )
    elif id_type == IdType.TAIWAN_PERMIT:
        if not _TAIWAN.match(number):
            raise ValidationError(
                "台湾居民来往大陆通行证号码应为8位数字（旧版为10位数字，可带一位字母）。",
                code="format",
            )
    elif id_type == IdType.FOREIGN_PERMANENT_RESIDENT:
        if _FPR_NEW.match(number):
            if gb11643_check_char(number[:17]) != number[17]:
                raise ValidationError(
                    "外国人永久居留身份证号码校验位不正确，请逐位核对。", code="checksum"
                )
        elif not _FPR_OLD.match(number):
            raise ValidationError(
                "外国人永久居留身份证号码应为18位（以9开头）或15位（3位字母加12位数字）。",
                code="format",
            )
    elif id_type == IdType.OTHER:
        number = _nfkc(value)
        if not number:
            raise ValidationError("请填写证件号码。", code="required")
        if len(number) > _OTHER_MAX or any(unicodedata.category(c)[0] == "C" for c in number):
            raise ValidationError("证件号码不超过40个字符，且不能含有控制字符。", code="format")
    else:
        raise ValidationError("未知的证件类型。", code="id_type")
    return number


# --- Telephone numbers ------------------------------------------------------------------------
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-()]+$")
_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086)")
# Area codes: 010 and 02x have three digits, every other one four (0xxx); local numbers have 7–8
# digits and never start with 0 or 1.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))([2-9]\d{6,7})$")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_DASHED_EXTENSION = re.compile(r"^(0\d{2,3})-([2-9]\d{6,7})-(\d{1,6})$")


def _phone_digits(text: str) -> str | None:
    """Digits of ``text`` without the +86/0086 country prefix; None if other characters occur."""
    if not _PHONE_CHARS.match(text):
        return None
    digits = re.sub(r"[\s\-()]", "", text)
    prefixed = _COUNTRY_PREFIX.match(digits)
    digits = digits[prefixed.end() :] if prefixed else digits
    return digits if digits.isdigit() else None


def normalize_mobile(value: Any) -> str:
    """A mainland mobile number as 11 digits (``+86``/``0086`` and separators removed)."""
    digits = _phone_digits(_nfkc(value))
    if digits is None or not _MOBILE.match(digits):
        raise ValidationError("请输入11位手机号码（以13–19开头）。", code="mobile")
    return digits


def validate_mobile(value: Any) -> None:
    normalize_mobile(value)


def normalize_landline(value: Any) -> str:
    """A fixed-line number as ``0591-87654321`` (with ``-123`` for an extension)."""
    text = _nfkc(value)
    extension = ""
    dashed = _DASHED_EXTENSION.match(re.sub(r"\s", "", text))
    if dashed:
        text, extension = f"{dashed[1]}{dashed[2]}", dashed[3]
    else:
        found = _EXTENSION.search(text)
        if found:
            text, extension = text[: found.start()].strip(), found[1]
    digits = _phone_digits(text)
    if digits and not digits.startswith("0"):
        digits = "0" + digits  # the international form (+86 591 …) drops the trunk 0
    match = _LANDLINE.match(digits or "")
    if not match:
        raise ValidationError(
            "请输入带区号的固定电话，如 0591-87654321（分机可写作“转123”）。", code="landline"
        )
    return f"{match[1]}-{match[2]}" + (f"-{extension}" if extension else "")


def validate_landline(value: Any) -> None:
    normalize_landline(value)


def normalize_phone(value: Any) -> str:
    """A mobile or a fixed-line number, each in its canonical form."""
    try:
        return normalize_mobile(value)
    except ValidationError:
        pass
    try:
        return normalize_landline(value)
    except ValidationError:
        raise ValidationError(
            "请输入11位手机号码，或带区号的固定电话（如 0591-87654321）。", code="phone"
        ) from None


def validate_phone(value: Any) -> None:
    normalize_phone(value)


# --- Times entered at the desk ----------------------------------------------------------------
@deconstructible
class NotInFutureValidator:
    """Rejects a time later than now plus ``skew``: desk terminals' clocks drift a little, and a
    report timed a minute ahead must not block intake. Naive datetimes are a programming error
    upstream (USE_TZ), refused rather than guessed."""

    def __init__(self, skew: timedelta = timedelta(minutes=5)) -> None:
        self.skew = skew

    def __call__(self, value: Any) -> None:
        if not isinstance(value, datetime):
            raise ValidationError("请输入完整的日期和时间。", code="invalid")
        if timezone.is_naive(value):
            raise ValidationError("时间缺少时区信息，无法判断先后。", code="naive")
        now = timezone.now()
        if value > now + self.skew:
            raise ValidationError(
                "所填时间（%(value)s）晚于当前时间（%(now)s）。",
                code="future",
                params={
                    "value": value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                    "now": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                },
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NotInFutureValidator) and other.skew == self.skew

    def __hash__(self) -> int:
        return hash(self.skew)


validate_not_in_future = NotInFutureValidator()


# --- Canonical forms for storage and the blind index ------------------------------------------
def _canonical_step(text: str, kind: str) -> str:
    text = _nfkc(text)
    if kind == Kind.ID_NUMBER:
        return _WHITESPACE.sub("", text).upper()
    if kind == Kind.PHONE:
        try:
            return normalize_phone(text)
        except ValidationError:
            return re.sub(r"[\s\-()]", "", text)
    if kind == Kind.EMAIL:
        return text.lower()
    if kind == Kind.PLATE:
        return re.sub(r"[\s·.\-]", "", text).upper()
    if kind == Kind.NAME:
        return _WHITESPACE.sub(" ", text)
    return text


def canonical(value: Any, kind: str) -> str:
    """The form a personal value is stored and indexed in. Lenient on purpose: it never raises, so
    that an equality search with a differently typed input (spaces, +86, lower-case x) still finds
    the stored row. Validation is the form's job, before this.

    It must be idempotent: the index of a stored value is computed from its canonical form again.
    Removing spaces or changing case can leave a string NFKC would recompose (``K`` + combining
    cedilla → ``Ķ``), so the steps repeat until nothing changes."""
    text = _canonical_step(value, kind)
    for _ in range(3):
        again = _canonical_step(text, kind)
        if again == text:
            break
        text = again
    return text
