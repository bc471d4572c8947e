"""Deployment check (``manage.py check --deploy``): a real SMS gateway in production."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def real_sms_gateway_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    """The console gateway marks every SMS sent while only writing it — mobiles, verification
    codes and query codes in clear — to a file under var/: fine for the demo, never for citizens."""
    if getattr(settings, "SHOULIAN_SMS_GATEWAY", "console") == "console" and not (
        settings.DEBUG or settings.DEMO_MODE
    ):
        return [
            Error(
                "SHOULIAN_SMS_GATEWAY is 'console': no citizen receives an SMS, and the outbox "
                "file holds mobiles and verification codes in clear.",
                hint="Set SHOULIAN_SMS_GATEWAY=http with SHOULIAN_SMS_URL, SHOULIAN_SMS_KEY and "
                "SHOULIAN_SMS_SECRET (docs/notify.md).",
                id="shoulian.E010",
            )
        ]
    return []
