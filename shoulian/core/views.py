from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shoulian.core.text import Text


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The signed-in user (accounts.User): its roles' duties and its unit's chain up the tree.
    user: Any = request.user
    duties = user.role_duties
    chain = user.unit.ancestors() if user.unit else []
    return render(request, "core/home.html", {"duties": duties, "unit_chain": chain})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness, database reachability and the probes of ``core.health`` (sealer lag, outbox
    age, queue lag) for the process supervisor, the load balancer and a monitoring system: 200
    when every probe is within its threshold, 503 otherwise, with each probe in the body."""
    from shoulian.core import health

    # ``?check=database`` (repeatable) runs only the named probes: a load balancer's liveness
    # check should not take web servers out of rotation because the SMS gateway is down.
    wanted = [name for name in request.GET.getlist("check") if name in health.registered()]
    probes = [health.run(name) for name in wanted] if wanted else health.run_all()
    failing = [probe.name for probe in probes if not probe.ok]
    body = {
        "status": "ok" if not failing else "failing",
        "failing": failing,
        "checks": {probe.name: probe.as_dict() for probe in probes},
    }
    return JsonResponse(body, status=503 if failing else 200)


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Chinese is the default; English is the second locale, chosen per browser (cookie)."""
    from django.views.i18n import set_language as django_set_language

    return django_set_language(request)


def _error(request: HttpRequest, status: int, title: Text, message: Text) -> HttpResponse:
    # Rendered without context processors: an error page must not need the database.
    from django.template.loader import get_template

    body = get_template("error.html").render(
        {
            "status": status,
            "title": title,
            "message": message,
            "request_id": getattr(request, "request_id", ""),
        }
    )
    return HttpResponse(body, status=status)


@login_not_required
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("请求无效"), _("请求格式不正确，请返回重试。"))


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 403, _("无权访问"), _("您的角色无权执行此操作。如有需要，请联系系统管理员。")
    )


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("未找到"), _("您访问的页面或记录不存在。"))


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # P5: the page names a correlation id for the help desk, never a traceback.
    return _error(
        request, 500, _("系统错误"), _("系统处理出错，已记录。请将下方编号告知系统管理员。")
    )
