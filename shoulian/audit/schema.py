"""The event schema: what a body written by ``journal.record`` always looks like.

A row inserted beside the application (raw SQL by someone holding the database role) may carry
any JSON the generated columns accept. The sealer refuses to seal a body that fails this check and
the verifier reports it (docs/audit.md, "Rows written beside the journal API")."""

from __future__ import annotations

import json
from typing import Any

from shoulian.audit import canonical
from shoulian.audit.catalogue import EventType, Outcome

_EVENT_TYPES = frozenset(int(v) for v in EventType.values)
_OUTCOMES = frozenset(Outcome.values)

# Member → allowed Python types after json.loads.
_MEMBERS: dict[str, tuple[type, ...]] = {
    "actor_id": (int, type(None)),
    "actor_roles": (str,),
    "actor_unit_id": (int, type(None)),
    "actor_unit_path": (str,),
    "actor_username": (str,),
    "channel": (str,),
    "data": (dict,),
    "event_type": (int,),
    "object_id": (str,),
    "object_type": (str,),
    "occurred_us": (int,),
    "outcome": (str,),
    "request_id": (str,),
    "source_ip": (str, type(None)),
    "v": (int,),
}


def body_problem(body: str) -> str | None:
    """None when ``body`` is an event as the journal API writes it, else why not (Chinese)."""
    try:
        content: Any = json.loads(body)
    except ValueError:
        return "不是 JSON"
    if not isinstance(content, dict):
        return "不是 JSON 对象"
    keys = set(content)
    if keys != set(_MEMBERS):
        missing = sorted(set(_MEMBERS) - keys)
        extra = sorted(keys - set(_MEMBERS))
        return f"字段不符（缺少 {missing}，多出 {extra}）"
    for key, kinds in _MEMBERS.items():
        value = content[key]
        # bool is an int in Python; no member of the body is a boolean.
        if isinstance(value, bool) or not isinstance(value, kinds):
            return f"字段 {key} 的类型不符"
    if content["v"] != canonical.FORMAT_VERSION:
        return f"格式版本 {content['v']} 未知"
    if content["event_type"] not in _EVENT_TYPES:
        return f"事件类型 {content['event_type']} 未登记"
    if content["outcome"] not in _OUTCOMES:
        return f"结果 {content['outcome']!r} 未知"
    if content["occurred_us"] <= 0:
        return "时间无效"
    object_type, object_id = content["object_type"], content["object_id"]
    if (object_type or object_id) and not (
        canonical.OBJECT_TYPE_RE.match(object_type) and canonical.OBJECT_ID_RE.match(object_id)
    ):
        return "对象引用格式错误"
    # The encoding as ``canonical.event_body`` writes it: members in order, no spaces, ASCII
    # escapes. Inside ``data`` the order is what ``canonical.clean`` gives, which is sorted except
    # for a protected personal value ({"masked", "hmac"}, in that order since the first journal):
    # re-encode in the parsed order rather than sorting, or every event carrying a masked ID
    # number or mobile would be refused.
    if list(content) != sorted(content) or canonical.encode_in_order(content) != body:
        return "不是规范化编码（键序、空白或转义不符）"
    return None
