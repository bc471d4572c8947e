"""Pages of bulletins: the statistics page with its drill-downs and exports, the archive, one
bulletin with its approval buttons, its edit form and its PDF/DOCX. Thin: a selector or the
statistics core reads, one service writes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.bulletins import documents, selectors, services, stats
from shoulian.bulletins.choices import BulletinKind, BulletinStatus
from shoulian.bulletins.forms import MAX_DAYS, BulletinEditForm, DraftForm, PeriodForm
from shoulian.bulletins.policy import BUREAU_READERS, EDITORS
from shoulian.bulletins.stats import Figures, Period
from shoulian.bulletins.workflow import ACTION_LABELS, BulletinAction, Ctx, available
from shoulian.core.access import role_required
from shoulian.core.forms import posted_version
from shoulian.deadlines.versions import legal_date
from shoulian.intake.choices import OFFENCE_FILTER, Channel
from shoulian.org.models import Unit
from shoulian.review.choices import ReviewLevel
from shoulian.supervision.services import inbox_mark_read

STAFF = tuple(r for r in Role.values if r != Role.ADMIN)
READERS = tuple(sorted(BUREAU_READERS))
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _default_period() -> Period:
    """The last full month (what the next bulletin speaks about)."""
    today = legal_date(timezone.now())
    return Period.month_of(today.replace(day=1) - dt.timedelta(days=1))


def _figures(request: HttpRequest) -> tuple[PeriodForm, Figures]:
    user: Any = request.user
    bureau = services.reader_bureau(user)
    if bureau is None:  # pragma: no cover - the decorator lets only readers in
        raise Http404
    form = PeriodForm(request.GET or None, bureau=bureau)
    period, unit = _default_period(), None
    if form.is_valid():
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"] + dt.timedelta(days=1))
        unit = form.cleaned_data["unit"]
    elif not request.GET:
        form = PeriodForm(initial={"start": period.start, "end": period.last_day}, bureau=bureau)
    return form, services.figures_for(bureau, period, unit)


def _drill(f: Figures) -> dict[str, Any]:
    """Each figure's list: the alert list and the findings list with the same filters."""
    alerts = reverse("intake:alert_list")
    findings = reverse("supervision:findings")
    days = {"from": f.start.isoformat(), "to": f.period.last_day.isoformat()}
    unit = {"unit": str(f.unit_id)} if f.unit_id else {}

    def alert_url(**extra: str) -> str:
        return f"{alerts}?{urlencode({**days, **extra})}"

    def finding_url(**extra: str) -> str:
        return f"{findings}?{urlencode({'kind': 'finding', 'status': '', **unit, **extra})}"

    opened = {"opened_from": days["from"], "opened_to": days["to"]}
    own = {**days, **unit}
    return {
        "av": f"{reverse('bulletins:av_reviews')}?{urlencode(own)}",
        "reviews": f"{reverse('bulletins:reviews')}?{urlencode(own)}",
        # The alert list has no unit-subtree filter: a unit's figures drill down by unit rows.
        "offence": alert_url(group=OFFENCE_FILTER) if not f.unit_id else "",
        "walk_in": alert_url(channel=Channel.WALK_IN, desk="station") if not f.unit_id else "",
        "rectified": finding_url(status="closed", closed_from=days["from"], closed_to=days["to"]),
        "opened": finding_url(**opened),
        "overdue": finding_url(overdue_on=f.end.isoformat()),
        "bulletins": f"{reverse('bulletins:list')}?{urlencode({'kind': 'monthly', 'issued_from': days['from'], 'issued_to': days['to']})}",
        "channel": {r.key: alert_url(channel=r.key) for r in f.by_channel} if not f.unit_id else {},
        "unit": {r.key: alert_url(handler=r.key) for r in f.by_unit if r.key},
        "rule": {r.code: finding_url(rule=r.code, **opened) for r in f.by_rule},
    }


@role_required(*READERS)
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form, figures = _figures(request)
    drill = _drill(figures)
    return render(
        request,
        "bulletins/statistics.html",
        {
            "form": form,
            "f": figures,
            "drill": drill,
            "query": request.GET.urlencode(),
            "channels": [(r, drill["channel"].get(r.key, "")) for r in figures.by_channel],
            "units": [(r, drill["unit"].get(r.key, "")) for r in figures.by_unit],
            "rules": [(r, drill["rule"].get(r.code, "")) for r in figures.by_rule],
        },
    )


def _drill_period(request: HttpRequest) -> tuple[Any, Period, Any]:
    """The bureau, the period (``from``, ``to`` inclusive) and the unit of a drill-down list."""
    user: Any = request.user
    bureau = services.reader_bureau(user)
    default = _default_period()
    start = _day(request.GET.get("from", "")) or default.start
    end = _day(request.GET.get("to", "")) or default.last_day
    if bureau is None or end < start:
        raise Http404("统计期间无效")
    if (end - start).days > MAX_DAYS:
        # The same bound as the statistics form: a hand-edited link cannot ask for decades.
        raise BadRequest("统计期间最长三年。")
    unit_id = request.GET.get("unit", "")
    unit = None
    if unit_id.isdigit():
        unit = Unit.objects.filter(pk=int(unit_id), path__startswith=bureau.path).first()
        if unit is None:
            raise Http404("单位不存在")
    return bureau, Period(start, end + dt.timedelta(days=1)), unit


@role_required(*READERS)
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """The reviews behind the figure 三级巡查评查 (one level with ``level``)."""
    bureau, period, unit = _drill_period(request)
    rows = stats.reviews(bureau, period, unit).select_related("reviewer_unit")
    level = request.GET.get("level", "")
    if level in ReviewLevel.values:
        rows = rows.filter(level=level)
    return render(
        request,
        "bulletins/review_list.html",
        {"rows": rows[:500], "count": rows.count(), "period": period, "unit": unit},
    )


@role_required(*READERS)
@require_GET
def av_review_list(request: HttpRequest) -> HttpResponse:
    """The AV reviews behind the figure 现场处警视音频资料 (records counted once)."""
    bureau, period, unit = _drill_period(request)
    rows = stats.av_reviews(bureau, period, unit).select_related("reviewer_unit")
    records = rows.order_by().values("av_record").distinct().count()
    return render(
        request,
        "bulletins/av_review_list.html",
        {
            "rows": rows[:500],
            "records": records,
            "reviews": rows.count(),
            "period": period,
            "unit": unit,
        },
    )


@role_required(*READERS)
@require_GET
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    _, figures = _figures(request)
    data = services.figures_export(actor=request.user, figures=figures, fmt=fmt)
    name = f"figures-{figures.start:%Y%m%d}-{figures.period.last_day:%Y%m%d}.{fmt}"
    return _attachment(data, CSV if fmt == "csv" else XLSX, name)


@role_required(*STAFF)
@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    kind = request.GET.get("kind", "")
    kind = kind if kind in BulletinKind.values else ""
    rows = selectors.archive(
        user,
        kind=kind,
        issued_from=_day(request.GET.get("issued_from", "")),
        issued_to=_day(request.GET.get("issued_to", "")),
    )
    can_draft = user.has_role(*EDITORS)
    return render(
        request,
        "bulletins/archive.html",
        {
            "rows": rows[:200],
            "kind": kind,
            "kinds": BulletinKind.choices,
            "can_draft": can_draft,
            "draft_form": DraftForm(initial={"month": _default_period().start})
            if can_draft
            else None,
            "bureau_reader": bool(user.role_set & BUREAU_READERS),
        },
    )


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@role_required(*EDITORS)
@require_POST
def draft(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = DraftForm(request.POST)
    if form.is_valid():
        try:
            bulletin = services.bulletin_draft(
                actor=user, bureau=user.unit.bureau(), month=form.cleaned_data["month"]
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "已生成月通报草稿，请核对后提交审核。")
            return redirect("bulletins:detail", bulletin.pk)
    else:
        messages.error(request, "请选择月份。")
    return redirect("bulletins:list")


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    bulletin = selectors.bulletin_for(user, pk)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            services.bulletin_transition(
                actor=user,
                bulletin=bulletin,
                action=action,
                expected_version=posted_version(request.POST),
                reason=request.POST.get("reason", ""),
                signer=request.POST.get("signer", ""),
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            status = 400
        else:
            label = ACTION_LABELS.get(BulletinAction(action), action)
            messages.success(request, f"已{label}。")
            return redirect("bulletins:detail", bulletin.pk)
    inbox_mark_read(actor=user, link=request.path)
    ctx = Ctx(actor=user, bulletin=bulletin)
    actions = [row.action for row in available(ctx) if row.action != BulletinAction.EDIT]
    can_edit = BulletinAction.EDIT in {
        row.action for row in available(Ctx(actor=user, bulletin=bulletin))
    }
    doc = documents.document(bulletin, images=False)
    return render(
        request,
        "bulletins/detail.html",
        {
            "b": bulletin,
            "doc": doc,
            "f": Figures.from_data(bulletin.figures),
            "actions": [(a, ACTION_LABELS[BulletinAction(a)]) for a in actions],
            "can_edit": can_edit,
            "default_signer": user.full_name,
            "is_draft": bulletin.status != BulletinStatus.ISSUED,
        },
        status=status,
    )


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    bulletin = selectors.bulletin_for(user, pk)
    form = BulletinEditForm(request.POST or None, bulletin=bulletin)
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_transition(
                actor=user,
                bulletin=bulletin,
                action=BulletinAction.EDIT,
                expected_version=form.cleaned_data["version"],
                **form.payload(),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, "已保存。")
            return redirect("bulletins:detail", bulletin.pk)
    return render(request, "bulletins/edit.html", {"b": bulletin, "form": form})


@role_required(*STAFF)
@require_GET
def document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in {"pdf", "docx"}:
        raise Http404
    bulletin = selectors.bulletin_for(request.user, pk)
    data = services.bulletin_document(actor=request.user, bulletin=bulletin, fmt=fmt)
    name = f"bulletin-{bulletin.pk}.{fmt}"
    return _attachment(data, "application/pdf" if fmt == "pdf" else DOCX, name)
