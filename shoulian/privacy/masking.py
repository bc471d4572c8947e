"""Masking rules (P1). A masked value lets a colleague or a citizen recognise a record
("138****8000 is my number") without learning the value. When a rule cannot recognise the
structure of a value it masks more, never less."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Any

from shoulian.privacy.choices import Kind

STAR = "*"
# Fixed-width tail for addresses and free text: its length would otherwise tell the house number
# or the size of the text.
HIDDEN_TAIL = STAR * 4
_NAME_SEPARATORS = frozenset(" ·•・.-'")


def _middle(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return STAR * len(value)
    return value[:head] + STAR * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_number(value: str) -> str:
    """18-character numbers keep the 6-digit address code and the last 4 characters
    (``110105********0123``, the form DOMAIN §7 shows); other documents keep about a third."""
    value = value.strip()
    if len(value) == 18:
        return _middle(value, 6, 4)
    return _middle(value, min(6, len(value) // 3), min(4, len(value) // 4))


_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^(0\d{2,3})-(\d{7,8})(?:-\d+)?$")


def mask_phone(value: str) -> str:
    """Mobiles keep the 3-digit network prefix and the last 4 digits (``138****8000``); fixed
    lines keep the area code and the last 4 digits, and drop any extension."""
    value = value.strip()
    if _MOBILE.match(value):
        return _middle(value, 3, 4)
    landline = _LANDLINE.match(value)
    if landline:
        return f"{landline[1]}-{_middle(landline[2], 0, 4)}"
    return _middle(value, min(3, len(value) // 4), min(4, len(value) // 4))


def mask_name(value: str) -> str:
    """Keep the first character, star every other letter (``张三丰`` → ``张**``). A compound
    surname (欧阳) loses its second character too: showing less is the safe error. Separators of
    minority and foreign names (``·``, space) stay, so the form of the name is still readable."""
    value = value.strip()
    if len(value) <= 1:
        return STAR * len(value)
    return value[0] + "".join(c if c in _NAME_SEPARATORS else STAR for c in value[1:])


# One administrative name segment: CJK characters, never a street-level word (路/街/号 …) nor
# a place word ending like a district (小区, 社区, 广场 …), so that a match cannot run into the
# street and leak it. Names before 区/市 have 2–4 characters, which keeps 新市北路 or 万达广场小区
# from passing for a county; 县/旗 also follow one-character names (沙县) and long autonomous
# county names.
_NOT_ADMIN = (
    "小区|社区|园区|校区|厂区|景区|片区|街区|新村|广场|花园|大厦|中心|医院|学校|公司|市场|商场"
)
_SEG = rf"(?:(?!{_NOT_ADMIN})(?![路街巷弄号镇乡村道])[\u4e00-\u9fff])"
_PROVINCE = rf"(?:{_SEG}{{2,8}}?(?:省|自治区|特别行政区)|北京市|天津市|上海市|重庆市)"
_CITY = rf"(?:{_SEG}{{2,10}}?(?:自治州|地区|市|盟))"
_COUNTY = rf"(?:{_SEG}{{1,14}}?(?:县|旗)|{_SEG}{{2,4}}?(?:区|市))"
_ADDRESS_PREFIX = re.compile(
    rf"^(?P<province>{_PROVINCE})?(?P<city>{_CITY})?(?P<county>{_COUNTY})?"
)


def mask_address(value: str) -> str:
    """Keep the prefix down to the county level (区/县/县级市/旗), hide the rest behind a fixed
    ``****``: ``福建省三明市三元区列东街道…`` → ``福建省三明市三元区****``. Where no county is
    recognised the province or city is kept; where nothing is recognised nothing is kept."""
    value = value.strip()
    if not value:
        return ""
    match = _ADDRESS_PREFIX.match(value)
    kept = match[0] if match else ""
    if kept == value:
        return kept
    return kept + HIDDEN_TAIL


def mask_email(value: str) -> str:
    local, at, domain = value.strip().partition("@")
    if not at:
        return _middle(local, 1, 0)
    return f"{local[:1]}{STAR * 3}@{domain}"


def mask_plate(value: str) -> str:
    """``闽G12345`` → ``闽G***45``: the issuing province and city stay, the serial does not."""
    return _middle(value.strip(), 2, 2)


def mask_birth_date(value: Any) -> str:
    """The year stays (age matters to the case: minors); month and day do not."""
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    return f"{text[:4]}-**-**" if re.match(r"^\d{4}", text) else STAR * 4


def mask_network_address(value: str) -> str:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return STAR * 4
    if address.version == 4:
        return ".".join(str(address).split(".")[:2] + [STAR, STAR])
    return ":".join(address.exploded.split(":")[:2]) + ":" + STAR


def mask_account(value: str) -> str:
    return _middle(value.strip(), 1, 0)


def mask(value: Any, kind: str) -> str:
    """The masked form of ``value`` for a field of ``kind``; empty for an empty value."""
    if value is None or value == "":
        return ""
    if kind == Kind.BIRTH_DATE:
        return mask_birth_date(value)
    text = str(value)
    rule = {
        Kind.ID_NUMBER: mask_id_number,
        Kind.PHONE: mask_phone,
        Kind.NAME: mask_name,
        Kind.ADDRESS: mask_address,
        Kind.EMAIL: mask_email,
        Kind.PLATE: mask_plate,
        Kind.NETWORK_ADDRESS: mask_network_address,
        Kind.ACCOUNT: mask_account,
    }.get(Kind(kind))
    return rule(text) if rule else HIDDEN_TAIL
