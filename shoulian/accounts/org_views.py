"""系统管理员 pages for units and areas (URL namespace ``org``). They live with the user
administration pages: they are gated on the 系统管理员 role and count accounts, and org itself sits
below accounts (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.accounts.org_forms import AreaForm, UnitCreateForm, UnitEditForm
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors
from shoulian.org import selectors, services
from shoulian.org.choices import UnitKind


@role_required(Role.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    users = User.objects.visible_to(request.user)
    return render(
        request,
        "org/index.html",
        {
            "unit_count": selectors.units_visible_to(request.user).count(),
            "area_count": selectors.areas_visible_to(request.user).count(),
            "user_count": users.count(),
            "locked_count": users.filter(locked_at__isnull=False).count(),
            "disabled_count": users.filter(is_active=False).count(),
        },
    )


@role_required(Role.ADMIN)
def unit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "org/unit_list.html", {"units": selectors.unit_tree(request.user)})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitCreateForm(request.POST or None, units=selectors.units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已创建单位 %(name)s。") % {"name": unit.name})
            return redirect("org:unit_list")
    return render(request, "org/unit_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)
    initial = {k: getattr(unit, k) for k in ("name", "short_name", "phone", "address", "is_active")}
    form = UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:unit_list")
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


def _stations(request: HttpRequest) -> Any:
    return selectors.units_visible_to(request.user).filter(kind=UnitKind.STATION, is_active=True)


@role_required(Role.ADMIN)
def area_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "org/area_list.html", {"areas": selectors.areas_visible_to(request.user)}
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def area_create(request: HttpRequest) -> HttpResponse:
    form = AreaForm(request.POST or None, stations=_stations(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = services.area_create(
                actor=request.user,
                station=data["station"],
                name=data["name"],
                description=data["description"],
                places=form.place_list(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已创建辖区 %(name)s。") % {"name": area.name})
            return redirect("org:area_list")
    return render(request, "org/area_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(selectors.areas_visible_to(request.user), pk=pk)
    initial = {
        "station": area.station,
        "name": area.name,
        "description": area.description,
        "places": "\n".join(p.name for p in area.places.all()),
        "is_active": area.is_active,
    }
    form = AreaForm(
        request.POST or None, initial=initial, stations=_stations(request), editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.area_update(
                actor=request.user,
                area=area,
                name=data["name"],
                description=data["description"],
                places=form.place_list(),
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:area_list")
    return render(request, "org/area_form.html", {"form": form, "area": area})
