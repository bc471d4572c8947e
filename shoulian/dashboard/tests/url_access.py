"""Access rules of the supervision platform for the URL matrix (Z1, Z3)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shoulian.core.tests.matrix import PUBLIC, Rule
from shoulian.dashboard.selectors import VIEWERS
from shoulian.dashboard.services import DISPLAY_ISSUERS

ALLOWED = frozenset(VIEWERS)


def _warning(user: Any, own: Any, other: Any) -> dict[str, Any]:
    from shoulian.dashboard.models import RiskWarning

    unit = user.unit
    warning = RiskWarning.objects.create(
        bureau=unit.bureau(),
        unit=unit,
        kind="bouncing",
        summary="矩阵测试预警",
        key=f"matrix:{unit.pk}:{RiskWarning.objects.count()}",
        raised_at=timezone.now(),
    )
    return {"pk": warning.pk}


def _display_link(user: Any, own: Any, other: Any) -> dict[str, Any]:
    # Built for every persona, issuers or not: the row itself, as the issuing service writes it.
    from datetime import timedelta

    from shoulian.dashboard.models import DisplayLink

    now = timezone.now()
    link = DisplayLink.objects.create(
        screen="矩阵测试屏",
        bureau=user.unit.bureau(),
        issued_by=user,
        issued_at=now,
        expires_at=now + timedelta(days=1),
    )
    return {"pk": link.pk}


ACCESS = {
    "dashboard:platform": Rule(ALLOWED),
    "dashboard:wall": Rule(ALLOWED),
    "dashboard:data": Rule(ALLOWED),
    "dashboard:feed": Rule(ALLOWED),
    "dashboard:waiting": Rule(ALLOWED),
    # POST only: a GET answers 405 to those allowed (the POST is tested in test_platform.py).
    "dashboard:acknowledge": Rule(ALLOWED, kwargs=_warning, ok=405),
    "dashboard:displays": Rule(frozenset(DISPLAY_ISSUERS)),
    "dashboard:display_revoke": Rule(frozenset(DISPLAY_ISSUERS), kwargs=_display_link, ok=405),
    # A display link's screen, with no display cookie: refused (403) for everybody, staff
    # sessions included; an unknown opening token is a 404 (tests/test_display.py).
    "display:wall": Rule(PUBLIC, ok=403),
    "display:data": Rule(PUBLIC, ok=403),
    "display:feed": Rule(PUBLIC, ok=403),
    "display:open": Rule(PUBLIC, kwargs=lambda *a: {"token": "x" * 43}, ok=404),
}
