from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shoulian.core.navigation import nav_for


def shoulian(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "product_name": settings.SHOULIAN_PRODUCT_NAME,
        "demo_mode": settings.DEMO_MODE,
        "nav_items": nav_for(user) if user is not None else [],
        "request_id": getattr(request, "request_id", ""),
        "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60,
    }
