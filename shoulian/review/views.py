"""Staff pages of the review work. Thin: fetch through a selector, validate with a form, call one
service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from shoulian.accounts.choices import Role
from shoulian.core.access import role_required
from shoulian.core.forms import add_service_errors, posted_version
from shoulian.review import campaigns, report, selectors, services
from shoulian.review.forms import (
    AssignForm,
    AvLinkForm,
    AvReviewForm,
    AvUploadForm,
    CampaignForm,
    ChecklistForm,
    CloseForm,
    GuidanceAnswerForm,
    GuidanceRequestForm,
    ReviewForm,
    ScoreForm,
    checklist_initial,
)
from shoulian.review.policy import READER_ROLES

REVIEWERS = (Role.LEGAL_OFFICER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE)
PATROL_READERS = (Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR)
AV_ROLES = tuple(sorted(services.AV_ROLES))


@role_required(*PATROL_READERS)
@require_GET
def center_patrol(request: HttpRequest) -> HttpResponse:
    """受立案管理中心日常巡查: what the rules raised and what is due for a human look."""
    return render(
        request,
        "review/patrol.html",
        {"work": selectors.center_patrol(request.user), "can_review": _levels(request)},
    )


@role_required(Role.LEGAL_OFFICER)
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """所队法制员 first-level review of its own unit's alerts."""
    return render(request, "review/unit.html", {"work": selectors.unit_first_level(request.user)})


@role_required(Role.LEGAL_BRIGADE)
@require_GET
def legal_queue(request: HttpRequest) -> HttpResponse:
    """法制大队 queue: guidance to answer, alerts to review before the decision."""
    return render(request, "review/queue.html", {"work": selectors.legal_queue(request.user)})


def _levels(request: HttpRequest) -> list[str]:
    return services.levels_of(request.user)


@role_required(*READER_ROLES)
@require_GET
def alert_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """The alert file's 巡查/视音频 tab: its reviews, AV records with their reviews, guidance."""
    user: Any = request.user
    alert = selectors.alert_for(user, pk)
    return render(
        request,
        "review/alert.html",
        {
            "alert": alert,
            "reviews": selectors.reviews_of_alert(user, alert),
            "av_records": selectors.av_records_of_alert(user, alert),
            "guidance": selectors.guidance_of_alert(user, alert),
            "can_review": bool(_levels(request)),
            "can_add_av": bool(set(user.role_set) & services.AV_ROLES),
            "can_ask": bool(set(user.role_set) & services.ASKER_ROLES),
            "can_answer": user.has_role(Role.LEGAL_BRIGADE),
        },
    )


@role_required(*REVIEWERS)
@require_http_methods(["GET", "POST"])
def review_form(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    alert = selectors.alert_for(user, pk)
    levels = _levels(request)
    form = ReviewForm(request.POST or None, levels=levels)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.review_record(
                    actor=user,
                    alert=alert,
                    level=data["level"],
                    mode=data["mode"],
                    channel=data["channel"],
                    result=data["result"],
                    rule_code=data["rule_code"],
                    finding_level=data["finding_level"],
                    finding_summary=data["finding_summary"],
                    comment=data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "评查已记录。")
                return redirect("review:alert", pk=alert.pk)
        status = 400
    return render(request, "review/review_form.html", {"alert": alert, "form": form}, status=status)


@role_required(*AV_ROLES)
@require_http_methods(["GET", "POST"])
def av_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Register an AV record: upload a file, or reference the 执法记录仪 store."""
    user: Any = request.user
    alert = selectors.alert_for(user, pk)
    source = request.POST.get("source", "")
    upload_form = AvUploadForm(
        request.POST if source == "upload" else None,
        request.FILES if source == "upload" else None,
        prefix="up",
    )
    link_form = AvLinkForm(request.POST if source == "external" else None, prefix="ext")
    status = 200
    if request.method == "POST":
        form: Any = upload_form if source == "upload" else link_form
        if form.is_valid():
            data = form.cleaned_data
            common = {
                "actor": user,
                "alert": alert,
                "duration_seconds": data["duration_seconds"],
                "recorded_at": data["recorded_at"],
                "device_no": data["device_no"],
                "title": data["title"],
            }
            try:
                if source == "upload":
                    services.av_record_upload(file=upload_form.file_input(), **common)
                else:
                    services.av_record_link(
                        store=data["store"],
                        external_id=data["external_id"],
                        sha256=data["sha256"],
                        **common,
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "视音频已登记。")
                return redirect("review:alert", pk=alert.pk)
        status = 400
    return render(
        request,
        "review/av_form.html",
        {"alert": alert, "upload_form": upload_form, "link_form": link_form},
        status=status,
    )


@role_required(*REVIEWERS)
@require_http_methods(["GET", "POST"])
def av_review(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    record = selectors.av_record_for(user, pk)
    form = AvReviewForm(request.POST or None, levels=_levels(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.av_review_record(
                    actor=user,
                    av_record=record,
                    level=data["level"],
                    result=data["result"],
                    issues=data["issues"],
                    finding_level=data["finding_level"],
                    comment=data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "视音频审查已记录。")
                return redirect("review:alert", pk=record.alert_id)
        status = 400
    return render(
        request,
        "review/av_review_form.html",
        {"alert": record.alert, "record": record, "form": form},
        status=status,
    )


# --- campaigns ----------------------------------------------------------------------------------------
CAMPAIGN_READERS = (Role.LEGAL_BRIGADE, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR)
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@role_required(*CAMPAIGN_READERS)
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "review/campaign_list.html",
        {
            "campaigns": selectors.campaigns(request.user),
            "can_define": request.user.has_role(Role.LEGAL_BRIGADE),  # type: ignore[union-attr]
        },
    )


@role_required(Role.LEGAL_BRIGADE)
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CampaignForm(request.POST or None, bureau=user.unit.bureau())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = campaigns.campaign_define(
                    actor=user,
                    title=data["title"],
                    kind=data["kind"],
                    review_channel=data["review_channel"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    units=data["units"],
                    categories=data["categories"],
                    channel=data["channel"],
                    sample_size=data["sample_size"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "专项评查已制定，请抽取样本。")
                return redirect("review:campaign", pk=campaign.pk)
        status = 400
    return render(request, "review/campaign_form.html", {"form": form}, status=status)


@role_required(*CAMPAIGN_READERS)
@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    campaign = selectors.campaign_for(user, pk)
    people = campaigns.scorers(campaign.bureau).select_related("unit")
    assign_form = AssignForm(initial={"version": campaign.version}, people=people)
    close_form = CloseForm(initial={"version": campaign.version})
    status = 200
    if request.method == "POST":
        if not user.has_role(Role.LEGAL_BRIGADE):
            raise PermissionDenied("只有法制大队可以办理专项评查。")
        action = request.POST.get("action", "")
        try:
            if action == "draw":
                campaigns.campaign_draw(
                    actor=user,
                    campaign=campaign,
                    expected_version=posted_version(request.POST),
                )
                messages.success(request, "样本已抽取，抽样种子已记入审计日志。")
                return redirect("review:campaign", pk=campaign.pk)
            if action == "cancel":
                campaigns.campaign_cancel(
                    actor=user,
                    campaign=campaign,
                    expected_version=posted_version(request.POST),
                )
                messages.success(request, "专项评查已撤销。")
                return redirect("review:campaign", pk=campaign.pk)
            if action == "assign":
                assign_form = AssignForm(request.POST, people=people)
                if assign_form.is_valid():
                    campaigns.campaign_assign(
                        actor=user,
                        campaign=campaign,
                        expected_version=assign_form.cleaned_data["version"],
                        reviewers=list(assign_form.cleaned_data["reviewers"]),
                    )
                    messages.success(request, "评查任务已分配。")
                    return redirect("review:campaign", pk=campaign.pk)
            elif action == "close":
                close_form = CloseForm(request.POST)
                if close_form.is_valid():
                    campaigns.campaign_close(
                        actor=user,
                        campaign=campaign,
                        expected_version=close_form.cleaned_data["version"],
                        conclusion=close_form.cleaned_data["conclusion"],
                    )
                    messages.success(request, "专项评查已结束，可生成评查报告。")
                    return redirect("review:campaign", pk=campaign.pk)
            else:
                messages.error(request, "未知操作。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        status = 400
    return render(
        request,
        "review/campaign_detail.html",
        {
            "campaign": campaign,
            "entries": selectors.campaign_entries(user, campaign),
            "items": list(campaign.checklist.items.all()),
            "can_act": user.has_role(Role.LEGAL_BRIGADE) and not user.is_auxiliary,
            "assign_form": assign_form,
            "close_form": close_form,
        },
        status=status,
    )


@role_required(Role.LEGAL_BRIGADE, Role.CENTER_HEAD)
@require_http_methods(["GET", "POST"])
def entry_score(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    entry = selectors.campaign_entry_for(user, pk)
    items = list(entry.campaign.checklist.items.order_by("position"))
    form = ScoreForm(request.POST or None, items=items)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaigns.campaign_score(
                    actor=user,
                    entry=entry,
                    failed=form.failed(),
                    finding_level=form.cleaned_data["finding_level"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "评分已保存。")
                return redirect("review:campaign", pk=entry.campaign_id)
        status = 400
    return render(
        request,
        "review/entry_form.html",
        {"entry": entry, "campaign": entry.campaign, "alert": entry.alert, "form": form},
        status=status,
    )


@role_required(*CAMPAIGN_READERS)
@require_GET
def campaign_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in DOCUMENT_TYPES:
        raise Http404("没有这种格式")
    campaign = selectors.campaign_for(request.user, pk)
    if campaign.closed_at is None:
        raise Http404("评查结束后才能生成报告")
    data = report.report_render(actor=request.user, campaign=campaign, fmt=fmt)
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    filename = f"{campaign.title}评查报告.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"campaign-{campaign.pk}.{fmt}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- guidance on case nature ----------------------------------------------------------------------------
@role_required(*services.ASKER_ROLES)
@require_http_methods(["GET", "POST"])
def guidance_ask(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    alert = selectors.alert_for(user, pk)
    form = GuidanceRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.guidance_request(
                    actor=user, alert=alert, question=form.cleaned_data["question"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已向法制大队申请定性指导，答复后将通知您。")
                return redirect("review:alert", pk=alert.pk)
        status = 400
    return render(
        request, "review/guidance_ask.html", {"alert": alert, "form": form}, status=status
    )


@role_required(*READER_ROLES)
@require_http_methods(["GET", "POST"])
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    guidance = selectors.guidance_for(user, pk)
    can_answer = guidance.status == "pending" and user.has_role(Role.LEGAL_BRIGADE)
    form = GuidanceAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not user.has_role(Role.LEGAL_BRIGADE):
            raise PermissionDenied("只有法制大队可以答复定性指导。")
        if form.is_valid():
            try:
                services.guidance_answer(actor=user, guidance=guidance, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "定性指导已答复，已通知申请民警。")
                return redirect("review:guidance", pk=guidance.pk)
        status = 400
    return render(
        request,
        "review/guidance.html",
        {"g": guidance, "alert": guidance.alert, "form": form, "can_answer": can_answer},
        status=status,
    )


@role_required(*READER_ROLES)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """案例: answered guidance of the bureau, searchable by words of the title, nature, basis."""
    q = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "review/cases.html",
        {"q": q, "rows": selectors.guidance_cases(request.user, q)[:100]},
    )


# --- 评查标准: the checklist's versions -------------------------------------------------------------
@role_required(*CAMPAIGN_READERS)
@require_GET
def checklist_list(request: HttpRequest) -> HttpResponse:
    """The version in force and every earlier one of the bureau (and the seeded default)."""
    user: Any = request.user
    bureau = user.unit.bureau()
    try:
        current = campaigns.checklist_in_force(bureau, timezone.localdate())
    except ValidationError:
        current = None
    return render(
        request,
        "review/checklist_list.html",
        {
            "current": current,
            "versions": selectors.checklist_versions(bureau),
            "can_publish": user.has_role(Role.LEGAL_BRIGADE),
            "today": timezone.localdate(),
        },
    )


@role_required(Role.LEGAL_BRIGADE)
@require_http_methods(["GET", "POST"])
def checklist_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    if request.method == "POST":
        form = ChecklistForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                checklist = campaigns.checklist_publish(
                    actor=user,
                    name=data["name"],
                    items=data["items"],
                    change_reason=data["change_reason"],
                    effective_from=data["effective_from"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"评查标准第{checklist.version}版已发布，"
                    f"自{checklist.effective_from:%Y年%-m月%-d日}起制定的专项评查按本版打分。",
                )
                return redirect("review:checklists")
        return render(request, "review/checklist_form.html", {"form": form}, status=400)
    try:
        base = campaigns.checklist_in_force(user.unit.bureau(), today)
        initial = {**checklist_initial(base), "effective_from": today}
    except ValidationError:
        initial = {"effective_from": today}
    return render(request, "review/checklist_form.html", {"form": ChecklistForm(initial=initial)})
