"""The message registry: which placeholders each template may use, the seeded wording, and the
renderer and validator that keep personal data out of every SMS (Z8).

A placeholder is a plain ``{name}``: no attribute access, index, conversion or format spec, so a
template cannot reach into an object. The values are strings the caller computed; none of the
placeholders names a person (no name, ID number, mobile, address or narrative exists here).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError

from shoulian.notify.choices import TemplateKey

# Every placeholder the system can fill, with what it means (shown on the template page).
PLACEHOLDER_LABELS: dict[str, str] = {
    "bureau": "公安局名称（短信签名）",
    "number": "警情编号",
    "query_code": "查询码",
    "query_url": "进度查询网址",
    "unit": "办理单位名称",
    "unit_phone": "办理单位联系电话",
    "authority": "接收移送或应向其反映的机关名称",
    "date": "日期",
    "deadline": "期限（截止日期）",
    "code": "验证码",
    "minutes": "有效分钟数",
    "complaint_number": "投诉建议编号",
    "level": "巡查发现的颜色等级（红色、橙色、黄色）",
    "rule": "巡查规则名称",
}

_CASE = frozenset({"bureau", "number", "query_url"})
PLACEHOLDERS: dict[str, frozenset[str]] = {
    TemplateKey.RECEIVED: _CASE | {"query_code", "date"},
    TemplateKey.ACCEPTED: _CASE | {"unit", "unit_phone", "date"},
    TemplateKey.FILED: _CASE | {"unit", "unit_phone", "date"},
    TemplateKey.NOT_FILED: _CASE | {"unit", "unit_phone", "date", "deadline"},
    TemplateKey.TRANSFERRED: _CASE | {"unit", "unit_phone", "date"},
    TemplateKey.TRANSFERRED_OUT: _CASE | {"authority", "date"},
    TemplateKey.NOT_POLICE: _CASE | {"authority", "date"},
    TemplateKey.CLOSED: _CASE | {"unit", "unit_phone", "date"},
    TemplateKey.FOLLOW_UP: _CASE | {"unit", "unit_phone", "date", "deadline"},
    TemplateKey.ONE_TIME_CODE: frozenset({"bureau", "code", "minutes"}),
    TemplateKey.COMPLAINT_RECEIVED: frozenset(
        {"bureau", "complaint_number", "query_code", "query_url", "deadline", "date"}
    ),
    TemplateKey.COMPLAINT_ANSWERED: frozenset({"bureau", "complaint_number", "query_url", "date"}),
    TemplateKey.SOLVED: _CASE | {"unit", "unit_phone", "date"},
    TemplateKey.CONCLUDED: _CASE | {"unit", "unit_phone", "date"},
    # To staff: which rule found what on which alert, and by when; never the citizen's data.
    TemplateKey.FINDING_NOTICE: frozenset({"bureau", "number", "level", "rule", "deadline"}),
}

# What a message is for: a template without these would send an SMS that says nothing useful.
REQUIRED: dict[str, frozenset[str]] = {
    TemplateKey.RECEIVED: frozenset({"query_code"}),
    TemplateKey.NOT_FILED: frozenset({"deadline"}),
    TemplateKey.TRANSFERRED: frozenset({"unit"}),
    TemplateKey.TRANSFERRED_OUT: frozenset({"authority"}),
    TemplateKey.NOT_POLICE: frozenset({"authority"}),
    TemplateKey.ONE_TIME_CODE: frozenset({"code"}),
    TemplateKey.COMPLAINT_RECEIVED: frozenset({"complaint_number"}),
    TemplateKey.FINDING_NOTICE: frozenset({"rule"}),
}

# The seeded wording (data migration 0002); the center head edits it on the template page.
DEFAULT_TEXTS: dict[str, str] = {
    TemplateKey.RECEIVED: (
        "【{bureau}】您报警的警情已登记，编号{number}，查询码{query_code}，"
        "可通过 {query_url} 查询办理进度。"
    ),
    TemplateKey.ACCEPTED: (
        "【{bureau}】您报警的警情（编号{number}）已于{date}受案调查，由{unit}办理，"
        "联系电话{unit_phone}。"
    ),
    TemplateKey.FILED: (
        "【{bureau}】您报警的警情（编号{number}）已于{date}立案侦查，由{unit}办理，"
        "联系电话{unit_phone}。"
    ),
    TemplateKey.NOT_FILED: (
        "【{bureau}】您报警的警情（编号{number}）经审查决定不予立案，详见已送达的不予立案通知书。"
        "如不服，可于{deadline}前向作出决定的公安机关申请复议。"
    ),
    TemplateKey.TRANSFERRED: (
        "【{bureau}】您报警的警情（编号{number}）已移交{unit}办理，联系电话{unit_phone}。"
    ),
    TemplateKey.TRANSFERRED_OUT: (
        "【{bureau}】您报称的事项（警情编号{number}）经审查已移送{authority}处理，"
        "详见移送案件通知书。"
    ),
    TemplateKey.NOT_POLICE: (
        "【{bureau}】您报称的事项（警情编号{number}）经审查不属于公安机关职责范围，"
        "请向{authority}反映，详见不予调查处理告知书。"
    ),
    TemplateKey.CLOSED: (
        "【{bureau}】您报警的警情（编号{number}）已于{date}办结。"
        "如对办理情况有意见或建议，可通过 {query_url} 提出。"
    ),
    TemplateKey.FOLLOW_UP: (
        "【{bureau}】您报警的警情（编号{number}）已办结，我们将对办理情况进行回访，"
        "请留意来电，也可通过 {query_url} 评价。感谢您的支持。"
    ),
    TemplateKey.ONE_TIME_CODE: (
        "【{bureau}】您的查询验证码为{code}，{minutes}分钟内有效。请勿将验证码告诉他人。"
    ),
    TemplateKey.COMPLAINT_RECEIVED: (
        "【{bureau}】您的投诉建议已收到，编号{complaint_number}，查询码{query_code}，"
        "我们将于{deadline}前答复，可通过 {query_url} 查看。"
    ),
    TemplateKey.COMPLAINT_ANSWERED: (
        "【{bureau}】您的投诉建议（编号{complaint_number}）已答复，"
        "请通过 {query_url} 凭查询码和手机号查看。"
    ),
    TemplateKey.SOLVED: (
        "【{bureau}】您报警的案件（警情编号{number}）已于{date}侦破，由{unit}办理，"
        "联系电话{unit_phone}。可通过 {query_url} 查询进展。"
    ),
    TemplateKey.FINDING_NOTICE: (
        "【{bureau}】巡查发现（{level}）：{rule}，警情编号{number}，请于{deadline}前整改。"
        "详情请登录受立案系统查看。"
    ),
    TemplateKey.CONCLUDED: (
        "【{bureau}】您报警的案件（警情编号{number}）已于{date}办结，由{unit}办理，"
        "联系电话{unit_phone}。如有意见或建议，可通过 {query_url} 提出。"
    ),
}

MAX_LENGTH = 300  # a long SMS is split by the carrier; 300 characters is 5 parts at most

# Literal personal data typed into a template: a mobile, an ID number, any long digit run, an
# e-mail address. Unit phones come from ``{unit_phone}``, never from the template's words.
_PERSONAL_PATTERNS = (
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "手机号码"),
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), "身份证号码"),
    (re.compile(r"\d{12,}"), "长数字串（可能是证件号或账号）"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"), "电子邮箱"),
)
# Credentials inside a message: the outbox page shows them starred, and a sent verification code
# is scrubbed from the stored text (staff never read a citizen's code, Z7).
SECRET_PLACEHOLDERS = frozenset({"code", "query_code"})
REDACTED = "******"

# Values of these placeholders may legitimately be a mobile number (a station's duty mobile).
_PHONE_PLACEHOLDERS = frozenset({"unit_phone"})


def placeholders_in(text: str) -> list[str]:
    """The placeholder names of ``text``; raises ValidationError on anything but ``{name}``."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(
            "花括号不成对：占位符须写成 {名称} 的形式，文字中不要单独使用 { 或 }。"
        ) from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec or conversion or not re.fullmatch(r"[a-z_]+", field):
            raise ValidationError(
                f"占位符“{{{field}}}”的写法不正确：只能写成 {{名称}}，不能带格式或属性。"
            )
        names.append(field)
    return names


def validate_text(key: str, text: str) -> None:
    """Refuse an unknown placeholder and any literal personal data (Z8), with a Chinese reason."""
    if key not in PLACEHOLDERS:
        raise ValidationError(f"未知的短信模板：{key}")
    if not text.strip():
        raise ValidationError("短信内容不能为空。")
    if len(text) > MAX_LENGTH:
        raise ValidationError(f"短信内容不能超过 {MAX_LENGTH} 个字（现为 {len(text)} 个字）。")
    allowed = PLACEHOLDERS[key]
    unknown = sorted({n for n in placeholders_in(text) if n not in allowed})
    if unknown:
        names = "、".join(f"{{{n}}}" for n in unknown)
        usable = "、".join(f"{{{n}}}" for n in sorted(allowed))
        raise ValidationError(
            f"占位符 {names} 不能用于本模板（短信不得包含个人信息）。本模板可用：{usable}。"
        )
    missing = sorted(REQUIRED.get(key, frozenset()) - set(placeholders_in(text)))
    if missing:
        names = "、".join(f"{{{n}}}" for n in missing)
        raise ValidationError(f"本模板必须包含占位符 {names}。")
    literal = string.Formatter()
    words = "".join(part for part, *_ in literal.parse(text))
    for pattern, label in _PERSONAL_PATTERNS:
        if pattern.search(words):
            raise ValidationError(f"短信模板中不能写入{label}等个人信息，请改用占位符或删去。")


def default_context() -> dict[str, str]:
    return {
        "bureau": getattr(settings, "SHOULIAN_SMS_SIGN_NAME", "") or "公安局",
        "query_url": public_query_url(),
    }


def public_query_url() -> str:
    base = getattr(settings, "SHOULIAN_PUBLIC_BASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + "/q/"


class UnsafeValue(ValueError):
    """A context value that looks like personal data; the message is not written (Z8)."""


def render(key: str, text: str, context: Mapping[str, str], *, redact: bool = False) -> str:
    """Fill ``text`` with the template's own placeholders only. Values for placeholders the
    template does not allow are never used; a value that looks like a mobile or ID number where
    none belongs is refused, so a caller's mistake cannot put personal data into an SMS."""
    allowed = PLACEHOLDERS[key]
    values = {**default_context(), **{k: str(v) for k, v in context.items() if v is not None}}
    out: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(text):
        out.append(literal)
        if field is None:
            continue
        if field not in allowed:
            # A template saved before the registry narrowed: drop the placeholder, never fill it.
            continue
        value = values.get(field, "")
        if field not in _PHONE_PLACEHOLDERS:
            for pattern, label in _PERSONAL_PATTERNS[:2]:
                if pattern.search(value):
                    raise UnsafeValue(f"placeholder {field!r} looks like a {label}")
        out.append(REDACTED if redact and field in SECRET_PLACEHOLDERS else value)
    return "".join(out)
