"""Access rules of the bulletin pages for the URL matrix (Z1, Z3)."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

STAFF = frozenset(Role.values) - {Role.ADMIN}
READERS = frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR})
EDITORS = frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE})


def _bulletin(bureau: Any, *, issued: bool, month: int) -> Any:
    """A monthly bulletin of an empty month, issued or a draft; the matrix needs one per persona
    without a month of data."""
    import datetime as dt

    from django.utils import timezone

    from shoulian.bulletins.models import Bulletin
    from shoulian.bulletins.stats import Period, compute

    period = Period.month_of(dt.date(2025, month, 1))
    now = timezone.now()
    found = Bulletin.objects.filter(bureau=bureau, kind="monthly", period_start=period.start)
    if found.exists():
        return found.get()
    return Bulletin.objects.create(
        bureau=bureau, kind="monthly", period_start=period.start, period_end=period.end,
        year=2025, status="issued" if issued else "draft", sequence=month if issued else None,
        number=f"矩阵〔2025〕{month}号" if issued else "", title="矩阵测试通报",
        figures=compute(bureau, period).as_data(), created_at=now,
        issued_at=now if issued else None,
    )  # fmt: skip


def _issued(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _bulletin(own.bureau, issued=True, month=1).pk}


def _foreign_issued(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _bulletin(other.bureau, issued=True, month=2).pk}


def _draft(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _bulletin(own.bureau, issued=False, month=3).pk}


def _foreign_draft(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _bulletin(other.bureau, issued=False, month=4).pk}


def _pdf(make: Any) -> Any:
    return lambda user, own, other: {**make(user, own, other), "fmt": "docx"}


ACCESS = {
    "bulletins:list": Rule(STAFF),
    "bulletins:statistics": Rule(READERS),
    "bulletins:statistics_export": Rule(READERS, kwargs=lambda u, o, x: {"fmt": "csv"}),
    "bulletins:reviews": Rule(READERS),
    "bulletins:av_reviews": Rule(READERS),
    "bulletins:draft": Rule(EDITORS, ok=405),
    "bulletins:detail": Rule(STAFF, kwargs=_issued, foreign=_foreign_issued),
    "bulletins:edit": Rule(EDITORS, kwargs=_draft, foreign=_foreign_draft),
    "bulletins:document": Rule(STAFF, kwargs=_pdf(_issued), foreign=_pdf(_foreign_issued)),
}
