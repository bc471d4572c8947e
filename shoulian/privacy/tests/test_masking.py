"""P1 masking rules."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from shoulian.privacy.choices import Kind
from shoulian.privacy.masking import (
    mask,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
)


def test_the_examples_of_the_brief_and_domain() -> None:
    assert mask_id_number("110105199001010123") == "110105********0123"
    assert mask_phone("13812348000") == "138****8000"
    assert mask_name("张三丰") == "张**"


@given(st.text("0123456789X", min_size=18, max_size=18))
def test_an_id_number_never_shows_the_birth_date_or_sequence(number: str) -> None:
    masked = mask_id_number(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "********"


@given(st.text("0123456789", min_size=11, max_size=11))
def test_a_mobile_shows_only_prefix_and_last_four(number: str) -> None:
    masked = mask_phone("1" + number[1:])
    assert masked[3:7] == "****" and len(masked) == 11


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0591-87654321", "0591-****4321"),
        ("0591-87654321-123", "0591-****4321"),
        ("E12345678", "E12****78"),
    ],
)
def test_fixed_lines_and_other_documents(value: str, expected: str) -> None:
    assert mask(value, Kind.PHONE if "-" in value else Kind.ID_NUMBER) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", "张*"),
        ("欧阳修", "欧**"),
        ("阿依古丽·买买提", "阿***·***"),
        ("John Smith", "J*** *****"),
        ("王", "*"),
    ],
)
def test_names_keep_the_first_character_only(name: str, expected: str) -> None:
    assert mask_name(name) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("福建省三明市三元区列东街道新市北路123号", "福建省三明市三元区****"),
        ("北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("上海市浦东新区世纪大道1号", "上海市浦东新区****"),
        ("福州市鼓楼区五一北路", "福州市鼓楼区****"),
        ("广东省东莞市虎门镇连升路", "广东省东莞市****"),
        ("内蒙古自治区呼和浩特市新城区中山路", "内蒙古自治区呼和浩特市新城区****"),
        ("福建省沙县凤岗街道", "福建省沙县****"),
        # No county recognised: keep what is recognised, never a street.
        ("三明市新市北路12号", "三明市****"),
        ("三明市万达广场小区3栋", "三明市****"),
        ("列东街道新市北路123号", "****"),
        ("", ""),
    ],
)
def test_addresses_keep_the_district_level_prefix(address: str, expected: str) -> None:
    assert mask_address(address) == expected


@given(st.text(min_size=1, max_size=40))
def test_a_masked_address_is_a_prefix_of_the_address_plus_a_fixed_tail(address: str) -> None:
    masked = mask_address(address)
    kept = masked.removesuffix("****")
    assert address.strip().startswith(kept)
    assert masked == address.strip() or masked.endswith("****")


def test_every_kind_has_a_rule_and_free_text_is_hidden() -> None:
    assert mask("zhang@example.com", Kind.EMAIL) == "z***@example.com"
    assert mask("闽G12345", Kind.PLATE) == "闽G***45"
    assert mask(date(1990, 1, 2), Kind.BIRTH_DATE) == "1990-**-**"
    assert mask("192.168.1.23", Kind.NETWORK_ADDRESS) == "192.168.*.*"
    assert mask("zhangsan", Kind.ACCOUNT) == "z*******"
    assert mask("他说他叫张三，电话13812348000", Kind.FREE_TEXT) == "****"
    assert mask(None, Kind.PHONE) == mask("", Kind.PHONE) == ""


def test_the_template_filter_masks_by_kind_and_hides_by_default() -> None:
    template = Template(
        '{% load privacy %}{{ v|masked:"phone" }}|{{ v|masked }}|{{ n|masked:"name" }}'
    )
    assert template.render(Context({"v": "13812348000", "n": "张三丰"})) == "138****8000|****|张**"
