"""Deployment check (``manage.py check --deploy``): real keys for personal data (P2)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from shoulian.privacy.crypto import key_ring


@register(Tags.security, deploy=True)
def check_personal_data_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        ring = key_ring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="privacy.E001")]
    if ring.development:
        return [
            Warning(
                "Personal data is encrypted with development keys derived from SECRET_KEY.",
                hint="Set SHOULIAN_PII_KEYS and SHOULIAN_PII_INDEX_KEY (manage.py privacy_new_key).",
                id="privacy.W001",
            )
        ]
    return []
