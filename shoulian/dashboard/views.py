"""Pages of the supervision platform: desk and wall modes, the JSON data, the warning feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shoulian.core.access import role_required
from shoulian.dashboard import selectors, services
from shoulian.dashboard.choices import Band, Node
from shoulian.org.models import Unit

PAGE_SIZE = 50


def _scope(request: HttpRequest) -> selectors.Scope:
    return selectors.scope_for(request.user, request.GET.get("unit"))


def _context(request: HttpRequest, mode: str) -> dict[str, Any]:
    scope = _scope(request)
    figures = selectors.figures(request.user, scope)
    units: list[Unit] = []
    if request.user.has_role(*selectors.BUREAU_ROLES):  # type: ignore[union-attr]
        units = list(
            Unit.objects.filter(path__startswith=scope.bureau.path, is_active=True)
            .exclude(pk=scope.bureau.pk)
            .order_by("path")
        )
    return {
        "mode": mode,
        "scope": scope,
        "f": figures,
        "units": units,
        "periods": selectors.PERIOD_LABELS,
        "query": request.GET.urlencode(),
    }


@role_required(*selectors.VIEWERS)
@require_GET
def platform(request: HttpRequest) -> HttpResponse:
    """Desk mode: the figures with their tables, for the screen on the desk."""
    return render(request, "dashboard/platform.html", _context(request, "desk"))


@role_required(*selectors.VIEWERS)
@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    """Wall mode: 1920×1080, dark, large type, no scrolling, no menu."""
    return render(request, "dashboard/wall.html", _context(request, "wall"))


@role_required(*selectors.VIEWERS)
@require_GET
def data(request: HttpRequest) -> JsonResponse:
    """The figures as JSON; the page polls it every 5 s."""
    response = JsonResponse(selectors.figures(request.user, _scope(request)))
    response["Cache-Control"] = "no-store"
    return response


@role_required(*selectors.VIEWERS)
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The risk-warning feed alone (htmx polls it)."""
    return _feed(request)


def _feed(request: HttpRequest) -> HttpResponse:
    figures = selectors.figures(request.user, _scope(request))
    return render(
        request,
        "dashboard/_feed.html",
        {"f": figures, "mode": request.GET.get("mode", "desk"), "query": request.GET.urlencode()},
    )


@role_required(*selectors.VIEWERS)
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_for(request.user, pk)
    try:
        services.warning_acknowledge(actor=request.user, warning=warning)
    except services.AlreadyAcknowledged:
        messages.info(request, "该预警已由他人确认。")
    if request.htmx:  # type: ignore[attr-defined]
        return _feed(request)
    return redirect("dashboard:platform")


@role_required(*selectors.VIEWERS)
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """The alerts behind a node's figure: where each waits, since when, against which period."""
    scope = _scope(request)
    node = request.GET.get("node", "")
    node = node if node in Node.values else ""
    band = request.GET.get("band", "")
    band = band if band in Band.values else ""
    now = timezone.now()
    page = Paginator(
        selectors.waiting_items(scope, node=node, band=band, now=now), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for fact in page:
        fact.band = selectors.band_of(fact, now)  # type: ignore[attr-defined]
        if (
            fact.node_since is not None
            and fact.due_at is not None
            and fact.due_at > fact.node_since
        ):
            used = (now - fact.node_since) / (fact.due_at - fact.node_since)
            fact.used = round(100 * used)  # type: ignore[attr-defined]
        else:
            fact.used = None  # type: ignore[attr-defined]
        fact.age = now - fact.node_since if fact.node_since else None  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/waiting.html",
        {
            "scope": scope,
            "page": page,
            "node": node,
            "node_label": Node(node).label if node else "全部环节",
            "band": band,
            "band_label": Band(band).label if band else "",
            "query": query.urlencode(),
        },
    )
