"""The public side, included at the site root: the progress query at /q/ (the receipt's QR code
points there) and the kiosk at /kiosk/."""

from django.urls import path

from shoulian.citizen.views import display, kiosk, manage, query

app_name = "citizen"

urlpatterns = [
    path("q/", query.query_start, name="query_start"),
    path("q/large-type/", display.large_type, name="large_type"),
    path("q/code/", query.query_code, name="query_code"),
    path("q/result/", query.query_result, name="query_result"),
    path("q/result/complaint/", query.query_complaint, name="query_complaint"),
    path("q/end/", query.query_end, name="query_end"),
    path("kiosk/", kiosk.kiosk_home, name="kiosk_home"),
    path("kiosk/report/", kiosk.kiosk_report, name="kiosk_report"),
    path("kiosk/receipt/<str:token>/", kiosk.kiosk_receipt, name="kiosk_receipt"),
    path("kiosk/receipt/<str:token>/pdf/", kiosk.kiosk_receipt_pdf, name="kiosk_receipt_pdf"),
    path("kiosk/query/", query.kiosk_query_start, name="kiosk_query_start"),
    path("kiosk/query/code/", query.kiosk_query_code, name="kiosk_query_code"),
    path("kiosk/query/result/", query.kiosk_query_result, name="kiosk_query_result"),
    path(
        "kiosk/query/result/complaint/",
        query.kiosk_query_complaint,
        name="kiosk_query_complaint",
    ),
    path("kiosk/complaint/", kiosk.kiosk_complaint, name="kiosk_complaint"),
    path("kiosk/complaint/<str:token>/", kiosk.kiosk_complaint_done, name="kiosk_complaint_done"),
    path("kiosk/enrol/<str:token>/", manage.kiosk_enrol, name="kiosk_enrol"),
    path("kiosk/manage/", manage.kiosk_manage, name="kiosk_manage"),
    path("kiosk/manage/<int:pk>/toggle/", manage.kiosk_toggle, name="kiosk_toggle"),
    path("kiosk/manage/<int:pk>/enrolment/", manage.kiosk_reissue, name="kiosk_reissue"),
]
