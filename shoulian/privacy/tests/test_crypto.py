"""P2 encryption at rest and blind index; P3 known-answer tests for SM3 and SM4."""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shoulian.privacy.checks import check_personal_data_keys
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import (
    DecryptionError,
    UnknownKey,
    decrypt,
    encrypt,
    index_for,
    key_ring,
    sm4_gcm_open,
    sm4_gcm_seal,
    token_key_id,
)
from shoulian.privacy.tests.conftest import INDEX_KEY, KEY_1, KEY_2

AES_KEY = base64.b64encode(bytes(range(200, 232))).decode()


# --- P3: known answers --------------------------------------------------------------------------
GBT_32907_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm4_matches_gbt_32907_example_1() -> None:
    encryptor = Cipher(algorithms.SM4(GBT_32907_KEY), modes.ECB()).encryptor()  # noqa: S305 - the standard example is one raw block
    ciphertext = encryptor.update(GBT_32907_KEY) + encryptor.finalize()
    assert ciphertext.hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_matches_gbt_32907_example_2_a_million_rounds() -> None:
    encryptor = Cipher(algorithms.SM4(GBT_32907_KEY), modes.ECB()).encryptor()  # noqa: S305 - the standard example is one raw block
    block = GBT_32907_KEY
    for _ in range(1_000_000):
        block = encryptor.update(block)
    assert block.hex() == "595298c7c6fd271f0402f804c33d3f66"


# RFC 8998 Appendix A.2: SM4-GCM, the mode used to store personal data.
RFC_8998 = {
    "key": "0123456789abcdeffedcba9876543210",
    "iv": "00001234567800000000abcd",
    "aad": "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    "plaintext": "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
    "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
    "ciphertext": "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
    "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d",
    "tag": "83de3541e4c2b58177e065a9bf7b62ec",
}


def test_sm4_gcm_matches_rfc_8998() -> None:
    v = {k: bytes.fromhex(x) for k, x in RFC_8998.items()}
    sealed = sm4_gcm_seal(v["key"], v["iv"], v["plaintext"], v["aad"])
    assert sealed.hex() == RFC_8998["ciphertext"] + RFC_8998["tag"]
    assert sm4_gcm_open(v["key"], v["iv"], sealed, v["aad"]) == v["plaintext"]


def test_sm3_matches_gbt_32905_examples() -> None:
    def sm3(data: bytes) -> str:
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize().hex()

    assert sm3(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_hmac_sm3_is_the_rfc_2104_construction_over_sm3() -> None:
    key, message = bytes(range(32)), b"13812348000"

    def sm3(data: bytes) -> bytes:
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize()

    block = key.ljust(64, b"\0")
    inner = sm3(bytes(b ^ 0x36 for b in block) + message)
    expected = sm3(bytes(b ^ 0x5C for b in block) + inner)
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    assert mac.finalize() == expected


# --- Encryption ---------------------------------------------------------------------------------
def test_a_value_round_trips_and_names_cipher_and_key() -> None:
    token = encrypt("110105199001010123", kind=Kind.ID_NUMBER)
    assert token.startswith("sm4-gcm$t1$")
    assert "110105199001010123" not in token
    assert decrypt(token, kind=Kind.ID_NUMBER) == "110105199001010123"


def test_equal_values_encrypt_differently() -> None:
    assert encrypt("13812348000", kind=Kind.PHONE) != encrypt("13812348000", kind=Kind.PHONE)


@given(st.data())
@hypothesis_settings(max_examples=50)
def test_any_altered_character_fails_authentication(data: st.DataObject) -> None:
    token = encrypt("13812348000", kind=Kind.PHONE)
    body_start = token.rindex("$") + 1
    position = data.draw(st.integers(body_start, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[position]))
    altered = token[:position] + replacement + token[position + 1 :]
    with pytest.raises(DecryptionError):
        decrypt(altered, kind=Kind.PHONE)


def test_a_value_cannot_be_moved_into_a_column_of_another_kind() -> None:
    token = encrypt("13812348000", kind=Kind.PHONE)
    with pytest.raises(DecryptionError, match="authentication failed"):
        decrypt(token, kind=Kind.ID_NUMBER)


def test_a_value_cannot_be_relabelled_with_another_key_id(settings: Any) -> None:
    token = encrypt("13812348000", kind=Kind.PHONE)
    settings.PII_KEYS = f"t1:{KEY_1},t2:{KEY_1}"  # even the same key bytes under another id
    with pytest.raises(DecryptionError):
        decrypt(token.replace("$t1$", "$t2$"), kind=Kind.PHONE)


def test_truncated_or_foreign_values_are_rejected() -> None:
    with pytest.raises(DecryptionError):
        decrypt("sm4-gcm$t1$AAAA", kind=Kind.PHONE)
    with pytest.raises(DecryptionError):
        decrypt("13812348000", kind=Kind.PHONE)


def test_old_rows_stay_readable_after_rotation_and_new_writes_use_the_new_key(
    settings: Any,
) -> None:
    old = encrypt("13812348000", kind=Kind.PHONE)
    settings.PII_KEYS = f"t2:{KEY_2},t1:{KEY_1}"
    assert decrypt(old, kind=Kind.PHONE) == "13812348000"
    new = encrypt("13812348000", kind=Kind.PHONE)
    assert token_key_id(old) == "t1" and token_key_id(new) == "t2"


def test_a_removed_key_is_named_in_the_error(settings: Any) -> None:
    old = encrypt("13812348000", kind=Kind.PHONE)
    settings.PII_KEYS = f"t2:{KEY_2}"
    with pytest.raises(UnknownKey, match="'t1'.*privacy_rotate_keys"):
        decrypt(old, kind=Kind.PHONE)


def test_aes_256_gcm_is_the_fallback_and_reads_older_sm4_rows(settings: Any) -> None:
    old = encrypt("13812348000", kind=Kind.PHONE)
    settings.PII_CIPHER = "aes-256-gcm"
    settings.PII_KEYS = f"a1:{AES_KEY},t1:{KEY_1}"
    new = encrypt("13812348000", kind=Kind.PHONE)
    assert new.startswith("aes-256-gcm$a1$")
    assert decrypt(new, kind=Kind.PHONE) == decrypt(old, kind=Kind.PHONE) == "13812348000"


# --- Blind index -------------------------------------------------------------------------------
def test_the_index_does_not_change_when_the_encryption_key_rotates(settings: Any) -> None:
    before = index_for("13812348000", Kind.PHONE)
    settings.PII_KEYS = f"t2:{KEY_2},t1:{KEY_1}"
    assert index_for("13812348000", Kind.PHONE) == before


def test_the_index_depends_on_its_own_key_and_on_the_kind(settings: Any) -> None:
    before = index_for("13812348000", Kind.PHONE)
    assert index_for("13812348000", Kind.ID_NUMBER) != before
    settings.PII_INDEX_KEY = base64.b64encode(bytes(range(40, 72))).decode()
    assert index_for("13812348000", Kind.PHONE) != before


def test_the_index_is_hmac_sm3_of_kind_and_canonical_value() -> None:
    mac = hmac.HMAC(base64.b64decode(INDEX_KEY), hashes.SM3())
    mac.update(b"phone\x1f13812348000")
    assert index_for("+86 138-1234-8000", Kind.PHONE) == mac.finalize().hex()
    assert index_for("11010519491231002x", Kind.ID_NUMBER) == index_for(
        " 11010519491231002X", Kind.ID_NUMBER
    )


def test_hmac_sha256_can_be_chosen_for_the_index(settings: Any) -> None:
    sm3 = index_for("13812348000", Kind.PHONE)
    settings.PII_INDEX_HASH = "sha256"
    import hmac as std_hmac

    expected = std_hmac.new(
        base64.b64decode(INDEX_KEY), b"phone\x1f13812348000", hashlib.sha256
    ).hexdigest()
    assert index_for("13812348000", Kind.PHONE) == expected != sm3


# --- Key configuration ---------------------------------------------------------------------------
def test_no_keys_outside_debug_and_demo_refuses_at_first_use(settings: Any) -> None:
    settings.PII_KEYS = ""
    settings.DEBUG = False
    settings.DEMO_MODE = False
    with pytest.raises(ImproperlyConfigured, match="SHOULIAN_PII_KEYS"):
        encrypt("13812348000", kind=Kind.PHONE)
    settings.PII_KEYS = f"t1:{KEY_1}"
    settings.PII_INDEX_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="SHOULIAN_PII_INDEX_KEY"):
        index_for("13812348000", Kind.PHONE)


@pytest.mark.parametrize("mode", ["DEBUG", "DEMO_MODE"])
def test_debug_and_demo_mode_derive_stable_development_keys(
    settings: Any, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    settings.PII_KEYS = ""
    settings.PII_INDEX_KEY = ""
    setattr(settings, mode, True)
    with caplog.at_level(logging.WARNING, logger="shoulian.privacy.crypto"):
        token = encrypt("13812348000", kind=Kind.PHONE)
    assert token.startswith("sm4-gcm$dev$")
    assert key_ring().development
    assert "development keys derived from SECRET_KEY" in caplog.text
    key_ring.cache_clear()
    assert decrypt(token, kind=Kind.PHONE) == "13812348000"
    settings.SECRET_KEY = "another-secret"
    with pytest.raises(DecryptionError):
        decrypt(token, kind=Kind.PHONE)


@pytest.mark.parametrize(
    ("keys", "index", "cipher", "message"),
    [
        ("t1", INDEX_KEY, "sm4-gcm", "id:base64key"),
        ("bad id:" + KEY_1, INDEX_KEY, "sm4-gcm", "id:base64key"),
        ("t1:not*base64", INDEX_KEY, "sm4-gcm", "not valid base64"),
        ("t1:" + base64.b64encode(b"short").decode(), INDEX_KEY, "sm4-gcm", "5 bytes"),
        (f"t1:{KEY_1},t1:{KEY_2}", INDEX_KEY, "sm4-gcm", "twice"),
        (f"t1:{KEY_1}", base64.b64encode(bytes(16)).decode(), "sm4-gcm", "at least 32"),
        (f"t1:{AES_KEY}", AES_KEY, "aes-256-gcm", "must differ"),
        (f"t1:{KEY_1}", INDEX_KEY, "aes-256-gcm", "needs 32"),
        (f"t1:{KEY_1}", INDEX_KEY, "des", "PII_CIPHER"),
    ],
)
def test_malformed_key_settings_are_refused_without_printing_keys(
    settings: Any, keys: str, index: str, cipher: str, message: str
) -> None:
    settings.PII_KEYS, settings.PII_INDEX_KEY, settings.PII_CIPHER = keys, index, cipher
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        key_ring()
    assert KEY_1 not in str(caught.value) and AES_KEY not in str(caught.value)


def test_the_key_ring_never_prints_key_material() -> None:
    ring = key_ring()
    assert repr(ring) == "<KeyRing sm4-gcm current=t1 keys=['t1']>"


def test_the_deploy_check_reports_missing_and_development_keys(settings: Any) -> None:
    assert check_personal_data_keys() == []
    settings.PII_KEYS = ""
    settings.DEBUG = False
    settings.DEMO_MODE = False
    assert [m.id for m in check_personal_data_keys()] == ["privacy.E001"]
    settings.DEMO_MODE = True
    settings.PII_INDEX_KEY = ""
    assert [m.id for m in check_personal_data_keys()] == ["privacy.W001"]
