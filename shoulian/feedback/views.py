"""Staff pages of complaints and follow-ups. Thin: fetch through a selector,
validate with a form, call one service."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from shoulian.accounts.choices import Role
from shoulian.core.access import deny, role_required
from shoulian.core.forms import add_service_errors
from shoulian.core.paging import KeysetPage, capped_count, count_label, keyset_page, queue_total
from shoulian.feedback import selectors, services
from shoulian.feedback.choices import ComplaintChannel, ComplaintStatus, FollowUpStatus
from shoulian.feedback.forms import AnswerForm, DeskComplaintForm, FollowUpForm
from shoulian.intake.models import Alert
from shoulian.org.choices import UnitKind

COMPLAINT_READERS = (Role.CLERK, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR)
CENTER_ROLES = (Role.CLERK, Role.CENTER_HEAD)
PAGE_SIZE = 30


def _at_center(user: Any) -> bool:
    unit = getattr(user, "unit", None)
    return unit is not None and unit.kind == UnitKind.CENTER


def _require_center_clerk(request: HttpRequest, *wider: str) -> None:
    """A 接报警员 takes part only at the center's desk: a station's desk clerk has no complaints
    or follow-ups (``wider`` roles need no center seat)."""
    user: Any = request.user
    if user.has_role(*wider) or _at_center(user):
        return
    raise deny(request, reason="not_center")


# --- complaints ----------------------------------------------------------------------------------
@role_required(*COMPLAINT_READERS)
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    _require_center_clerk(request, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR)
    status = request.GET.get("status", "")
    if status not in ComplaintStatus.values:
        status = ""
    waiting = (
        selectors.complaints_waiting(request.user) if status != ComplaintStatus.ANSWERED else []
    )
    # The oldest page of the unanswered (issue 14); how many there are, capped.
    waiting_total = queue_total(
        len(waiting),
        selectors.QUEUE_PAGE,
        lambda: capped_count(selectors.waiting_complaints(request.user)),
    )
    page: KeysetPage[Any] | None = None
    total = ""
    if status != ComplaintStatus.RECEIVED:
        # Keyset pages and a capped count over the answers (issue 14): no OFFSET, no COUNT of
        # every answer the bureau gave.
        answered = selectors.complaints_answered(request.user)
        page = keyset_page(answered, request.GET, time_field="answered_at", size=PAGE_SIZE)
        total = count_label(capped_count(answered))
    # The unanswered queue heads the first page only; older pages list answers.
    complaints = (waiting if page is None or page.is_first else []) + (page.rows if page else [])
    rows = selectors.complaint_rows(complaints)
    return render(
        request,
        "feedback/complaint_list.html",
        {
            "rows": rows,
            "page": page,
            "total": total,
            "waiting_total": count_label(waiting_total),
            "waiting_more": waiting_total > len(waiting),
            "waiting_shown": len(waiting),
            "query": f"status={status}" if status else "",
            "status": status,
            "statuses": ComplaintStatus.choices,
            "can_register": request.user.has_role(*CENTER_ROLES) and _at_center(request.user),  # type: ignore[union-attr]
        },
    )


@role_required(*COMPLAINT_READERS)
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_center_clerk(request, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR)
    user: Any = request.user
    complaint = selectors.complaint_for_detail(user, pk)
    can_answer = (
        user.has_role(Role.CENTER_HEAD)
        and user.unit_id == complaint.center_id
        and complaint.status == ComplaintStatus.RECEIVED
    )
    form = AnswerForm(initial={"version": complaint.version})
    status = 200
    if request.method == "POST" and "accept" in request.POST:
        # 告知受理: one button, the version the page was read at.
        if not can_answer:
            raise deny(request, reason="complaint_accept", obj=complaint)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.complaint_accept(actor=user, complaint=complaint, expected_version=version)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已告知受理 {complaint.number}，答复期限自现在起算。")
        return redirect("feedback:complaint", pk=complaint.pk)
    if request.method == "POST":
        if not can_answer:
            raise deny(request, reason="complaint_answer", obj=complaint)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_answer(
                    actor=user,
                    complaint=complaint,
                    answer=form.cleaned_data["answer"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 409 if not hasattr(exc, "error_dict") else 400
            else:
                messages.success(request, f"已答复 {complaint.number}，已短信通知投诉人。")
                return redirect("feedback:complaint", pk=complaint.pk)
        else:
            status = 400
    return render(
        request,
        "feedback/complaint_detail.html",
        {
            "complaint": complaint,
            "deadline": selectors.complaint_deadline_item(complaint),
            "public": selectors.public_complaint(complaint),
            "form": form,
            "can_answer": can_answer,
        },
        status=status,
    )


@role_required(*CENTER_ROLES)
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    """The desk registers a complaint or suggestion a citizen makes in person or by phone."""
    _require_center_clerk(request)
    user: Any = request.user
    status = 200
    if request.method == "POST":
        form = DeskComplaintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            alert = None
            number = data["alert_number"].strip()
            if number:
                alert = Alert.objects.visible_to(user).filter(number=number).first()
                if alert is None:
                    form.add_error("alert_number", "本局没有这个警情编号，请核对。")
            if not form.errors:
                try:
                    complaint = services.complaint_submit(
                        channel=ComplaintChannel.DESK,
                        kind=data["kind"],
                        content=data["content"],
                        mobile=data["mobile"],
                        name=data["name"],
                        alert=alert,
                        actor=user,
                        idempotency_key=data["idempotency_key"],
                    )
                except services.IdempotencyMismatch as exc:
                    add_service_errors(form, exc)
                    status = 422
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    status = 400
                else:
                    messages.success(
                        request,
                        f"已登记 {complaint.number}。请告知群众查询码 {complaint.query_code_display}"
                        "（已短信发送），凭查询码和手机号可查看答复。",
                    )
                    return redirect("feedback:complaint", pk=complaint.pk)
            else:
                status = 400
        else:
            status = 400
    else:
        form = DeskComplaintForm(initial={"idempotency_key": uuid.uuid4().hex})
    return render(request, "feedback/complaint_new.html", {"form": form}, status=status)


# --- follow-ups ----------------------------------------------------------------------------------
@role_required(*CENTER_ROLES)
@require_GET
def follow_up_queue(request: HttpRequest) -> HttpResponse:
    _require_center_clerk(request, Role.CENTER_HEAD)
    # The finished tasks in keyset pages with a capped count (issue 14); the open queue (at
    # most selectors.QUEUE_LIMIT, due order, the rest counted) heads the first page.
    finished = selectors.follow_ups_done(request.user)
    page = keyset_page(finished, request.GET, time_field="done_at", size=PAGE_SIZE)
    rows = selectors.follow_up_queue(request.user) if page.is_first else []
    pending = queue_total(
        len(rows), selectors.QUEUE_LIMIT, lambda: selectors.follow_ups_pending(request.user)
    )
    return render(
        request,
        "feedback/follow_up_queue.html",
        {
            "rows": rows,
            "pending": count_label(pending),
            "pending_more": pending > len(rows),
            "done": page.rows,
            "page": page,
            "total": count_label(capped_count(finished)),
            "query": "",
            "days": services.follow_up_days(),
            "max_attempts": services.follow_up_max_attempts(),
        },
    )


@role_required(*CENTER_ROLES)
@require_http_methods(["GET", "POST"])
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_center_clerk(request, Role.CENTER_HEAD)
    user: Any = request.user
    follow_up = selectors.follow_up_for_detail(user, pk)
    callable_now = follow_up.status == FollowUpStatus.OPEN or (
        follow_up.status == FollowUpStatus.WAITING
        and follow_up.ready_at is not None
        and follow_up.ready_at <= timezone.now()
    )
    can_record = user.unit_id == follow_up.center_id and callable_now
    form = FollowUpForm(initial={"version": follow_up.version, "reached": "yes"})
    status = 200
    if request.method == "POST" and not can_record:
        if user.unit_id != follow_up.center_id:
            raise deny(request, reason="follow_up_record", obj=follow_up.alert)
        # Our own task, just not callable (waiting for the 复议 windows, or already done).
        status = 409
    elif request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = services.follow_up_record(
                    actor=user,
                    follow_up=follow_up,
                    reached=data["reached"] == "yes",
                    satisfaction=data["satisfaction"],
                    note=data["note"],
                    expected_version=data["version"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                if done.status == FollowUpStatus.DONE:
                    text = f"已记录回访：{done.get_satisfaction_display()}。"
                    if done.satisfaction == "dissatisfied":
                        text += "不满意意见由巡查监督转办案单位整改。"
                elif done.status == FollowUpStatus.UNREACHABLE:
                    text = f"已联系{done.attempts}次均未联系上，回访任务办结。"
                else:
                    text = f"已记录第{done.attempts}次联系（未联系上），任务保留待再次回访。"
                messages.success(request, text)
                return redirect("feedback:follow_ups")
        else:
            status = 400
    return render(
        request,
        "feedback/follow_up_detail.html",
        {
            "follow_up": follow_up,
            "alert": follow_up.alert,
            "form": form,
            "can_record": can_record,
            "max_attempts": services.follow_up_max_attempts(),
        },
        status=status,
    )
