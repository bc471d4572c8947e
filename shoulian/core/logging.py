"""Log filters: every line carries the request id; nothing personal or secret reaches a log (U7)."""

from __future__ import annotations

import logging
import re

from shoulian.core import context

# 18-character resident ID numbers; mainland mobiles, also with +86/0086/86 and typed in groups
# (138 1234 8000); key=value and 'key': 'value' secrets, as in a logged dict or QueryDict.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_SECRET = re.compile(
    r"(?i)(password|passwd|pwd|otp|token|code|sessionid|session_key|csrfmiddlewaretoken|secret)"
    r"""(["']?\s*[=:]\s*\[?\s*)(?:"[^"]*"|'[^']*'|[^\s&,;'"\]}]+)"""
)


def redact(text: str) -> str:
    text = _SECRET.sub(r"\1\2[已隐去]", text)
    text = _ID_NUMBER.sub("[证件号已隐去]", text)
    return _MOBILE.sub("[手机号已隐去]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.current().request_id if context._current.get() else "-"
        return True


_TRACEBACKS = logging.Formatter()


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # Exception messages carry values too (IntegrityError DETAIL, ValidationError); the
        # formatter reuses exc_text when it is set, so the traceback is redacted once, here.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
