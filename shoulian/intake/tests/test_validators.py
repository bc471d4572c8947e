"""I2: property tests of what the desk form accepts — 居民身份证 check digit (GB 11643), mobile
numbers, times not in the future — through the form fields the clerk actually types into."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from shoulian.intake.forms import ItemForm, LocalDateTimeField, PartyForm
from shoulian.privacy.validators import PROVINCE_CODES, gb11643_check_char

CHECK_CHARS = "0123456789X"


def party(**values: str) -> PartyForm:
    data = {"role": "reporter", "name": "测试", "gender": "unknown", "id_type": "resident_id"}
    data.update(values)
    return PartyForm(data=data)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
id_bodies = st.builds(
    lambda region, rest, born, seq: f"{region:02d}{rest:04d}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 9999),
    birth_dates,
    st.integers(0, 999),
)


@settings(max_examples=150, deadline=None)
@given(body=id_bodies)
def test_an_id_number_with_its_check_character_is_accepted(body: str) -> None:
    number = body + gb11643_check_char(body)
    form = party(id_number=number.lower())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == number  # normalised: upper-case X


@settings(max_examples=150, deadline=None)
@given(body=id_bodies, data=st.data())
def test_any_other_check_character_is_refused_with_a_chinese_message(
    body: str, data: st.DataObject
) -> None:
    right = gb11643_check_char(body)
    wrong = data.draw(st.sampled_from([c for c in CHECK_CHARS if c != right]))
    form = party(id_number=body + wrong)
    assert not form.is_valid()
    assert "校验位不正确" in form.errors["id_number"][0]


@settings(max_examples=100, deadline=None)
@given(body=id_bodies, position=st.integers(0, 16), delta=st.integers(1, 9))
def test_a_single_mistyped_digit_is_caught(body: str, position: int, delta: int) -> None:
    number = body + gb11643_check_char(body)
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    assert not party(id_number=typo).is_valid()


@settings(max_examples=150, deadline=None)
@given(prefix=st.integers(3, 9), rest=st.integers(0, 10**9 - 1))
def test_mainland_mobiles_are_accepted_with_separators_and_country_code(
    prefix: int, rest: int
) -> None:
    mobile = f"1{prefix}{rest:09d}"
    for typed in (mobile, f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"0086-{mobile}"):
        form = party(phone=typed)
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["phone"] == mobile


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="0123456789", min_size=1, max_size=7))
def test_short_digit_strings_are_not_phone_numbers(text: str) -> None:
    # A fixed line needs an area code and at least 7 digits; nothing of 7 digits or fewer is a
    # number the center can call back.
    form = party(phone=text)
    assert not form.is_valid()
    assert "手机号码" in form.errors["phone"][0]


@settings(max_examples=100, deadline=None)
@given(minutes=st.integers(6, 60 * 24 * 365))
def test_times_in_the_future_are_refused(minutes: int) -> None:
    moment = timezone.localtime() + timedelta(minutes=minutes)
    field = LocalDateTimeField()
    with pytest.raises(Exception) as caught:
        field.clean(moment.strftime("%Y-%m-%dT%H:%M"))
    assert "晚于当前时间" in str(caught.value)


@settings(max_examples=100, deadline=None)
@given(minutes=st.integers(1, 60 * 24 * 365 * 30))
def test_times_in_the_past_are_accepted(minutes: int) -> None:
    moment = timezone.localtime() - timedelta(minutes=minutes)
    value = LocalDateTimeField().clean(moment.strftime("%Y-%m-%dT%H:%M"))
    assert isinstance(value, datetime) and timezone.is_aware(value)


def test_id_number_needs_a_document_type_and_party_data_needs_a_name() -> None:
    form = party(id_type="", id_number="11010519491231002X")
    assert not form.is_valid() and "证件类型" in form.errors["id_number"][0]
    form = party(name="", phone="13800138000")
    assert not form.is_valid() and "请填写姓名" in form.errors["name"][0]


def test_a_blank_party_row_is_simply_skipped() -> None:
    form = party(name="", id_number="", phone="")
    assert form.is_valid() and form.is_blank()


def test_evidence_items_need_a_name_when_described() -> None:
    form = ItemForm(data={"name": "", "quantity": "1", "features": "黑色", "pages": ""})
    assert not form.is_valid() and "名称" in form.errors["name"][0]
    assert ItemForm(data={"name": "", "quantity": "1", "features": "", "pages": ""}).is_valid()
