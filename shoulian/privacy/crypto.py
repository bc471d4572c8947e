"""Encryption at rest (P2) and the blind index for equality search.

Stored form of an encrypted value, one text column::

    sm4-gcm$<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>

The cipher and the key id travel with every value, so a row written under an old key (or an old
cipher) stays readable after rotation for as long as that key remains in the ring. The header and
the field's kind are authenticated as associated data: a value cannot be moved to another key id
or into a column of another kind without failing to decrypt.

Queries by value go through ``index_for(value, kind)`` against the companion index column.

Settings (filled from the environment in config/settings.py):
    PII_KEYS        "id:base64key,id:base64key" — the first key encrypts, all of them decrypt
    PII_INDEX_KEY   base64, at least 32 bytes — keys the blind index, independent of PII_KEYS
    PII_CIPHER      "sm4-gcm" (default) or "aes-256-gcm" for OpenSSL builds without SM4
    PII_INDEX_HASH  "sm3" (default, HMAC-SM3) or "sha256" (HMAC-SHA256)

In debug and demo mode, missing keys are derived from SECRET_KEY (key id "dev") and a warning is
logged; anywhere else a missing or malformed key raises ImproperlyConfigured at first use.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac as std_hmac
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from shoulian.privacy.validators import canonical

logger = logging.getLogger(__name__)

NONCE_SIZE = 12  # 96-bit nonces: GCM's native size, no GHASH-derived counter
TAG_SIZE = 16
INDEX_KEY_MIN_SIZE = 32
DEV_KEY_ID = "dev"
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$")
_TOKEN = re.compile(r"^(sm4-gcm|aes-256-gcm)\$([A-Za-z0-9][A-Za-z0-9_-]{0,15})\$([A-Za-z0-9_-]+)$")
_SETTINGS = frozenset(
    {
        "PII_KEYS",
        "PII_INDEX_KEY",
        "PII_CIPHER",
        "PII_INDEX_HASH",
        "SECRET_KEY",
        "DEBUG",
        "DEMO_MODE",
    }
)


class DecryptionError(ValueError):
    """A stored value failed authentication: altered, truncated, or moved between columns."""


class UnknownKey(ImproperlyConfigured):
    """A stored value names a key that is no longer in PII_KEYS (removed before rotation ended)."""


# --- Cipher suites ----------------------------------------------------------------------------
def sm4_gcm_seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def sm4_gcm_open(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < TAG_SIZE:
        raise InvalidTag
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_SIZE:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-TAG_SIZE]) + decryptor.finalize()


def aes_gcm_seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def aes_gcm_open(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(nonce, sealed, aad)


@dataclass(frozen=True)
class CipherSuite:
    name: str
    key_size: int
    seal: Callable[[bytes, bytes, bytes, bytes], bytes]
    open: Callable[[bytes, bytes, bytes, bytes], bytes]


CIPHERS: dict[str, CipherSuite] = {
    "sm4-gcm": CipherSuite("sm4-gcm", 16, sm4_gcm_seal, sm4_gcm_open),
    "aes-256-gcm": CipherSuite("aes-256-gcm", 32, aes_gcm_seal, aes_gcm_open),
}
INDEX_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sm3": hashes.SM3,
    "sha256": hashes.SHA256,
}


# --- The key ring -----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class KeyRing:
    cipher: CipherSuite
    current_id: str
    keys: Mapping[str, bytes]
    index_key: bytes
    index_hash: str
    development: bool

    def __repr__(self) -> str:  # never print key material, even in a debug page
        return f"<KeyRing {self.cipher.name} current={self.current_id} keys={list(self.keys)}>"


def _decode_key(text: str, what: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64") from None


def parse_keys(spec: str) -> dict[str, bytes]:
    """``"id:base64,id:base64"`` → ordered {id: key}; the first entry is the current key."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep or not KEY_ID_PATTERN.match(key_id):
            raise ImproperlyConfigured(
                "PII_KEYS entries must read 'id:base64key' with an id of 1-16 letters, digits, _ or -"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"PII_KEYS names key id {key_id!r} twice")
        key = _decode_key(encoded, f"PII_KEYS key {key_id!r}")
        if len(key) not in {suite.key_size for suite in CIPHERS.values()}:
            raise ImproperlyConfigured(
                f"PII_KEYS key {key_id!r} has {len(key)} bytes; SM4 needs 16, AES-256 needs 32"
            )
        keys[key_id] = key
    return keys


def _derive_dev_key(purpose: str, size: int) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=size,
        salt=b"shoulian-pii-development",
        info=purpose.encode(),
    ).derive(settings.SECRET_KEY.encode())


def _probe_cipher(suite: CipherSuite) -> None:
    try:
        suite.seal(bytes(suite.key_size), bytes(NONCE_SIZE), b"", b"")
    except UnsupportedAlgorithm:
        raise ImproperlyConfigured(
            f"This OpenSSL build does not offer {suite.name}; set PII_CIPHER=aes-256-gcm"
        ) from None


def _probe_hash(name: str) -> None:
    try:
        hashes.Hash(INDEX_HASHES[name]())
    except UnsupportedAlgorithm:
        # Falling back silently would change every index value and break duplicate search on
        # existing rows; the operator chooses, and reindexes if the installation has data.
        raise ImproperlyConfigured(
            f"This OpenSSL build does not offer {name}; set PII_INDEX_HASH=sha256 and run "
            "privacy_rotate_keys --reindex"
        ) from None


@functools.cache
def key_ring() -> KeyRing:
    cipher_name = getattr(settings, "PII_CIPHER", "") or "sm4-gcm"
    hash_name = getattr(settings, "PII_INDEX_HASH", "") or "sm3"
    if cipher_name not in CIPHERS:
        raise ImproperlyConfigured(f"PII_CIPHER must be one of {sorted(CIPHERS)}")
    if hash_name not in INDEX_HASHES:
        raise ImproperlyConfigured(f"PII_INDEX_HASH must be one of {sorted(INDEX_HASHES)}")
    suite = CIPHERS[cipher_name]
    _probe_cipher(suite)
    _probe_hash(hash_name)

    keys_spec = getattr(settings, "PII_KEYS", "") or ""
    index_spec = getattr(settings, "PII_INDEX_KEY", "") or ""
    development = bool(settings.DEBUG or getattr(settings, "DEMO_MODE", False))
    derived = False
    if keys_spec.strip():
        keys = parse_keys(keys_spec)
    elif development:
        keys = {DEV_KEY_ID: _derive_dev_key(f"encryption/{suite.name}", suite.key_size)}
        derived = True
    else:
        raise ImproperlyConfigured(
            "PII_KEYS (env SHOULIAN_PII_KEYS) must be set outside debug and demo mode; "
            "generate one with: manage.py privacy_new_key"
        )
    if index_spec.strip():
        index_key = _decode_key(index_spec, "PII_INDEX_KEY")
    elif development:
        index_key = _derive_dev_key("blind-index", INDEX_KEY_MIN_SIZE)
        derived = True
    else:
        raise ImproperlyConfigured(
            "PII_INDEX_KEY (env SHOULIAN_PII_INDEX_KEY) must be set outside debug and demo mode; "
            "generate one with: manage.py privacy_new_key --index"
        )
    if not keys:
        raise ImproperlyConfigured("PII_KEYS holds no key")
    current_id = next(iter(keys))
    if len(keys[current_id]) != suite.key_size:
        raise ImproperlyConfigured(
            f"The current key {current_id!r} has {len(keys[current_id])} bytes; "
            f"{suite.name} needs {suite.key_size}"
        )
    if len(index_key) < INDEX_KEY_MIN_SIZE:
        raise ImproperlyConfigured(f"PII_INDEX_KEY must hold at least {INDEX_KEY_MIN_SIZE} bytes")
    if any(std_hmac.compare_digest(index_key, key) for key in keys.values()):
        raise ImproperlyConfigured("PII_INDEX_KEY must differ from every key in PII_KEYS")
    if derived:
        logger.warning(
            "Personal data is protected with development keys derived from SECRET_KEY "
            "(debug/demo mode). Never use them for real data."
        )
    return KeyRing(suite, current_id, keys, index_key, hash_name, derived)


@receiver(setting_changed)
def _forget_key_ring(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        key_ring.cache_clear()


# --- Values -----------------------------------------------------------------------------------
def _aad(cipher: str, key_id: str, kind: str) -> bytes:
    return f"shoulian-pii|{cipher}|{key_id}|{kind}".encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_token(value: str) -> bool:
    return bool(_TOKEN.match(value))


def token_key_id(token: str) -> str:
    match = _TOKEN.match(token)
    if not match:
        raise DecryptionError("not an encrypted personal-data value")
    return match[2]


def encrypt(clear: str, *, kind: str) -> str:
    ring = key_ring()
    suite, key_id = ring.cipher, ring.current_id
    # Random nonces: 2^32 values per key keep the collision chance below 2^-32 (NIST SP 800-38D);
    # a province writes ~2^27 values a year, and keys rotate yearly.
    nonce = os.urandom(NONCE_SIZE)
    sealed = suite.seal(
        ring.keys[key_id], nonce, clear.encode("utf-8"), _aad(suite.name, key_id, kind)
    )
    return f"{suite.name}${key_id}${_b64(nonce + sealed)}"


def decrypt(token: str, *, kind: str) -> str:
    match = _TOKEN.match(token)
    if not match:
        raise DecryptionError("not an encrypted personal-data value")
    cipher_name, key_id, body = match.groups()
    ring = key_ring()
    key = ring.keys.get(key_id)
    if key is None:
        raise UnknownKey(
            f"Personal data encrypted under key {key_id!r}, which is not in PII_KEYS; restore the "
            "key and finish privacy_rotate_keys before removing it"
        )
    suite = CIPHERS[cipher_name]
    raw = _unb64(body)
    if len(key) != suite.key_size or len(raw) < NONCE_SIZE + TAG_SIZE:
        raise DecryptionError(f"value under key {key_id!r} cannot be {suite.name}")
    try:
        clear = suite.open(key, raw[:NONCE_SIZE], raw[NONCE_SIZE:], _aad(cipher_name, key_id, kind))
    except InvalidTag:
        raise DecryptionError(
            f"authentication failed for a {kind} value under key {key_id!r}"
        ) from None
    return clear.decode("utf-8")


def index_for(value: str, kind: str) -> str:
    """Keyed hash of the canonical value, for equality search only. The kind is part of the
    message, so equal digits stored as a phone and as an ID number never share an index."""
    ring = key_ring()
    mac = hmac.HMAC(ring.index_key, INDEX_HASHES[ring.index_hash]())
    mac.update(f"{kind}\x1f{canonical(value, kind)}".encode())
    return mac.finalize().hex()
