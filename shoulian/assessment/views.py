"""Staff pages of assessment. Thin: fetch through a selector, validate with a form, call one
service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.assessment import selectors, services
from shoulian.assessment.choices import (
    UNRECTIFIED_CODE,
    ChallengeStatus,
    ItemKind,
    PeriodKind,
    SchemeStatus,
    Subject,
)
from shoulian.assessment.forms import (
    AnswerForm,
    BonusForm,
    ChallengeForm,
    InterviewForm,
    OutcomeForm,
    ReferralForm,
    SchemeForm,
    scheme_initial,
)
from shoulian.assessment.models import Challenge, Interview, Referral
from shoulian.assessment.periods import Period, current
from shoulian.assessment.policy import (
    ACCOUNTABILITY,
    ACCOUNTABILITY_READERS,
    RANKING_READERS,
    REFERRERS,
)
from shoulian.assessment.scoring import NODE_RULES
from shoulian.assessment.versions import Chain
from shoulian.core.access import deny, role_required
from shoulian.core.forms import add_service_errors
from shoulian.deadlines.models import DeadlineRule
from shoulian.deadlines.versions import legal_date
from shoulian.org.models import Unit
from shoulian.supervision import registry
from shoulian.supervision.models import Finding

STAFF = tuple(r for r in Role.values if r != Role.ADMIN)
LEGAL = (Role.LEGAL_BRIGADE,)
# Deadline nodes that are not staff duties (the complainant's windows) or not about alerts.
NOT_NODES = frozenset(
    {
        "reconsideration_application",
        "review_application",
        "score_challenge",
        "score_challenge_answer",
        "complaint_acceptance",
        "complaint_answer",
        "complaint_center_answer",
    }
)
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest) -> Period:
    kind = request.GET.get("kind", PeriodKind.MONTH)
    kind = kind if kind in PeriodKind.values else PeriodKind.MONTH
    try:
        return Period.parse(kind, request.GET.get("p", ""))
    except (ValueError, TypeError):
        return current(kind)


def _period_context(period: Period) -> dict[str, Any]:
    now = current(period.kind)
    return {
        "period": period,
        "kinds": PeriodKind.choices,
        "choices": [now.previous(n) for n in range(0, 12 if period.kind == "month" else 6)],
        "query": f"kind={period.kind}&p={period.token}",
    }


def _attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- cards and rankings ---------------------------------------------------------------------------
@role_required(*STAFF)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """我的考评: the user's own card, the unit's card and its rank."""
    user: Any = request.user
    period = _period(request)
    bureau = selectors.bureau_of(user)
    rankings = selectors.compute_rankings(bureau, period)
    own = selectors.card_for(user, subject=Subject.OFFICER, key=user.pk, period=period)
    unit_card = next((c for c in rankings.units if c.key == user.unit_id), None)
    officer_rank = selectors.rank_of(rankings.officers, user.pk)
    return render(
        request,
        "assessment/overview.html",
        {
            **_period_context(period),
            "own": own,
            "is_officer": user.has_role(Role.OFFICER),
            "unit_card": unit_card,
            "unit_rank": selectors.rank_of(rankings.units, user.unit_id),
            "officer_rank": officer_rank,
            "is_reader": selectors.is_ranking_reader(user),
            "pending": selectors.challenges(user, pending_only=True).count()
            if user.has_role(Role.LEGAL_BRIGADE)
            else 0,
        },
    )


@role_required(*RANKING_READERS)
@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    period = _period(request)
    bureau = selectors.bureau_of(user)
    result = selectors.compute_rankings(bureau, period)
    unit_trends = selectors.trends(bureau, period, Subject.UNIT, [c.key for c in result.units])
    officer_trends = selectors.trends(
        bureau, period, Subject.OFFICER, [c.key for c in result.officers]
    )
    for card in result.units:
        card.trend = unit_trends[card.key]  # type: ignore[attr-defined]
    for card in result.officers:
        card.trend = officer_trends[card.key]  # type: ignore[attr-defined]
    return render(
        request,
        "assessment/rankings.html",
        {**_period_context(period), "rankings": result, "can_run": user.has_role(*LEGAL)},
    )


@role_required(*RANKING_READERS)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    data = services.rankings_export(actor=request.user, period=period)
    return _attachment(data, XLSX, f"assessment-{period.token}.xlsx")


@role_required(*LEGAL)
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    stats = services.score_bureau(bureau=selectors.bureau_of(user), actor=user)
    messages.success(request, f"已计分：新增{stats.posted}笔扣分，{stats.expired}笔申诉期届满。")
    return redirect("assessment:rankings")


def _card_page(request: HttpRequest, *, subject: str, key: int, title: str, extra: Any) -> Any:
    user: Any = request.user
    period = _period(request)
    card = selectors.card_for(user, subject=subject, key=key, period=period)
    entries = list(selectors.card_entries(user, subject=subject, key=key, period=period))
    return render(
        request,
        "assessment/card.html",
        {**_period_context(period), "card": card, "entries": entries, "title": title, **extra},
    )


@role_required(*STAFF)
@require_GET
def unit_card(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_for_card(request.user, pk)
    return _card_page(
        request, subject=Subject.UNIT, key=unit.pk, title=unit.name, extra={"unit": unit}
    )


@role_required(*STAFF)
@require_GET
def officer_card(request: HttpRequest, pk: int) -> HttpResponse:
    officer = selectors.officer_for_card(request.user, pk)
    return _card_page(
        request,
        subject=Subject.OFFICER,
        key=officer.pk,
        title=f"{officer.full_name}（{officer.unit.name if officer.unit else ''}）",
        extra={"officer": officer},
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    entry = selectors.entry_for_detail(user, pk)
    challenge = (
        Challenge.objects.filter(entry=entry).select_related("filed_by", "answered_by").first()
    )
    window = services.window_of(entry)
    may_challenge = (
        challenge is None
        and entry.points < 0
        and services._may_challenge(user, entry)
        and window is not None
        and window.status != "stopped"
        and window.due_at is not None
        and timezone.now() <= window.due_at
    )
    may_answer = (
        challenge is not None
        and challenge.status == ChallengeStatus.PENDING
        and Challenge.objects.visible_to(user, action="answer").filter(pk=challenge.pk).exists()
    )
    challenge_form = ChallengeForm()
    answer_form = AnswerForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "challenge":
                challenge_form = ChallengeForm(request.POST)
                if challenge_form.is_valid():
                    services.challenge_file(
                        actor=user, entry=entry, reason=challenge_form.cleaned_data["reason"]
                    )
                    messages.success(request, "申诉已提交，法制大队将在3日内答复。")
                    return redirect("assessment:entry", pk=entry.pk)
            elif action == "answer" and challenge is not None:
                answer_form = AnswerForm(request.POST)
                if answer_form.is_valid():
                    upheld = answer_form.cleaned_data["decision"] == "upheld"
                    services.challenge_answer(
                        actor=user,
                        challenge=challenge,
                        upheld=upheld,
                        answer=answer_form.cleaned_data["answer"],
                    )
                    messages.success(
                        request, "已答复：" + ("异议成立，已冲正扣分。" if upheld else "维持扣分。")
                    )
                    return redirect("assessment:entry", pk=entry.pk)
            else:
                raise deny(request, reason="action")
        except PermissionDenied:
            raise
        except ValidationError as exc:
            add_service_errors(answer_form if action == "answer" else challenge_form, exc)
        status = 400
    return render(
        request,
        "assessment/entry.html",
        {
            "entry": entry,
            "challenge": challenge,
            "window": window,
            "answer_deadline": services.answer_deadline_of(challenge) if challenge else None,
            "may_challenge": may_challenge,
            "may_answer": may_answer,
            "challenge_form": challenge_form,
            "answer_form": answer_form,
            "reversals": list(entry.reversals.all()),
        },
        status=status,
    )


@role_required(*STAFF)
@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    rows = list(selectors.challenges(user)[:300])
    return render(request, "assessment/challenges.html", {"rows": rows})


# --- the 考核办法 -----------------------------------------------------------------------------------
def _catalogue() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for code, definition in registry.REGISTRY.items():
        if definition.kind == "finding" and not definition.escalates:
            rows.append((ItemKind.FINDING_RULE, code, definition.name))
    names = dict(DeadlineRule.objects.filter(bureau=None, version=1).values_list("code", "name"))
    for code in sorted(names):
        if code not in NOT_NODES:
            rows.append((ItemKind.OVERDUE_NODE, code, names[code]))
    rows.append((ItemKind.UNRECTIFIED, UNRECTIFIED_CODE, "巡查发现逾期未整改"))
    return rows


@role_required(*STAFF)
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    rows = selectors.schemes(user)
    in_force = Chain(selectors.bureau_of(user).pk).on(legal_date(timezone.now()))
    return render(
        request,
        "assessment/schemes.html",
        {"rows": rows, "in_force": in_force, "can_edit": user.has_role(*LEGAL)},
    )


@role_required(*STAFF)
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    scheme = selectors.scheme_for(user, pk)
    replay = None
    can_publish = scheme.status == SchemeStatus.DRAFT and user.has_role(*LEGAL)
    if can_publish:
        replay = selectors.replay(user, scheme, _period(request))
    labels = dict(ItemKind.choices)
    items = [{**i, "kind_label": labels.get(i["kind"], i["kind"])} for i in scheme.items]
    return render(
        request,
        "assessment/scheme.html",
        {
            **_period_context(_period(request)),
            "scheme": scheme,
            "items": items,
            "replay": replay,
            "can_publish": can_publish,
            "node_rules": sorted(NODE_RULES),
        },
    )


@role_required(*LEGAL)
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    catalogue = _catalogue()
    base = Chain(selectors.bureau_of(user).pk).on(legal_date(timezone.now()))
    if request.method == "POST":
        form = SchemeForm(request.POST, catalogue=catalogue)
        if form.is_valid():
            try:
                scheme = services.scheme_draft(
                    actor=user, change_reason=form.cleaned_data["change_reason"], **form.settings()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"已保存为第{scheme.version}版草稿。请对照试算结果后发布。"
                )
                return redirect("assessment:scheme", pk=scheme.pk)
    else:
        form = SchemeForm(initial=scheme_initial(base) if base else {}, catalogue=catalogue)
    return render(
        request, "assessment/scheme_form.html", {"form": form, "base": base},
        status=400 if form.is_bound else 200,
    )  # fmt: skip


@role_required(*LEGAL)
@require_POST
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_for(request.user, pk)
    try:
        published = services.scheme_publish(actor=request.user, scheme=scheme)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, f"第{scheme.version}版已发布，已对{published.adjustments}笔记分作差额调整。"
        )
    return redirect("assessment:scheme", pk=scheme.pk)


@role_required(*LEGAL)
@require_http_methods(["GET", "POST"])
def bonus(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    bureau = selectors.bureau_of(user)
    scheme = Chain(bureau.pk).on(legal_date(timezone.now()))
    units = Unit.objects.filter(pk__in=[u.pk for u in selectors.assessed_units(bureau)])
    officers = User.objects.filter(
        pk__in=[o.pk for o in selectors.assessed_officers(list(units))]
    ).order_by("full_name")
    items = scheme.bonus_items() if scheme else []
    form = BonusForm(request.POST or None, units=units, officers=officers, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bonus_award(
                actor=user, unit=data["unit"], officer=data["officer"], code=data["code"],
                reason=data["reason"], occurred_at=data["occurred_at"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已加分。")
            return redirect("assessment:unit", pk=data["unit"].pk)
    return render(
        request, "assessment/bonus.html", {"form": form},
        status=400 if form.is_bound else 200,
    )  # fmt: skip


# --- accountability -------------------------------------------------------------------------------
@role_required(*ACCOUNTABILITY_READERS)
@require_GET
def interview_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "assessment/interviews.html",
        {
            "rows": list(selectors.interviews(user)[:300]),
            "can_record": user.has_role(*ACCOUNTABILITY),
        },
    )


def _findings_for_form(user: Any) -> list[Finding]:
    return list(
        Finding.objects.visible_to(user)
        .filter(kind="finding")
        .select_related("unit")
        .order_by("-escalation", "-opened_at")[:200]
    )


@role_required(*ACCOUNTABILITY)
@require_http_methods(["GET", "POST"])
def interview_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    bureau = selectors.bureau_of(user)
    people = (
        User.objects.filter(unit__path__startswith=bureau.path, is_active=True)
        .exclude(pk=user.pk)
        .select_related("unit")
        .order_by("unit__path", "full_name")
    )
    form = InterviewForm(request.POST or None, people=people, findings=_findings_for_form(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = services.interview_record(
                actor=user, interviewee=data["interviewee"], held_at=data["held_at"],
                place=data["place"], reason=data["reason"], outcome=data["outcome"],
                finding_ids=list(data["findings"]),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"约谈已登记：{interview.number}。")
            return redirect("assessment:interview", pk=interview.pk)
    return render(
        request, "assessment/interview_form.html", {"form": form},
        status=400 if form.is_bound else 200,
    )  # fmt: skip


@role_required(*ACCOUNTABILITY_READERS)
@require_GET
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_object_or_404(selectors.interviews(request.user), pk=pk)
    findings = list(interview.findings.select_related("unit").order_by("pk"))
    return render(
        request, "assessment/interview.html", {"interview": interview, "findings": findings}
    )


@role_required(*ACCOUNTABILITY_READERS)
@require_GET
def interview_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in DOCUMENT_TYPES:
        raise Http404
    interview = get_object_or_404(selectors.interviews(request.user), pk=pk)
    data = services.accountability_document(actor=request.user, obj=interview, fmt=fmt)
    return _attachment(data, DOCUMENT_TYPES[fmt], f"interview-{interview.pk}.{fmt}")


@role_required(*ACCOUNTABILITY_READERS)
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "assessment/referrals.html",
        {"rows": list(selectors.referrals(user)[:300]), "can_refer": user.has_role(*REFERRERS)},
    )


@role_required(*REFERRERS)
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    bureau = selectors.bureau_of(user)
    units = Unit.objects.filter(pk__in=[u.pk for u in selectors.assessed_units(bureau)])
    officers = User.objects.filter(unit__in=units, is_active=True).order_by("full_name")
    form = ReferralForm(
        request.POST or None, units=units, officers=officers, findings=_findings_for_form(user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_make(
                actor=user, unit=data["unit"], officer=data["officer"], reason=data["reason"],
                finding_ids=list(data["findings"]),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已移送纪检监察：{referral.number}。")
            return redirect("assessment:referral", pk=referral.pk)
    return render(
        request, "assessment/referral_form.html", {"form": form},
        status=400 if form.is_bound else 200,
    )  # fmt: skip


@role_required(*ACCOUNTABILITY_READERS)
@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    referral = get_object_or_404(selectors.referrals(user), pk=pk)
    can_conclude = referral.status == "referred" and user.has_role(Role.INSPECTOR)
    form = OutcomeForm(initial={"version": referral.version})
    status = 200
    if request.method == "POST":
        if not can_conclude:
            raise deny(request, reason="role", obj=referral)
        form = OutcomeForm(request.POST)
        if form.is_valid():
            try:
                services.referral_conclude(
                    actor=user, referral=referral, outcome=form.cleaned_data["outcome"],
                    expected_version=form.cleaned_data["version"],
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已登记处理结果。")
                return redirect("assessment:referral", pk=referral.pk)
        status = 400
    findings = list(
        referral.findings.select_related("unit").prefetch_related("rectifications").order_by("pk")
    )
    return render(
        request,
        "assessment/referral.html",
        {
            "referral": referral,
            "findings": findings,
            "form": form,
            "can_conclude": can_conclude,
            "can_bundle": user.has_role(Role.INSPECTOR),
        },
        status=status,
    )


@role_required(*ACCOUNTABILITY_READERS)
@require_GET
def referral_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in DOCUMENT_TYPES:
        raise Http404
    referral = get_object_or_404(selectors.referrals(request.user), pk=pk)
    data = services.accountability_document(actor=request.user, obj=referral, fmt=fmt)
    return _attachment(data, DOCUMENT_TYPES[fmt], f"referral-{referral.pk}.{fmt}")


@role_required(Role.INSPECTOR)
@require_GET
def referral_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(selectors.referrals(request.user), pk=pk)
    data = services.referral_bundle(actor=request.user, referral=referral)
    return _attachment(data, "application/zip", f"referral-{referral.pk}-evidence.zip")


__all__ = ["Interview", "Referral"]
