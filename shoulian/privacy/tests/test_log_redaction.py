"""U7: no passwords, ID numbers, phones, codes or session keys in application logs.

The handler is built exactly as settings.LOGGING builds the console handler (same filters, same
format), but writes to a buffer, so the global logging configuration is left alone.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from shoulian.privacy.choices import Kind
from shoulian.privacy.fields import Protected

ID_NUMBER = "11010519491231002X"
MOBILE = "13812348000"
SESSION_KEY = "k3x9q2m8v7b6n5c4z1a0s9d8f7g6h5j4"


class Capture:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.logger = logging.getLogger("shoulian.privacy.tests.u7")

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def captured() -> Iterator[Capture]:
    capture = Capture()
    config: dict[str, Any] = settings.LOGGING
    console = config["handlers"]["console"]
    handler = logging.StreamHandler(capture.stream)
    for name in console["filters"]:
        spec = dict(config["filters"][name])
        handler.addFilter(import_string(spec.pop("()"))(**spec))
    handler.setFormatter(logging.Formatter(config["formatters"][console["formatter"]]["format"]))
    logger = capture.logger
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield capture
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def test_the_console_handler_is_configured_with_the_redacting_filter() -> None:
    config: dict[str, Any] = settings.LOGGING
    assert "redact" in config["handlers"]["console"]["filters"]
    assert config["root"]["handlers"] == ["console"]


def test_an_id_number_does_not_reach_the_log(captured: Capture) -> None:
    captured.logger.info("party registered with id %s", ID_NUMBER)
    captured.logger.warning("lower-case check letter %s", ID_NUMBER.lower())
    assert ID_NUMBER not in captured.text.upper()
    assert captured.text.count("[证件号已隐去]") == 2


def test_a_mobile_does_not_reach_the_log(captured: Capture) -> None:
    captured.logger.info("sms to %s queued", MOBILE)
    captured.logger.info("电话%s。", MOBILE)
    assert MOBILE not in captured.text
    assert captured.text.count("[手机号已隐去]") == 2


@pytest.mark.parametrize(
    "line",
    [
        "login failed password=Correct-Horse-42! for zhang",
        "login failed password: Correct-Horse-42!",
        "POST body username=zhang&password=Correct-Horse-42!&next=/",
    ],
)
def test_a_password_does_not_reach_the_log(captured: Capture, line: str) -> None:
    captured.logger.info(line)
    assert "Correct-Horse-42!" not in captured.text
    assert "[已隐去]" in captured.text


def test_one_time_codes_and_query_codes_do_not_reach_the_log(captured: Capture) -> None:
    captured.logger.info("otp=482913 rejected")
    captured.logger.info("citizen query code=Q7K2M9 sms_code=551203")
    assert "482913" not in captured.text
    assert "Q7K2M9" not in captured.text and "551203" not in captured.text


def test_a_session_key_does_not_reach_the_log(captured: Capture) -> None:
    captured.logger.info("ending session_key=%s", SESSION_KEY)
    captured.logger.info("Cookie: sessionid=%s; csrftoken=abc123", SESSION_KEY)
    assert SESSION_KEY not in captured.text
    assert "abc123" not in captured.text


def test_protected_values_print_masked_before_any_filter_runs(captured: Capture) -> None:
    captured.logger.info(
        "party phone %s id %s", Protected(MOBILE, Kind.PHONE), Protected(ID_NUMBER, Kind.ID_NUMBER)
    )
    assert "138****8000" in captured.text and "110105********002X" in captured.text
    assert MOBILE not in captured.text and ID_NUMBER not in captured.text


@pytest.mark.parametrize(
    "typed", ["+8613812348000", "8613812348000", "138 1234 8000", "138-1234-8000"]
)
def test_a_mobile_with_country_prefix_or_separators_does_not_reach_the_log(
    captured: Capture, typed: str
) -> None:
    captured.logger.info("caller %s", typed)
    assert "1234" not in captured.text


def test_a_password_in_a_logged_dict_does_not_reach_the_log(captured: Capture) -> None:
    captured.logger.info("form data %s", {"username": "zhang", "password": "Correct-Horse-42!"})
    assert "Correct-Horse-42!" not in captured.text


def test_an_id_number_in_a_traceback_does_not_reach_the_log(captured: Capture) -> None:
    try:
        raise ValueError(f"证件号码 {ID_NUMBER} 重复")
    except ValueError:
        captured.logger.exception("registration failed")
    assert ID_NUMBER not in captured.text
