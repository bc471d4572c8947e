"""The checklist pages (read by every content role, revised by the legal brigade) and the desk
panel's two htmx endpoints. Advisory only: nothing here changes an alert."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.assistant import selectors, services
from shoulian.assistant.choices import Context, Nature
from shoulian.assistant.extraction import MEANS_LABELS, RELATIONSHIP_LABELS
from shoulian.assistant.forms import ChecklistForm, ChoiceForm, SuggestForm
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors

READER_ROLES = tuple(r for r in Role.values if r != Role.ADMIN)
# The desks that register reports or propose and approve decisions.
DESK_ROLES = tuple(r for r in Role.values if r not in (Role.ADMIN, Role.INSPECTOR))


@role_required(*READER_ROLES)
@require_GET
def checklist_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "assistant/checklist_list.html", {"checklists": selectors.checklist_list()}
    )


@role_required(*READER_ROLES)
@require_GET
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = selectors.checklist_get(pk)
    history = selectors.checklist_history(checklist.label)
    return render(
        request,
        "assistant/checklist_detail.html",
        {
            "checklist": checklist,
            "history": history,
            "is_current": history[0].pk == checklist.pk,
            "can_revise": request.user.has_role(Role.LEGAL_BRIGADE),  # type: ignore[union-attr]
        },
    )


@role_required(Role.LEGAL_BRIGADE)
@require_http_methods(["GET", "POST"])
def checklist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    base = selectors.checklist_get(pk)
    if not selectors.is_current(base):
        messages.warning(request, "只能在现行版本的基础上修订。")
        return redirect("assistant:checklist", pk=selectors.checklist_history(base.label)[0].pk)
    status = 200
    if request.method != "POST":
        form = ChecklistForm(instance=base)
    else:
        form = ChecklistForm(request.POST)
        if form.is_valid():
            try:
                revised = services.checklist_revise(
                    actor=request.user,
                    base=base,
                    change_note=form.cleaned_data["change_note"],
                    **form.changed_fields(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)  # type: ignore[arg-type]
                status = 400
            else:
                messages.success(request, f"已保存 {revised.label} 第{revised.version}版。")
                return redirect("assistant:checklist", pk=revised.pk)
        else:
            status = 400
    return render(
        request, "assistant/checklist_edit.html", {"form": form, "base": base}, status=status
    )


def _text(request: HttpRequest, form: SuggestForm) -> tuple[str, Any]:
    """The narrative to rank and the alert it belongs to (decision form: the alert's narrative
    and the facts the officer is writing)."""
    data = form.cleaned_data
    alert = None
    parts = [data.get("narrative") or ""]
    if data["context"] == Context.PROPOSE and data.get("alert"):
        alert = selectors.alert_for(request.user, data["alert"])
        parts = [alert.narrative, data.get("facts") or ""]
    return "\n".join(p for p in parts if p.strip()), alert


def _panel(
    request: HttpRequest, form: SuggestForm, *, recorded: dict[str, Any] | None = None
) -> HttpResponse:
    text, alert = _text(request, form)
    context: dict[str, Any] = {
        "assistant_context": form.cleaned_data["context"],
        "recorded": recorded,
    }
    if len(text.strip()) >= 6:
        ranking = selectors.suggest(text)
        base_vals = {"context": form.cleaned_data["context"]}
        if alert is not None:
            base_vals["alert"] = alert.pk
        context.update(
            ranking=ranking,
            facts=ranking.facts,
            natures=Nature.values,
            rows=[
                {"s": s, "vals": json.dumps(base_vals | {"chosen": s.label}, ensure_ascii=False)}
                for s in ranking.top
            ],
            relationship_labels=[RELATIONSHIP_LABELS[r] for r in ranking.facts.relationships],
            means_labels=[MEANS_LABELS[m] for m in ranking.facts.means],
            other_vals=json.dumps(base_vals, ensure_ascii=False),
            include=_include_selector(form.cleaned_data["context"]),
        )
    return render(request, "assistant/_panel.html", context)


def _include_selector(context: str) -> str:
    if context == Context.PROPOSE:
        return "#id_facts, [name=csrfmiddlewaretoken]"
    return "#id_narrative, [name=csrfmiddlewaretoken], [name=idempotency_key]"


@role_required(*DESK_ROLES)
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    return _panel(request, form)


@role_required(*DESK_ROLES)
@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    text, alert = _text(request, form)
    _, recorded = services.nature_choice_record(
        actor=request.user,
        context=form.cleaned_data["context"],
        text=text,
        chosen=form.cleaned_data["chosen"],
        alert=alert,
        form_key=form.cleaned_data.get("idempotency_key") or "",
    )
    return _panel(request, form, recorded=recorded)
