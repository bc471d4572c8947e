"""Log filters: every line carries the request id; nothing personal or secret reaches a log (U7)."""

from __future__ import annotations

import logging
import re

from shoulian.core import context

# 18-character resident ID numbers, 11-digit mainland mobiles, and key=value secrets.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_SECRET = re.compile(
    r"(?i)(password|passwd|pwd|otp|token|code|sessionid|session_key|csrfmiddlewaretoken|secret)"
    r"(\s*[=:]\s*)([^\s&,;]+)"
)


def redact(text: str) -> str:
    text = _SECRET.sub(r"\1\2[已隐去]", text)
    text = _ID_NUMBER.sub("[证件号已隐去]", text)
    return _MOBILE.sub("[手机号已隐去]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.current().request_id if context._current.get() else "-"
        return True


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
