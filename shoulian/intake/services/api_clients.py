"""Machine clients of the intake API: created with a token shown once, revoked, authenticated."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.intake.choices import MACHINE_CHANNELS
from shoulian.intake.models import ApiClient
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


def api_auth_failed(*, reason: str) -> None:
    with transaction.atomic():
        record(EventType.API_AUTH_FAILED, outcome=Outcome.DENIED, data={"reason": reason})
