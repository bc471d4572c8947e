"""Staff pages of supervision. Thin: fetch through a selector, validate with a form, call one
service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from shoulian.accounts.choices import Role
from shoulian.core.access import deny, role_required
from shoulian.core.forms import add_service_errors
from shoulian.core.paging import capped_count, count_label, keyset_page
from shoulian.deadlines.versions import bureau_id_of, legal_date
from shoulian.supervision import registry, selectors, services, versions
from shoulian.supervision.choices import FindingKind, FindingStatus, Level, RunKind
from shoulian.supervision.forms import PatrolRuleForm, RectificationForm, ReviewForm, initial_for
from shoulian.supervision.services import FindingConflict, FindingDenied, FindingError
from shoulian.supervision.workflow import Ctx, FindingAction, available

READERS = tuple(r for r in Role.values if r != Role.ADMIN)
RUN_READERS = (Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR)
RUNNERS = (Role.CENTER_HEAD, Role.LEGAL_BRIGADE)
# 回访不满意 in the 监督 menu: the center, the legal brigade, the units concerned, the inspector and
# the bureau head (what each sees of it is ``Finding.objects.visible_to``).
FOLLOW_UP_RULE = "follow_up_dissatisfied"
FOLLOW_UP_READERS = (
    Role.CENTER_HEAD,
    Role.LEGAL_BRIGADE,
    Role.OFFICER,
    Role.LEADER,
    Role.LEGAL_OFFICER,
    Role.INSPECTOR,
    Role.BUREAU_HEAD,
)


@role_required(*READERS)
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    return _finding_list(request)


@role_required(*FOLLOW_UP_READERS)
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """回访不满意 (the former 督办事项 of 群众服务): the findings of the dissatisfied-follow-up rule,
    for the center, the legal brigade, the units concerned and the inspector."""
    return _finding_list(request, fixed_rule=FOLLOW_UP_RULE)


WINDOW_DATES = ("opened_from", "opened_to", "closed_from", "closed_to", "overdue_on")


def _window(request: HttpRequest) -> selectors.Window:
    """The dates and the unit a report's figure drills down with (ignored when malformed)."""
    values: dict[str, Any] = {}
    for name in WINDOW_DATES:
        try:
            values[name] = dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            values[name] = None
    unit = request.GET.get("unit", "")
    return selectors.Window(**values, unit_id=int(unit) if unit.isdigit() else None)


def _window_query(request: HttpRequest) -> list[tuple[str, str]]:
    """The drill-down's parameters, carried as hidden fields through the list's own filter form."""
    return [(n, request.GET[n]) for n in (*WINDOW_DATES, "unit") if request.GET.get(n)]


PAGE_SIZE = 50


def _list_query(request: HttpRequest) -> str:
    """The list's filters, without its position (keyset cursors)."""
    query = request.GET.copy()
    for key in ("older", "newer", "last"):
        query.pop(key, None)
    return query.urlencode()


def _finding_list(request: HttpRequest, fixed_rule: str = "") -> HttpResponse:
    status = request.GET.get("status", "active")
    if status not in {"active", "", *FindingStatus.values}:
        status = "active"
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    rule = fixed_rule or request.GET.get("rule", "")
    rule = rule if rule in registry.REGISTRY else ""
    kind = request.GET.get("kind", FindingKind.FINDING)
    kind = kind if kind in FindingKind.values else FindingKind.FINDING
    window = _window(request)
    found = selectors.findings(
        request.user, status=status, level=level, rule=rule, kind=kind, window=window
    )
    page = keyset_page(found, request.GET, time_field="opened_at", size=PAGE_SIZE)
    rows = page.rows
    for row in rows:
        row.band = selectors.due_band(row)  # type: ignore[attr-defined]
    definition = registry.REGISTRY.get(fixed_rule) if fixed_rule else None
    return render(
        request,
        "supervision/finding_list.html",
        {
            "rows": rows,
            "page": page,
            "total": count_label(capped_count(found)),
            "query": _list_query(request),
            "status": status,
            "level": level,
            "rule": rule,
            "kind": kind,
            "fixed": definition,
            "window": window,
            "window_query": _window_query(request),
            "statuses": FindingStatus.choices,
            "levels": Level.choices,
            "rules": [(code, d.name) for code, d in registry.REGISTRY.items()],
            "counts": {
                k: count_label(v)
                for k, v in selectors.finding_counts(request.user, rule=fixed_rule).items()
            },
        },
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    finding = selectors.finding_for_detail(user, pk)
    rects = list(finding.rectifications.all())
    current: Any = rects[-1] if rects else None
    steps = list(current.steps.all()) if current is not None else []
    pending = next((s for s in steps if s.status == "pending"), None)
    if pending is not None:
        pending.rectification = current
    ctx = Ctx(actor=user, finding=finding, pending_step=pending, steps=steps)
    actions = {row.action for row in available(ctx)}
    can_submit = FindingAction.SUBMIT in actions
    can_review = bool(
        actions & {FindingAction.APPROVE, FindingAction.SIGN_OFF, FindingAction.RETURN}
    )
    submit_form = RectificationForm(initial={"version": finding.version})
    review_form = ReviewForm(initial={"version": finding.version, "decision": "approve"})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                submit_form = RectificationForm(request.POST, request.FILES)
                if submit_form.is_valid():
                    services.rectification_submit(
                        actor=user,
                        finding=finding,
                        text=submit_form.cleaned_data["text"],
                        files=submit_form.file_inputs(),
                        expected_version=submit_form.cleaned_data["version"],
                    )
                    messages.success(request, "整改情况已提交，进入逐级审核。")
                    return redirect("supervision:finding", pk=finding.pk)
            elif action == "review":
                review_form = ReviewForm(request.POST)
                if review_form.is_valid():
                    data = review_form.cleaned_data
                    if data["decision"] == "approve":
                        done = services.rectification_approve(
                            actor=user,
                            finding=finding,
                            expected_version=data["version"],
                            comment=data["comment"],
                        )
                        messages.success(
                            request,
                            "已审核销号。"
                            if done.status == FindingStatus.CLOSED
                            else "审核通过，已转下一级审核。",
                        )
                    else:
                        services.rectification_return(
                            actor=user,
                            finding=finding,
                            expected_version=data["version"],
                            comment=data["comment"],
                        )
                        messages.success(request, "已退回整改。")
                    return redirect("supervision:finding", pk=finding.pk)
            else:
                raise deny(request, reason="unknown_action", obj=("finding", finding.pk))
        except FindingDenied as exc:
            # The service has journalled the refusal (SUPERVISION_REFUSED): one event, not two.
            raise PermissionDenied(exc.args[0] if exc.args else "") from None
        except FindingConflict as exc:
            messages.error(request, exc.messages[0])
            status = 409
        except FindingError as exc:
            form = submit_form if action == "submit" else review_form
            add_service_errors(form, exc, "comment" if action == "review" else "text")
        if status == 200:
            status = 400
    services.inbox_mark_read(actor=user, finding=finding)
    return render(
        request,
        "supervision/finding_detail.html",
        {
            "finding": finding,
            "definition": registry.REGISTRY.get(finding.rule_code),
            "rectifications": rects,
            "can_submit": can_submit,
            "can_review": can_review,
            "pending": pending,
            "submit_form": submit_form,
            "review_form": review_form,
            "band": selectors.due_band(finding),
        },
        status=status,
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.inbox_mark_read(actor=request.user)
        return redirect("supervision:inbox")
    unread_only = request.GET.get("unread") == "1"
    return render(
        request,
        "supervision/inbox.html",
        {
            "rows": selectors.inbox(request.user, unread_only=unread_only)[:200],
            "unread_only": unread_only,
        },
    )


@role_required(*READERS)
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/rule_list.html",
        {
            "rows": selectors.rules_overview(request.user),
            "can_edit": request.user.has_role(Role.LEGAL_BRIGADE),  # type: ignore[union-attr]
        },
    )


@role_required(*READERS)
@require_GET
def rule_detail(request: HttpRequest, code: str) -> HttpResponse:
    history = selectors.rule_history(request.user, code)
    return render(
        request,
        "supervision/rule_detail.html",
        {
            "definition": registry.REGISTRY[code],
            "history": history,
            "can_edit": request.user.has_role(Role.LEGAL_BRIGADE),  # type: ignore[union-attr]
        },
    )


@role_required(Role.LEGAL_BRIGADE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    history = selectors.rule_history(request.user, code)
    definition = registry.REGISTRY[code]
    user: Any = request.user
    today = legal_date(timezone.now())
    current = versions.in_force(code, bureau_id_of(user.unit), today) or history[0]
    if request.method == "POST":
        form = PatrolRuleForm(request.POST, definition=definition)
        if form.is_valid():
            try:
                rule = services.patrol_rule_revise(
                    actor=request.user,
                    code=code,
                    change_reason=form.cleaned_data["change_reason"],
                    **form.settings(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已保存为第{rule.version}版，下次巡查起适用。")
                return redirect("supervision:rule", code=code)
    else:
        form = PatrolRuleForm(initial=initial_for(current, definition), definition=definition)
    return render(
        request,
        "supervision/rule_form.html",
        {"form": form, "definition": definition, "current": current},
        status=400 if form.is_bound else 200,
    )


@role_required(*RUN_READERS)
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        if not user.has_role(*RUNNERS):
            raise deny(request, reason="role")
        bureau = user.unit.bureau()
        run = services.patrol_run(bureau=bureau, kind=RunKind.MANUAL, actor=user)
        messages.success(
            request,
            f"巡查完成：检查警情 {run.alerts_examined} 起，新发现 {run.opened} 条，消除 {run.cleared} 条，升级 {run.escalated} 条。",
        )
        return redirect("supervision:runs")
    return render(
        request,
        "supervision/run_list.html",
        {"rows": selectors.runs(user)[:100], "can_run": user.has_role(*RUNNERS)},
    )
