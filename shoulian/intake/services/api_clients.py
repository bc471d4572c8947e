"""Machine clients of the intake API: created with a token shown once, revoked, authenticated."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.intake.choices import MACHINE_CHANNELS
from shoulian.intake.models import ApiAuthFailureWindow, ApiClient
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit

TOKEN_PREFIX = "slk_"  # noqa: S105 - a marker that makes leaked tokens greppable, not a secret


def token_digest(token: str) -> str:
    # Tokens carry 256 random bits: a plain SHA-256 is as good as a slow hash against guessing.
    return hashlib.sha256(token.encode()).hexdigest()


def api_client_create(*, name: str, unit: Unit, channel: str) -> tuple[ApiClient, str]:
    """A new client and its token. The token is returned once and never stored."""
    if channel not in MACHINE_CHANNELS:
        raise ValidationError({"channel": "接口只接收 110 警情和行政执法机关移送的警情。"})
    if unit.kind == UnitKind.CITY_BUREAU:
        raise ValidationError({"unit": "接口客户端须属于某个分局（或其下属单位）。"})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name.strip(),
            unit=unit,
            channel=channel,
            token_prefix=token[:12],
            token_hash=token_digest(token),
        )
        record(
            EventType.API_CLIENT_CREATED,
            obj=client,
            data={"name": client.name, "unit": unit.code, "channel": channel},
        )
    return client, token


def api_client_revoke(*, client: ApiClient) -> ApiClient:
    with transaction.atomic():
        ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        record(EventType.API_CLIENT_REVOKED, obj=client, data={"name": client.name})
    client.refresh_from_db()
    return client


def api_client_authenticate(token: str) -> ApiClient | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    client = (
        ApiClient.objects.filter(token_hash=token_digest(token), revoked_at__isnull=True)
        .select_related("unit")
        .first()
    )
    if client is not None:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


# Authentication failures per source address and window: past API_AUTH_LIMIT the address gets 429
# without its token being looked at until the window ends; only the first API_AUTH_JOURNALLED
# failures of a window are journalled one by one, then one API_AUTH_THROTTLED event.
API_AUTH_WINDOW = timedelta(minutes=10)
API_AUTH_LIMIT = 10
API_AUTH_JOURNALLED = 5


def _window_start(now: datetime) -> datetime:
    step = int(API_AUTH_WINDOW.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=UTC)


def api_auth_wait(*, source_ip: str | None, now: datetime | None = None) -> int:
    """Seconds this address must wait before its token is checked again (0: go ahead)."""
    now = now or timezone.now()
    start = _window_start(now)
    failures = (
        ApiAuthFailureWindow.objects.filter(source_ip=source_ip or "", window_start=start)
        .values_list("failures", flat=True)
        .first()
    )
    if failures is None or failures < API_AUTH_LIMIT:
        return 0
    return max(1, int((start + API_AUTH_WINDOW - now).total_seconds()))


def api_auth_failed(*, reason: str, source_ip: str | None = None) -> None:
    now = timezone.now()
    start = _window_start(now)
    with transaction.atomic():
        row, _created = ApiAuthFailureWindow.objects.get_or_create(
            source_ip=source_ip or "", window_start=start
        )
        ApiAuthFailureWindow.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
        failures = ApiAuthFailureWindow.objects.values_list("failures", flat=True).get(pk=row.pk)
        if failures <= API_AUTH_JOURNALLED:
            record(
                EventType.API_AUTH_FAILED,
                outcome=Outcome.DENIED,
                data={"reason": reason, "failures_in_window": failures},
            )
        elif failures == API_AUTH_LIMIT:
            record(
                EventType.API_AUTH_THROTTLED,
                outcome=Outcome.DENIED,
                data={
                    "reason": reason,
                    "failures_in_window": failures,
                    "window_minutes": int(API_AUTH_WINDOW.total_seconds() // 60),
                },
            )
        if _created:
            # Old windows are of no further use: the journal holds what happened.
            ApiAuthFailureWindow.objects.filter(window_start__lt=start - timedelta(days=1)).delete()
