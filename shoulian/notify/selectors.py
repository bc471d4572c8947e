"""Reads of the SMS outbox for the center head's page (scoped to the bureau, Z2/Z3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from shoulian.core.scoping import ScopeDomain, signed_in, visible_unit_ids
from shoulian.notify import texts
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.models import SmsMessage, SmsTemplate
from shoulian.notify.retention import live_since
from shoulian.org.selectors import bureau_of


def outbox(user: Any, status: str = "") -> QuerySet[SmsMessage]:
    """The bureau's messages, newest first. The scope is ``visible_to``'s (the units of the
    viewer's subtree; messages have no policy rule of their own), written against ``unit_id + 0``
    so that no engine answers it through the unit index and then sorts every message of the
    bureau: the database walks the (created_at, id) index and checks the unit on the way.
    Only the live window (``retention.live_since``): older sent and expired messages are purged."""
    units = visible_unit_ids(user, ScopeDomain.CONTENT)
    if units is None or signed_in(user) is None:
        return SmsMessage.objects.none()
    qs = (
        SmsMessage.objects.alias(scope_unit=F("unit_id") + 0)
        .filter(scope_unit__in=units, created_at__gte=live_since())
        .select_related("alert")
    )
    if status in SmsStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


# Counts on the outbox page stop here ("1000+"): an exact count reads the whole outbox.
COUNT_CAP = 1000


def capped_count(qs: QuerySet[Any]) -> int:
    """``qs.count()`` up to ``COUNT_CAP + 1``: the database stops after that many rows."""
    return qs.order_by()[: COUNT_CAP + 1].count()


def status_counts(user: Any) -> dict[str, int]:
    """Messages per status, each capped (a value above ``COUNT_CAP`` reads "1000+")."""
    visible = SmsMessage.objects.visible_to(user).filter(created_at__gte=live_since())
    return {value: capped_count(visible.filter(status=value)) for value in SmsStatus.values}


@dataclass(frozen=True)
class OutboxPage:
    rows: list[SmsMessage]
    # The cursor of the next (older) page, or "" on the last page.
    next_cursor: str


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _cursor(message: SmsMessage) -> str:
    return f"{(message.created_at - _EPOCH) // _MICROSECOND}-{message.pk}"


def _parse_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    head, _, tail = cursor.partition("-")
    if not (head.isdigit() and tail.isdigit()):
        return None
    return _EPOCH + int(head) * _MICROSECOND, int(tail)


def outbox_page(user: Any, status: str = "", after: str = "", size: int = 50) -> OutboxPage:
    """One page of the outbox, newest first, after the cursor ``after`` (keyset: the database
    walks the (created_at, id) index from the cursor; no OFFSET, no count)."""
    qs = outbox(user, status)
    position = _parse_cursor(after) if after else None
    if position is not None:
        moment, pk = position
        qs = qs.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return OutboxPage(rows=rows, next_cursor=_cursor(rows[-1]) if more and rows else "")


@dataclass(frozen=True)
class Alarms:
    # Refused by the provider in the last week: stopped, a person must act.
    dead_recent: int
    # Still retried after the attempt limit: the gateway is down or slow.
    struggling: int


def alarms(user: Any, days: int = 7) -> Alarms:
    """The operator alerts the outbox page leads with, in one query."""
    since = timezone.now() - dt.timedelta(days=days)
    limit = int(getattr(settings, "SHOULIAN_SMS_MAX_ATTEMPTS", 8))
    visible = SmsMessage.objects.visible_to(user)
    # Two counts an index serves (status first), not one pass over every message.
    return Alarms(
        dead_recent=capped_count(visible.filter(status=SmsStatus.DEAD, updated_at__gte=since)),
        struggling=capped_count(visible.filter(status=SmsStatus.RETRYING, attempts__gte=limit)),
    )


@dataclass(frozen=True)
class GatewayInfo:
    kind: str
    host: str
    sign_name: str
    max_attempts: int
    max_age_hours: int


def gateway_info() -> GatewayInfo:
    """What the page may say about the gateway: never the key or the secret."""
    kind = settings.SHOULIAN_SMS_GATEWAY
    host = urlsplit(settings.SHOULIAN_SMS_URL).netloc if kind == "http" else ""
    return GatewayInfo(
        kind="HTTP 短信网关" if kind == "http" else "本机文件（控制台）",
        host=host,
        sign_name=settings.SHOULIAN_SMS_SIGN_NAME or "（按公安局名称）",
        max_attempts=settings.SHOULIAN_SMS_MAX_ATTEMPTS,
        max_age_hours=settings.SHOULIAN_SMS_MAX_AGE_HOURS,
    )


@dataclass(frozen=True)
class TemplateRow:
    key: str
    label: str
    text: str
    version: int
    updated_at: Any
    placeholders: list[tuple[str, str]]
    # The bureau's own wording, or the national one its messages use until it has its own.
    own: bool = False


def _user_bureau(user: Any) -> Any:
    unit = getattr(user, "unit", None)
    return bureau_of(unit) if unit is not None else None


def templates(user: Any) -> list[TemplateRow]:
    """The wording each key has for the user's bureau."""
    bureau = _user_bureau(user)
    rows: dict[str, SmsTemplate] = {}
    own: set[str] = set()
    for t in SmsTemplate.objects.filter(Q(bureau__isnull=True) | Q(bureau=bureau)).order_by(
        F("bureau").asc(nulls_first=True)
    ):
        rows[t.key] = t  # the bureau's own row comes last and wins
        if t.bureau_id is not None:
            own.add(t.key)
    out: list[TemplateRow] = []
    for key, label in TemplateKey.choices:
        row = rows.get(key)
        out.append(
            TemplateRow(
                key=key,
                label=str(label),
                text=row.text if row else texts.DEFAULT_TEXTS[key],
                version=row.version if row else 0,
                updated_at=row.updated_at if row else None,
                placeholders=placeholders_of(key),
                own=key in own,
            )
        )
    return out


def placeholders_of(key: str) -> list[tuple[str, str]]:
    return [(name, texts.PLACEHOLDER_LABELS[name]) for name in sorted(texts.PLACEHOLDERS[key])]


def template_history(user: Any, key: str) -> list[Any]:
    """The versions of the wording the user's bureau uses: its own, or the national one (never
    another bureau's, nor who edited it there)."""
    bureau = _user_bureau(user)
    versions: list[Any] = []
    own = SmsTemplate.objects.filter(key=key, bureau=bureau).first() if bureau else None
    if own is not None:
        versions += own.versions.select_related("created_by")[:20]
    national = SmsTemplate.objects.filter(key=key, bureau__isnull=True).first()
    if national is not None:
        versions += national.versions.select_related("created_by")[:20]
    return versions[:20]
