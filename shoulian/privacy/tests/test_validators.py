"""I2: property tests for the desk's validators."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from shoulian.privacy.choices import IdType, Kind
from shoulian.privacy.validators import (
    PROVINCE_CODES,
    SHANGHAI,
    NotInFutureValidator,
    canonical,
    gb11643_check_char,
    normalize_id_number,
    normalize_landline,
    normalize_mobile,
    normalize_phone,
    normalize_resident_id,
    validate_not_in_future,
)

DIGITS = "0123456789"
CHECK_CHARS = "0123456789X"
TODAY = datetime.now(SHANGHAI).date()


@st.composite
def resident_ids(draw: st.DrawFn, regions: frozenset[int] = PROVINCE_CODES) -> str:
    region = draw(st.sampled_from(sorted(regions)))
    area = draw(st.text(DIGITS, min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    body = f"{region:02d}{area}{born:%Y%m%d}{sequence}"
    return body + gb11643_check_char(body)


@st.composite
def resident_ids_ending_in_x(draw: st.DrawFn) -> str:
    """Built, not filtered: only 1 in 11 numbers ends in X, too few for hypothesis' health check.
    The last two sequence digits (weights 4 and 2) reach every residue mod 11."""
    number = draw(resident_ids())
    for tens in range(10):
        for units in range(10):
            body = f"{number[:15]}{tens}{units}"
            if gb11643_check_char(body) == "X":
                return body + "X"
    raise AssertionError("unreachable: weights 4 and 2 cover every residue mod 11")


def _error_code(func: object, *args: object) -> str:
    with pytest.raises(ValidationError) as caught:
        func(*args)  # type: ignore[operator]
    return caught.value.code or ""


# --- 居民身份证 ---------------------------------------------------------------------------------
def test_the_standard_example_number_passes() -> None:
    # GB 11643-1999 Annex: 11010519491231002X.
    assert normalize_resident_id("11010519491231002X") == "11010519491231002X"


def test_check_digit_follows_iso_7064_mod_11_2() -> None:
    assert gb11643_check_char("11010519491231002") == "X"
    assert gb11643_check_char("44052418800101001") == "4"


@given(resident_ids())
def test_every_generated_valid_id_passes(number: str) -> None:
    assert normalize_resident_id(number) == number


@given(resident_ids())
def test_normalising_an_id_is_idempotent(number: str) -> None:
    once = normalize_resident_id(f"  {number.lower()} ")
    assert normalize_resident_id(once) == once == number


@given(resident_ids_ending_in_x())
def test_lowercase_x_is_accepted_and_normalised(number: str) -> None:
    assert normalize_resident_id(number[:-1] + "x") == number


@given(resident_ids(), st.integers(0, 16), st.sampled_from(DIGITS))
def test_changing_any_single_digit_makes_the_id_fail(
    number: str, position: int, digit: str
) -> None:
    assume(number[position] != digit)
    altered = number[:position] + digit + number[position + 1 :]
    with pytest.raises(ValidationError):
        normalize_resident_id(altered)


@given(resident_ids(), st.sampled_from(CHECK_CHARS))
def test_changing_the_check_character_makes_the_id_fail(number: str, check: str) -> None:
    assume(number[-1] != check)
    assert _error_code(normalize_resident_id, number[:-1] + check) == "checksum"


@given(resident_ids(), st.sampled_from(sorted(set(range(100)) - PROVINCE_CODES)))
def test_an_unknown_province_code_fails(number: str, region: int) -> None:
    body = f"{region:02d}{number[2:17]}"
    assert _error_code(normalize_resident_id, body + gb11643_check_char(body)) == "region"


def test_hong_kong_macao_taiwan_codes_point_to_the_residence_permit() -> None:
    body = "81000019900101001"
    number = body + gb11643_check_char(body)
    with pytest.raises(ValidationError, match="港澳台居民居住证"):
        normalize_resident_id(number)
    assert normalize_id_number(IdType.HMT_RESIDENCE_PERMIT, number) == number


def _with_birth(born: str) -> str:
    body = f"350402{born}001"
    return body + gb11643_check_char(body)


@pytest.mark.parametrize("born", ["19900230", "19901301", "20230229", "18991231"])
def test_impossible_or_too_old_birth_dates_fail(born: str) -> None:
    assert _error_code(normalize_resident_id, _with_birth(born)) == "birth_date"


def test_a_birth_date_after_today_fails() -> None:
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        normalize_resident_id(_with_birth(f"{tomorrow:%Y%m%d}"))
    assert normalize_resident_id(_with_birth(f"{TODAY:%Y%m%d}"))


def test_legacy_15_digit_ids_are_refused_with_an_explanation() -> None:
    with pytest.raises(ValidationError, match="2013年1月1日停止使用") as caught:
        normalize_resident_id("110105491231002")
    assert caught.value.code == "legacy"


@pytest.mark.parametrize(
    "value", ["", "1101051949123100", "11010519491231002Y", "110105-19491231002X"]
)
def test_malformed_ids_fail(value: str) -> None:
    with pytest.raises(ValidationError):
        normalize_resident_id(value)


def test_full_width_digits_from_chinese_input_methods_are_read() -> None:
    assert normalize_resident_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


# --- other documents ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("id_type", "value", "expected"),
    [
        (IdType.PASSPORT, "e1234 5678", "E12345678"),
        (IdType.PASSPORT, "EA1234567", "EA1234567"),
        (IdType.HK_MACAO_PERMIT, "h12345678", "H12345678"),
        (IdType.HK_MACAO_PERMIT, "M1234567890", "M1234567890"),
        (IdType.TAIWAN_PERMIT, "12345678", "12345678"),
        (IdType.TAIWAN_PERMIT, "1234567890(B)", "1234567890B"),
        (IdType.FOREIGN_PERMANENT_RESIDENT, "usa350019850101", "USA350019850101"),
        (IdType.OTHER, " 军官证 第123号 ", "军官证 第123号"),
    ],
)
def test_other_documents_accept_their_formats(id_type: str, value: str, expected: str) -> None:
    assert normalize_id_number(id_type, value) == expected


@pytest.mark.parametrize(
    ("id_type", "value"),
    [
        (IdType.PASSPORT, "E12"),
        (IdType.PASSPORT, "E1234-5678"),
        (IdType.HK_MACAO_PERMIT, "A12345678"),
        (IdType.HK_MACAO_PERMIT, "H1234567"),
        (IdType.TAIWAN_PERMIT, "1234567"),
        (IdType.FOREIGN_PERMANENT_RESIDENT, "US350019850101"),
        (IdType.OTHER, ""),
        (IdType.OTHER, "x" * 41),
        (IdType.OTHER, "abc\x00def"),
        ("driving_licence", "123"),
    ],
)
def test_other_documents_reject_wrong_formats(id_type: str, value: str) -> None:
    with pytest.raises(ValidationError):
        normalize_id_number(id_type, value)


@given(resident_ids())
def test_new_permanent_residence_cards_carry_the_mod_11_2_check(number: str) -> None:
    body = "9" + number[1:17]
    card = body + gb11643_check_char(body)
    assert normalize_id_number(IdType.FOREIGN_PERMANENT_RESIDENT, card) == card
    wrong = body + next(c for c in CHECK_CHARS if c != card[-1])
    with pytest.raises(ValidationError):
        normalize_id_number(IdType.FOREIGN_PERMANENT_RESIDENT, wrong)


def test_error_messages_are_chinese() -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_resident_id("123")
    assert "居民身份证" in caught.value.messages[0]


# --- phones ------------------------------------------------------------------------------------
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(DIGITS, min_size=9, max_size=9),
)


@st.composite
def decorated(draw: st.DrawFn, number: str) -> str:
    """``number`` as a person might type it: country prefix, spaces, dashes, full-width."""
    prefix = draw(st.sampled_from(["", "+86", "0086", "+86 ", "+86-", "0086 "]))
    chars = []
    for char in number:
        chars.append(char)
        chars.append(draw(st.sampled_from(["", "", "", " ", "-"])))
    text = prefix + "".join(chars)
    if draw(st.booleans()):
        text = text.translate(str.maketrans(DIGITS, "０１２３４５６７８９"))
    return text


@given(mobiles.flatmap(lambda m: st.tuples(st.just(m), decorated(m))))
def test_valid_mobiles_normalise_to_eleven_digits(pair: tuple[str, str]) -> None:
    number, typed = pair
    assert normalize_mobile(typed) == number


@given(mobiles.flatmap(decorated))
def test_mobile_normalisation_is_idempotent(typed: str) -> None:
    once = normalize_mobile(typed)
    assert normalize_mobile(once) == once
    assert normalize_phone(typed) == once


@given(st.text(DIGITS, min_size=1, max_size=14))
def test_only_1_3_to_1_9_with_eleven_digits_is_a_mobile(digits: str) -> None:
    is_mobile = len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    try:
        normalize_mobile(digits)
    except ValidationError:
        assert not is_mobile
    else:
        assert is_mobile


@pytest.mark.parametrize("value", ["1381234800a", "138123480000", "+8712345678901", "１２３", ""])
def test_invalid_mobiles_fail(value: str) -> None:
    with pytest.raises(ValidationError, match="手机号码"):
        normalize_mobile(value)


landlines = st.builds(
    lambda area, first, rest: (area, f"{first}{rest}"),
    st.sampled_from(["010", "021", "029", "0591", "0598", "0755"]),
    st.sampled_from("23456789"),
    st.text(DIGITS, min_size=6, max_size=7),
)


@given(landlines, st.sampled_from(["{a}-{n}", "({a}){n}", "{a} {n}", "{a}{n}", "+86 {a1} {n}"]))
def test_fixed_lines_normalise_to_area_dash_number(parts: tuple[str, str], template: str) -> None:
    area, number = parts
    typed = template.format(a=area, n=number, a1=area[1:])
    canonical_form = f"{area}-{number}"
    assert normalize_landline(typed) == canonical_form
    assert normalize_landline(canonical_form) == canonical_form
    assert normalize_phone(typed) == canonical_form


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0591-87654321转123", "0591-87654321-123"),
        ("0591-87654321 ext 9", "0591-87654321-9"),
        ("0591-87654321-123", "0591-87654321-123"),
        ("（0598）8234567", "0598-8234567"),
    ],
)
def test_fixed_line_extensions_are_kept(typed: str, expected: str) -> None:
    assert normalize_landline(typed) == expected


@pytest.mark.parametrize("value", ["87654321", "0591-0765432", "0591-876543", "110", "13812348000"])
def test_numbers_without_a_usable_area_code_are_not_fixed_lines(value: str) -> None:
    with pytest.raises(ValidationError, match="区号"):
        normalize_landline(value)


def test_a_phone_is_either_a_mobile_or_a_fixed_line() -> None:
    assert normalize_phone("138 1234 8000") == "13812348000"
    assert normalize_phone("0598 8234567") == "0598-8234567"
    with pytest.raises(ValidationError, match="手机号码，或带区号的固定电话"):
        normalize_phone("12345")


# --- times entered at the desk -----------------------------------------------------------------
ZONES = st.sampled_from([SHANGHAI, UTC, ZoneInfo("America/New_York")])


@given(st.timedeltas(min_value=timedelta(days=-3650), max_value=timedelta(0)), ZONES)
def test_past_and_present_times_pass_in_any_time_zone(offset: timedelta, zone: ZoneInfo) -> None:
    validate_not_in_future((timezone.now() + offset).astimezone(zone))


@given(st.timedeltas(min_value=timedelta(minutes=6), max_value=timedelta(days=3650)), ZONES)
def test_times_beyond_the_allowed_clock_skew_fail(offset: timedelta, zone: ZoneInfo) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_not_in_future((timezone.now() + offset).astimezone(zone))
    assert caught.value.code == "future"


def test_a_clock_skew_of_a_few_minutes_is_tolerated() -> None:
    validate_not_in_future(timezone.now() + timedelta(minutes=4))
    NotInFutureValidator(skew=timedelta(0))(timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError):
        NotInFutureValidator(skew=timedelta(0))(timezone.now() + timedelta(minutes=1))


def test_the_message_shows_shanghai_time() -> None:
    value = datetime(2999, 1, 1, 0, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        validate_not_in_future(value)
    assert "2999-01-01 08:00" in caught.value.messages[0]


def test_naive_datetimes_and_dates_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_not_in_future(datetime(2020, 1, 1, 12, 0))
    assert caught.value.code == "naive"
    with pytest.raises(ValidationError):
        validate_not_in_future(date(2020, 1, 1))


def test_the_validator_can_be_serialised_into_migrations() -> None:
    validator = NotInFutureValidator(skew=timedelta(minutes=2))
    path, args, kwargs = validator.deconstruct()  # type: ignore[attr-defined]
    assert path == "shoulian.privacy.validators.NotInFutureValidator"
    assert NotInFutureValidator(**kwargs) == NotInFutureValidator(skew=timedelta(minutes=2))
    assert NotInFutureValidator() != NotInFutureValidator(skew=timedelta(minutes=2))


# --- canonical forms for the index -------------------------------------------------------------
@given(mobiles.flatmap(lambda m: st.tuples(st.just(m), decorated(m))))
def test_every_typing_of_a_mobile_has_one_canonical_form(pair: tuple[str, str]) -> None:
    number, typed = pair
    assert canonical(typed, Kind.PHONE) == number


@given(st.text(max_size=30), st.sampled_from(list(Kind)))
def test_canonical_forms_are_idempotent_and_never_raise(value: str, kind: Kind) -> None:
    once = canonical(value, kind)
    assert canonical(once, kind) == once
