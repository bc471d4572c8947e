"""Access rules of the supervision platform for the URL matrix (Z1, Z3)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shoulian.core.tests.matrix import Rule
from shoulian.dashboard.selectors import VIEWERS

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


ACCESS = {
    "dashboard:platform": Rule(ALLOWED),
    "dashboard:wall": Rule(ALLOWED),
    "dashboard:data": Rule(ALLOWED),
    "dashboard:feed": Rule(ALLOWED),
    "dashboard:waiting": Rule(ALLOWED),
    # POST only: a GET answers 405 to those allowed (the POST is tested in test_platform.py).
    "dashboard:acknowledge": Rule(ALLOWED, kwargs=_warning, ok=405),
}
