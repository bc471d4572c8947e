"""Pages of the workflow. Thin: fetch through a selector, validate with a form, call one service."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors
from shoulian.core.paging import count_label
from shoulian.intake import pages as intake_pages
from shoulian.intake import selectors as intake_selectors
from shoulian.intake.models import Alert
from shoulian.org.selectors import areas_visible_to, bureau_of
from shoulian.workflow import chains as chains_module
from shoulian.workflow import routing, selectors, services
from shoulian.workflow.chains import chain_overview
from shoulian.workflow.choices import (
    APPROVER_ROLES,
    DECISION_ACTION,
    Action,
    DecisionKind,
    DecisionStatus,
)
from shoulian.workflow.forms import (
    FORMS,
    OUTCOME_ACTIONS,
    ApplicationForm,
    ApprovalForm,
    ChainStepFormSet,
    ChainVersionForm,
    PrefixForm,
    RoutingRuleForm,
    VersionForm,
)
from shoulian.workflow.workflow import (
    LIFECYCLE,
    Ctx,
    proposable_kinds,
    transition_for,
)

# Everybody who works with case content; the administrator reads none of it (三员分立).
CONTENT_ROLES = tuple(r for r in Role.values if r != Role.ADMIN)
# Roles that have work in the lifecycle (the inspector only reads).
ACTING_ROLES = (
    Role.CLERK,
    Role.OFFICER,
    Role.LEADER,
    Role.LEGAL_OFFICER,
    Role.CENTER_HEAD,
    Role.LEGAL_BRIGADE,
    Role.BUREAU_HEAD,
)
CENTER_ROLES = (Role.CLERK, Role.CENTER_HEAD)
UNIT_ROLES = (Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER)


@role_required(*ACTING_ROLES)
@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.work_queue(request.user)
    return render(request, "workflow/queue.html", {"queue": queue, "tasks": queue.tasks})


@role_required(*CENTER_ROLES)
@require_GET
def routing_queue(request: HttpRequest) -> HttpResponse:
    page = selectors.routing_queue(request.user, after=request.GET.get("after", ""))
    return render(
        request,
        "workflow/routing.html",
        {"page": page, "tasks": page.tasks, "total": count_label(page.total)},
    )


@role_required(*UNIT_ROLES)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "workflow/inbox.html", {"tasks": selectors.inbox(request.user)})


@role_required(*APPROVER_ROLES)
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workflow/approvals.html",
        {"approvals": list(selectors.pending_approvals(request.user)[: selectors.QUEUE_LIMIT])},
    )


# The tabs of the alert file (警情档案), in order: (slug, label).
FILE_TABS: tuple[tuple[str, str], ...] = (
    ("registration", "登记"),
    ("evidence", "证据"),
    ("flow", "流转"),
    ("deadlines", "期限"),
    ("documents", "文书"),
    ("sms", "短信"),
    ("journal", "日志"),
)
# Tabs that show what selectors.alert_view gathers.
VIEW_TABS = frozenset({"flow", "deadlines", "documents", "sms"})


@role_required(*CONTENT_ROLES)
@require_GET
def alert_file(request: HttpRequest, pk: int, tab: str = "registration") -> HttpResponse:
    """One page per alert, closed ones included: its registration, evidence, flow, deadlines,
    documents, SMS and journal as tabs. Who may open it is the alert's own scope (Z3: another
    unit's alert is a 404 like a missing one)."""
    if tab not in dict(FILE_TABS):
        raise Http404("没有这个栏目")
    user = cast(User, request.user)
    context: dict[str, Any] = {"tabs": FILE_TABS, "tab": tab}
    if tab in ("registration", "evidence"):
        alert = intake_selectors.alert_detail(user, pk)
        if tab == "registration":
            context.update(intake_pages.registration_context(user, alert))
    else:
        alert = selectors.alert_for(user, pk)
    context["alert"] = alert
    if tab in VIEW_TABS:
        view = selectors.alert_view(user, alert)
        context["v"] = view
        if tab == "flow":
            approving = [t for t in view.actions if t.action in APPROVAL_ACTIONS]
            pending = next((d for d in view.decisions if d.status == DecisionStatus.PENDING), None)
            context.update(
                suggestion=routing.suggest(alert)
                if any(t.action in (Action.ROUTE, Action.REROUTE) for t in view.actions)
                else None,
                buttons=[t for t in view.actions if t.action in FORMS],
                approve_decision=pending if approving else None,
            )
        if tab == "sms":
            context["sms_messages"] = selectors.sms_messages(alert)
    return render(request, "workflow/file.html", context)


@role_required(*CONTENT_ROLES)
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The old address of the workflow page: the flow tab of the alert file."""
    return alert_file(request, pk, tab="flow")


# Approval steps are taken on the decision page; these rows never get a button of their own.
APPROVAL_ACTIONS = frozenset(
    {Action.APPROVE, Action.REJECT, *(a for a in Action.values if a.startswith("decide_"))}
)


def _form_for(request: HttpRequest, action: str, alert: Any, data: Any) -> VersionForm:
    form_class = FORMS[action]
    kwargs: dict[str, Any] = {"initial": {"version": alert.version}}
    if form_class is ApplicationForm:
        kwargs["applicants"] = selectors.masked_reporters(alert)
    elif action == Action.PROPOSE:
        kwargs["kinds"] = proposable_kinds(Ctx(actor=cast(User, request.user), alert=alert))
    elif form_class.__name__ in {"RouteForm", "DesignateForm", "TransferForm", "DisputeForm"}:
        units = selectors.handling_units(request.user)
        if action in (Action.REQUEST_TRANSFER, Action.RAISE_DISPUTE) and alert.handling_unit_id:
            units = units.exclude(pk=alert.handling_unit_id)
        kwargs["units"] = units
    if action in (Action.ROUTE, Action.REROUTE, Action.DESIGNATE) and data is None:
        suggestion = routing.suggest(alert)
        if suggestion.unit is not None:
            kwargs["initial"]["unit"] = suggestion.unit.pk
    return form_class(data, **kwargs)


def _why_not(request: HttpRequest, alert: Alert, action: str) -> str | None:
    """Why the user cannot take ``action`` now, before filling in its form; None when they can.
    The engine runs every check but the form-only guards, as for the buttons (``available``)."""
    actions = [action, *OUTCOME_ACTIONS.get(action, {}).values()]
    last = "警情当前状态不能办理此操作。"
    for name in actions:
        row = transition_for(alert.status, name)
        if row is None:
            continue
        refusal = LIFECYCLE.why_not(Ctx(actor=cast(User, request.user), alert=alert), row)
        if refusal is None:
            return None
        last = refusal.message
    return last


@role_required(*ACTING_ROLES)
@require_http_methods(["GET", "POST"])
def alert_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in FORMS:
        raise Http404("没有这个操作")
    alert = selectors.alert_for(request.user, pk)
    data = request.POST if request.method == "POST" else None
    form = _form_for(request, action, alert, data)
    status = 200
    conflict = False
    if request.method == "POST" and form.is_valid():
        payload = form.payload()
        applied = OUTCOME_ACTIONS.get(action, {}).get(payload.pop("outcome", ""), action)
        for optional in ("served_at", "applied_at"):
            if payload.get(optional) is None:
                payload.pop(optional, None)
        try:
            services.alert_transition(
                actor=request.user,
                alert=alert,
                action=applied,
                expected_version=form.cleaned_data["version"],
                **payload,
            )
        except services.TransitionConflict as exc:
            conflict, status = True, 409
            form.add_error(None, exc.messages)
        except services.TransitionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.TransitionError as exc:
            status = 400
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已{Action(applied).label}：警情 {alert.number}。")
            if selectors.alerts_visible_to(request.user).filter(pk=alert.pk).exists():
                return redirect("workflow:file_tab", pk=alert.pk, tab="flow")
            # Returned or moved out of the user's scope: back to the work queue.
            return redirect("workflow:queue")
    elif request.method == "POST":
        status = 400
    if conflict:
        alert = selectors.alert_for(request.user, pk)
    blocked = _why_not(request, alert, action)
    context = {
        "alert": alert,
        "form": form,
        "action": action,
        "action_label": Action(action).label,
        "blocked": blocked,
        "conflict": conflict,
        "suggestion": routing.suggest(alert) if action in (Action.ROUTE, Action.REROUTE) else None,
        "transfer": selectors.pending_transfer(request.user, alert),
        "dispute": selectors.pending_dispute(request.user, alert),
    }
    return render(request, "workflow/action.html", context, status=status)


@role_required(*CONTENT_ROLES)
@require_http_methods(["GET", "POST"])
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_for(request.user, pk)
    alert = decision.alert
    form = ApprovalForm(request.POST or None, initial={"version": alert.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            version = form.cleaned_data["version"]
            note = form.cleaned_data["note"] or ""
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.decision_approve(
                        actor=request.user, decision=decision, expected_version=version, note=note
                    )
                else:
                    services.decision_reject(
                        actor=request.user, decision=decision, expected_version=version, reason=note
                    )
            except services.TransitionConflict as exc:
                status = 409
                form.add_error(None, exc.messages)
            except services.TransitionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            except services.TransitionError as exc:
                status = 400
                add_service_errors(form, exc, default_field="note")
            else:
                messages.success(request, "审批意见已保存。")
                return redirect("workflow:decision", pk=decision.pk)
        else:
            status = 400
    view = selectors.alert_view(request.user, alert)
    can_decide = decision.status == DecisionStatus.PENDING and any(
        t.action in (Action.APPROVE, Action.REJECT) or t.action in DECISION_ACTION.values()
        for t in view.actions
    )
    return render(
        request,
        "workflow/decision.html",
        {"decision": decision, "alert": alert, "form": form, "can_decide": can_decide},
        status=status,
    )


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@role_required(*CONTENT_ROLES)
@require_GET
def document_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in DOCUMENT_TYPES:
        raise Http404("没有这种格式")
    document = selectors.document_for(request.user, pk)
    data = services.document_render(actor=request.user, document=document, fmt=fmt)
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    filename = f"{document.content['title']}-{document.number}.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"document-{document.pk}.{fmt}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.CENTER_HEAD)
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    units = selectors.handling_units(user)
    form = RoutingRuleForm(request.POST or None, units=units, areas=areas_visible_to(user))
    if request.method == "POST" and form.is_valid():
        try:
            routing.routing_rule_create(
                actor=user, bureau=bureau_of(user.unit), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存分派规则。")
            return redirect("workflow:rules")
    return render(
        request,
        "workflow/rules.html",
        {"form": form, "rules": selectors.routing_rules(user)},
        status=400 if form.errors else 200,
    )


@role_required(Role.CENTER_HEAD)
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.routing_rules(request.user), pk=pk)
    try:
        routing.routing_rule_set_active(actor=request.user, rule=rule, active=not rule.is_active)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已启用规则。" if not rule.is_active else "已停用规则。")
    return redirect("workflow:rules")


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    from shoulian.workflow.documents.numbering import format_number, prefix_for

    user: Any = request.user
    bureau = bureau_of(user.unit)
    form = PrefixForm(request.POST or None, initial={"document_prefix": prefix_for(bureau)})
    if request.method == "POST" and form.is_valid():
        try:
            services.document_prefix_set(
                actor=user, bureau=bureau, prefix=form.cleaned_data["document_prefix"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存文书字号前缀。")
            return redirect("workflow:settings")
    prefix = prefix_for(bureau)
    return render(
        request,
        "workflow/settings.html",
        {
            "form": form,
            "bureau": bureau,
            "example": format_number(prefix, "filing_decision", 2026, 12),
        },
        status=400 if form.errors else 200,
    )


# --- approval chains: the legal brigade's page ---------------------------------------------------
@role_required(Role.LEGAL_BRIGADE)
@require_GET
def chains(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    bureau = bureau_of(user.unit)
    return render(
        request,
        "workflow/chains.html",
        {"bureau": bureau, "rows": chain_overview(bureau), "today": timezone.localdate()},
    )


@role_required(Role.LEGAL_BRIGADE)
@require_http_methods(["GET", "POST"])
def chain_edit(request: HttpRequest, kind: str) -> HttpResponse:
    """A new version of the bureau's chain for one decision kind (no rows: the national default)."""
    if kind not in DecisionKind.values:
        raise Http404("没有这个决定类型")
    user: Any = request.user
    bureau = bureau_of(user.unit)
    today = timezone.localdate()
    current = [
        {"role": r.role, "condition": r.condition, "label": r.label}
        for r in chains_module.steps_in_force(bureau, kind, today)
    ]
    data = request.POST if request.method == "POST" else None
    # Rows are "extra" forms: one equal to its initial value would count as unchanged and be
    # dropped, so the current chain is the initial value of the page only, never of a POST.
    initial = current + [{}] * (6 - len(current)) if data is None else None
    steps = ChainStepFormSet(data, prefix="step", initial=initial)
    form = ChainVersionForm(data, initial={"effective_from": today})
    if data is not None and form.is_valid() and steps.is_valid():
        chosen = [
            chains_module.StepInput(s["role"], s["condition"], s.get("label", ""))
            for s in steps.cleaned_data
            if s.get("role")
        ]
        try:
            chains_module.approval_chain_configure(
                actor=user, bureau=bureau, kind=kind, steps=chosen, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{DecisionKind(kind).label}的审批流程新版本。")
            return redirect("workflow:chains")
    return render(
        request,
        "workflow/chain_edit.html",
        {"kind": kind, "kind_label": DecisionKind(kind).label, "steps": steps, "form": form},
        status=400 if data is not None and (form.errors or steps.errors) else 200,
    )
