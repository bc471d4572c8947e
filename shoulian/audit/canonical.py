"""The canonical serialisation of an event, and what may appear in its body (U1, P1, U7).

The body is JSON with sorted keys, no insignificant whitespace and only ASCII (every other
character escaped), with no floating-point numbers: one event has exactly one byte string, in
any language an auditor uses to re-check it. Those bytes are what is hashed and stored.

Personal data never enters a body in clear: a value wrapped in ``Personal`` (or under a key named
like ``id_number`` or ``mobile``) is stored masked plus a keyed hash, so the inspector can still see
that two events concern the same person without the journal becoming a copy of the data; ID numbers
and mobiles found inside any other text are masked in place; secrets are dropped.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models

FORMAT_VERSION = 1

# JS and most JSON parsers lose integers beyond 2**53; such numbers are stored as strings.
_SAFE_INT = 2**53

_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
)
# For data that ``clean`` produced: keys already sorted, so the encoder need not sort again.
_DATA_ENCODER = json.JSONEncoder(
    sort_keys=False, separators=(",", ":"), ensure_ascii=True, allow_nan=False
)
_escape = json.encoder.encode_basestring_ascii

OBJECT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
OBJECT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{9}[0-9Xx](?![0-9])")
# Mobiles also as typed: with +86/0086/86 and in groups (138 1234 8000, 138-1234-8000).
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]{4}){2}(?![0-9])")
# Cheap pre-check: only strings with 11 digits close together can hold an ID number or a mobile.
_DIGIT_RUN = re.compile(r"(?:[0-9][\s-]?){11}")

SECRET_KEYS = frozenset(
    {
        "password",
        "old_password",
        "new_password",
        "passwd",
        "pwd",
        "otp",
        "otp_token",
        "token",
        "secret",
        "session_key",
        "sessionid",
        "csrfmiddlewaretoken",
        "query_code",
        "sms_code",
        "verification_code",
    }
)
REDACTED = "[已隐去]"


@dataclass(frozen=True)
class Personal:
    """A personal value (of a citizen or party) that must be masked in the journal.

    kind: ``id_number`` (居民身份证号), ``mobile``, ``name``, ``address`` or ``text``."""

    value: str
    kind: str = "text"


# Keys whose values are personal whatever their shape, and how to mask them.
PERSONAL_KEY_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("id_number", "id_number"),
    ("id_no", "id_number"),
    ("mobile", "mobile"),
    ("phone", "mobile"),
)
_PERSONAL_SUFFIXES = tuple(suffix for suffix, _ in PERSONAL_KEY_SUFFIXES)


def canonical_json(value: Any) -> str:
    return _ENCODER.encode(value)


def encode_in_order(value: Any) -> str:
    """``value`` encoded as the journal encodes a body, keeping its mappings' order."""
    return _DATA_ENCODER.encode(value)


@lru_cache(maxsize=4)
def _hash_key(secret: str, explicit: str) -> bytes:
    if explicit:
        return explicit.encode()
    # Derived, not the SECRET_KEY itself: a leaked journal must not help forge sessions.
    return hmac.new(secret.encode(), b"shoulian.audit.personal-data", hashlib.sha256).digest()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a personal value, for matching without storing it (hex, 32 characters)."""
    key = _hash_key(settings.SECRET_KEY, getattr(settings, "AUDIT_HASH_KEY", "") or "")
    normalised = value.strip().upper().encode()
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()[:32]


# The privacy app's mask for each kind it knows ("id_number", "mobile", "name", "address"),
# registered from PrivacyConfig.ready(): one rule for screens and journal, while the journal
# sits below privacy. A kind without a registered mask gets the blunt mask below, never less.
_masks: dict[str, Callable[[str], str]] = {}


def register_masks(**by_kind: Callable[[str], str]) -> None:
    _masks.update(by_kind)


def mask(value: str, kind: str = "text") -> str:
    value = value.strip()
    if kind == "mobile":
        compact = re.sub(r"[\s-]", "", value)
        if re.fullmatch(r"(?:\+|00)?(?:86)?1[3-9][0-9]{9}", compact):
            value = compact[-11:]
    masker = _masks.get(kind)
    if masker is not None:
        return masker(value)
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def _protected(value: str, kind: str) -> dict[str, str]:
    return {"masked": mask(value, kind), "hmac": keyed_hash(value)}


def _mask_in_text(text: str) -> str:
    if len(text) < 11 or not _DIGIT_RUN.search(text):
        return text
    text = _ID_NUMBER.sub(lambda m: mask(m.group(0), "id_number"), text)
    return _MOBILE.sub(lambda m: mask(m.group(0), "mobile"), text)


def _key_kind(lowered: str) -> str | None:
    for suffix, kind in PERSONAL_KEY_SUFFIXES:
        if lowered.endswith(suffix):
            return kind
    return None


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _clean_mapping(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """Keys sorted here, once, so the encoder need not sort (the body is on every write path)."""
    items = [(k if type(k) is str else str(k), v) for k, v in mapping.items()]
    items.sort(key=_first)
    out: dict[str, Any] = {}
    for key, value in items:
        lowered = key.lower()
        if lowered in SECRET_KEYS:
            out[key] = REDACTED
            continue
        if lowered.endswith(_PERSONAL_SUFFIXES) and type(value) in (str, int):
            out[key] = _protected(str(value), _key_kind(lowered) or "text")
            continue
        out[key] = clean(value)
    return out


def clean(value: Any) -> Any:
    """The body-safe form of ``value``: JSON types only, personal data protected, secrets gone,
    mapping keys sorted."""
    kind = type(value)
    if kind is str:
        return _mask_in_text(value)
    if kind is dict:
        return _clean_mapping(value)
    if kind is int:
        return value if -_SAFE_INT < value < _SAFE_INT else str(value)
    if value is None or kind is bool:
        return value
    return _clean_other(value)


def _clean_other(value: Any) -> Any:
    if isinstance(value, Personal):
        return _protected(value.value, value.kind)
    if isinstance(value, enum.Enum):
        return clean(value.value)
    if isinstance(value, str):
        return _mask_in_text(str(value))
    if isinstance(value, int):
        return clean(int(value))
    if isinstance(value, Mapping):
        return _clean_mapping(value)
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((clean(v) for v in value), key=canonical_json)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("审计内容中的时间必须带时区")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        # Float text differs between languages; a fixed decimal string does not.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower.rsplit('.', 1)[-1]}:{value.pk}"
    raise TypeError(f"审计内容不支持 {type(value).__name__} 类型的值")


def _text(value: str | None) -> str:
    return "null" if value is None else _escape(value)


def _number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def event_body(
    *,
    event_type: int,
    occurred_us: int,
    actor_id: int | None,
    actor_username: str,
    actor_roles: str,
    actor_unit_id: int | None,
    actor_unit_path: str,
    source_ip: str | None,
    channel: str,
    request_id: str,
    object_type: str,
    object_id: str,
    outcome: str,
    data: Any,
) -> str:
    """The canonical body; byte for byte ``canonical_json`` of the same mapping (a test holds us to
    it), assembled directly because this runs on every write. ``data`` must come from ``clean``."""
    esc = _escape
    return (
        f'{{"actor_id":{_number(actor_id)},"actor_roles":{esc(actor_roles)},'
        f'"actor_unit_id":{_number(actor_unit_id)},"actor_unit_path":{esc(actor_unit_path)},'
        f'"actor_username":{esc(actor_username)},"channel":{esc(channel)},'
        f'"data":{_DATA_ENCODER.encode(data)},"event_type":{int(event_type)},'
        f'"object_id":{esc(object_id)},"object_type":{esc(object_type)},'
        f'"occurred_us":{int(occurred_us)},"outcome":{esc(outcome)},'
        f'"request_id":{esc(request_id)},"source_ip":{_text(source_ip)},"v":{FORMAT_VERSION}}}'
    )


def utc_microseconds(moment: dt.datetime) -> int:
    delta = moment.astimezone(dt.UTC) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
