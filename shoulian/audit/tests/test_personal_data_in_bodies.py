"""Nothing personal reaches the append-only journal in clear, however it was typed (U1, U7)."""

from __future__ import annotations

import pytest

from shoulian.audit.canonical import clean

MOBILE = "13812348000"
ID_NUMBER = "11010519491231002X"


@pytest.mark.parametrize(
    "typed", [MOBILE, "+8613812348000", "8613812348000", "138 1234 8000", "138-1234-8000"]
)
def test_a_mobile_in_free_text_is_masked_however_it_was_typed(typed: str) -> None:
    stored = str(clean({"note": f"报警人电话 {typed}，请回电"}))
    assert "1234" not in stored and "8000" in stored


@pytest.mark.parametrize("key", ["phone", "reporter_phone", "mobile", "id_number", "id_no"])
def test_personal_keys_are_masked_and_hashed(key: str) -> None:
    value = ID_NUMBER if key.startswith("id") else MOBILE
    stored = clean({key: value})[key]
    assert isinstance(stored, dict) and set(stored) == {"masked", "hmac"}
    assert value not in str(stored)


def test_a_landline_under_a_phone_key_keeps_its_area_code_only() -> None:
    stored = clean({"unit_phone": "0598-5822110"})["unit_phone"]
    assert stored["masked"].startswith("0598-") and "5822110" not in stored["masked"]


def test_an_id_number_in_free_text_is_masked() -> None:
    assert ID_NUMBER not in str(clean({"note": f"证件 {ID_NUMBER}"}))
