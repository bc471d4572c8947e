from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def demo_mode_off_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    """A8: production never runs in demo mode (it publishes passwords and waives TOTP)."""
    if settings.DEMO_MODE:
        return [
            Error(
                "SHOULIAN_DEMO_MODE is on: demo accounts with published passwords are usable "
                "and their second factor is waived.",
                hint="Unset SHOULIAN_DEMO_MODE in production.",
                id="shoulian.E001",
            )
        ]
    return []
