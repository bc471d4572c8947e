"""Reads of bulletins, through ``Bulletin.objects.visible_to``: the bureau-wide roles see every
bulletin of their bureau, drafts and weekly summaries included; the units see issued monthly
bulletins; another bureau's bulletin is a 404 like a missing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from shoulian.accounts.choices import Role
from shoulian.bulletins.choices import BulletinKind, BulletinStatus
from shoulian.bulletins.models import Bulletin
from shoulian.bulletins.stats import moment


def archive(
    user: Any,
    *,
    kind: str = "",
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
) -> QuerySet[Bulletin]:
    qs = Bulletin.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if issued_from:
        qs = qs.filter(issued_at__gte=moment(issued_from))
    if issued_to:
        qs = qs.filter(issued_at__lt=moment(issued_to + dt.timedelta(days=1)))
    return qs.order_by("-period_start", "kind", "-pk")


def bulletin_for(user: Any, pk: int) -> Bulletin:
    bulletin = (
        Bulletin.objects.visible_to(user)
        .select_related("bureau", "issued_by")
        .filter(pk=pk)
        .first()
    )
    if bulletin is None:
        raise Http404("通报不存在")
    return bulletin


# Which statuses wait for which role (the approval table in ``workflow.py``).
WAITING = {
    Role.CENTER_HEAD: (BulletinStatus.DRAFT, BulletinStatus.APPROVED),
    Role.LEGAL_BRIGADE: (BulletinStatus.CENTER_APPROVED,),
}


def waiting_for(user: Any, limit: int = 5) -> list[Bulletin]:
    """The monthly bulletins of the user's bureau that wait for the user's next step."""
    roles = set(getattr(user, "role_set", ()) or ())
    statuses = [s for role, waiting in WAITING.items() if role in roles for s in waiting]
    if not statuses or getattr(user, "is_auxiliary", False):
        return []
    return list(
        Bulletin.objects.visible_to(user)
        .filter(kind=BulletinKind.MONTHLY, status__in=statuses)
        .order_by("period_start", "pk")[:limit]
    )
