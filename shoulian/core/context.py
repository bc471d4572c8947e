"""Who is acting, from where, in which request: read by the audit journal and the log filter.

Services do not take the request as an argument; the middleware (or a management command, or a
Huey task) opens a context and every audit event written inside it carries these values.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from shoulian.core.types import Actor


@dataclass(frozen=True)
class ActorContext:
    request_id: str
    source_ip: str | None = None
    user: Actor | None = None  # accounts.User (core.types.Actor: core may not import accounts)
    channel: str = "web"  # web, command, worker, api, kiosk


_current: contextvars.ContextVar[ActorContext | None] = contextvars.ContextVar(
    "shoulian_actor_context", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> ActorContext:
    ctx = _current.get()
    if ctx is None:
        return ActorContext(request_id=new_request_id(), channel="command")
    return ctx


@contextlib.contextmanager
def acting(
    *,
    user: Actor | None = None,
    source_ip: str | None = None,
    request_id: str | None = None,
    channel: str = "command",
) -> Iterator[ActorContext]:
    ctx = ActorContext(
        request_id=request_id or new_request_id(), source_ip=source_ip, user=user, channel=channel
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_user(user: Actor | None) -> None:
    """Record the authenticated user once authentication middleware has run (or at login)."""
    ctx = _current.get()
    if ctx is not None:
        _current.set(replace(ctx, user=user))
