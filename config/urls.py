from django.urls import include, path

urlpatterns = [
    path("", include("shoulian.core.urls")),
    path("accounts/", include("shoulian.accounts.urls")),
    path("manage/users/", include("shoulian.accounts.urls_manage")),
    path("manage/", include("shoulian.accounts.urls_org")),
    path("audit/", include("shoulian.audit.urls")),
    path("intake/", include("shoulian.intake.urls")),
    path("api/intake/", include("shoulian.intake.api_urls")),
    path("deadlines/", include("shoulian.deadlines.urls")),
    path("workflow/", include("shoulian.workflow.urls")),
    path("notify/", include("shoulian.notify.urls")),
    path("feedback/", include("shoulian.feedback.urls")),
    path("assistant/", include("shoulian.assistant.urls")),
    path("supervision/", include("shoulian.supervision.urls")),
    path("review/", include("shoulian.review.urls")),
    path("assessment/", include("shoulian.assessment.urls")),
    path("bulletins/", include("shoulian.bulletins.urls")),
    path("dashboard/", include("shoulian.dashboard.urls")),
    # A wall screen's display link (not a staff session): the wall mode and its data only.
    path("display/", include("shoulian.dashboard.display_urls")),
    # The public side: the progress query (the receipt's QR code points at /q/) and the kiosk.
    path("", include("shoulian.citizen.urls")),
]

handler400 = "shoulian.core.views.bad_request"
handler403 = "shoulian.core.views.permission_denied"
handler404 = "shoulian.core.views.page_not_found"
handler500 = "shoulian.core.views.server_error"
