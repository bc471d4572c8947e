from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.models import AuditEvent
from shoulian.core.access import role_required


@role_required(Role.INSPECTOR)
def journal_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(AuditEvent.objects.order_by("-id"), 50).get_page(request.GET.get("page"))
    record(EventType.JOURNAL_READ, data={"page": page.number})
    return render(request, "audit/journal.html", {"page": page})
