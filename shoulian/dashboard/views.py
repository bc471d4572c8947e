"""Pages of the supervision platform: desk and wall modes, the JSON data, the warning feed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shoulian.core.access import role_required
from shoulian.dashboard import selectors, services
from shoulian.dashboard.choices import Band, Node
from shoulian.dashboard.forms import DisplayLinkForm
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of

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
    query = request.GET.urlencode()
    return {
        "mode": mode,
        "scope": scope,
        "f": figures,
        "units": units,
        "periods": selectors.PERIOD_LABELS,
        "query": query,
        "data_url": reverse("dashboard:data") + (f"?{query}" if query else ""),
        "feed_url": f"{reverse('dashboard:feed')}?mode={mode}" + (f"&{query}" if query else ""),
        "display": False,
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


# --- display links of wall screens ---------------------------------------------------------------
# The screen holds a secret in its own cookie, sent only to /display/ (its path), HttpOnly and
# SameSite=Strict; the staff session is neither used nor needed, so the screen does not sign out
# after the staff idle timeout (A5) and the secret reaches no other page.
DISPLAY_COOKIE = "shoulian_display"


def _no_store(response: HttpResponse) -> HttpResponse:
    # The project's Referrer-Policy (same-origin) stays: "no-referrer" would make the browser send
    # "Origin: null" with the opening form, which the CSRF check rightly refuses.
    response["Cache-Control"] = "no-store"
    return response


def _display_refused(request: HttpRequest, status: int = 403) -> HttpResponse:
    response = render(request, "dashboard/display_invalid.html", status=status)
    return _no_store(response)


def _display_link(request: HttpRequest) -> Any:
    return selectors.display_link_for(request.COOKIES.get(DISPLAY_COOKIE, ""))


@login_not_required
@require_GET
def display_wall(request: HttpRequest) -> HttpResponse:
    """The wall mode for the screen a display link opened: figures and feed, no links."""
    link = _display_link(request)
    if link is None:
        return _display_refused(request)
    scope = selectors.display_scope(link)
    context = {
        "mode": "wall",
        "scope": scope,
        "f": selectors.display_figures(scope),
        "periods": selectors.PERIOD_LABELS,
        "query": "",
        "data_url": reverse("display:data"),
        "feed_url": reverse("display:feed"),
        "display": True,
        "screen": link.screen,
    }
    return _no_store(render(request, "dashboard/wall.html", context))


@login_not_required
@require_GET
def display_data(request: HttpRequest) -> HttpResponse:
    link = _display_link(request)
    if link is None:
        return _display_refused(request)
    response = JsonResponse(selectors.display_figures(selectors.display_scope(link)))
    return _no_store(response)


@login_not_required
@require_GET
def display_feed(request: HttpRequest) -> HttpResponse:
    link = _display_link(request)
    if link is None:
        return _display_refused(request)
    figures = selectors.display_figures(selectors.display_scope(link))
    context = {"f": figures, "mode": "wall", "query": "", "display": True}
    return _no_store(render(request, "dashboard/_feed.html", context))


@login_not_required
@never_cache
def display_open(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time opening link: GET asks the person at the screen to confirm (a link preview
    fetching the address consumes nothing), POST trades the token for the screen's cookie."""
    if request.method == "POST":
        try:
            link, secret = services.display_link_open(token=token)
        except services.DisplayLinkInvalid:
            return _display_refused(request, status=404)
        response = redirect("display:wall")
        response.set_cookie(
            DISPLAY_COOKIE,
            secret,
            max_age=max(int((link.expires_at - timezone.now()).total_seconds()), 0),
            path=reverse("display:wall"),
            secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        return _no_store(response)
    if request.method != "GET":
        return HttpResponse(status=405)
    pending = selectors.display_link_pending(token)
    if pending is None:
        return _display_refused(request, status=404)
    return _no_store(render(request, "dashboard/display_open.html", {"link": pending}))


@role_required(*services.DISPLAY_ISSUERS)
@never_cache
def display_links(request: HttpRequest) -> HttpResponse:
    """The active display links of the bureau, with revoke; issuing a new one shows its opening
    link once."""
    bureau = bureau_of(request.user.unit)  # type: ignore[union-attr,arg-type]
    form = DisplayLinkForm(request.POST or None, bureau=bureau)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            link, token = services.display_link_issue(
                actor=request.user,
                name=form.cleaned_data["name"],
                unit=form.cleaned_data["unit"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            issued = {
                "link": link,
                "url": request.build_absolute_uri(reverse("display:open", args=[token])),
            }
            form = DisplayLinkForm(bureau=bureau)
    return _no_store(
        render(
            request,
            "dashboard/displays.html",
            {
                "form": form,
                "issued": issued,
                "links": selectors.display_links(request.user),
                "max_days": services.DISPLAY_MAX_DAYS,
            },
        )
    )


@role_required(*services.DISPLAY_ISSUERS)
@require_POST
def display_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(selectors.display_links(request.user), pk=pk)
    if services.display_link_revoke(actor=request.user, link=link):
        messages.success(request, f"已撤销显示链接“{link.screen}”，该屏幕将在 5 秒内停止显示。")
    return redirect("dashboard:displays")
