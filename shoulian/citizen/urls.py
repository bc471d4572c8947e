"""The public side, included at the site root: the progress query at /q/ (the receipt's QR code
points there) and the kiosk at /kiosk/."""

from django.urls import path

from shoulian.citizen import views

app_name = "citizen"

urlpatterns = [
    path("q/", views.query_start, name="query_start"),
    path("q/code/", views.query_code, name="query_code"),
    path("q/result/", views.query_result, name="query_result"),
    path("q/result/complaint/", views.query_complaint, name="query_complaint"),
    path("q/end/", views.query_end, name="query_end"),
    path("kiosk/", views.kiosk_home, name="kiosk_home"),
    path("kiosk/report/", views.kiosk_report, name="kiosk_report"),
    path("kiosk/receipt/<str:token>/", views.kiosk_receipt, name="kiosk_receipt"),
    path("kiosk/receipt/<str:token>/pdf/", views.kiosk_receipt_pdf, name="kiosk_receipt_pdf"),
    path("kiosk/query/", views.kiosk_query_start, name="kiosk_query_start"),
    path("kiosk/query/code/", views.kiosk_query_code, name="kiosk_query_code"),
    path("kiosk/query/result/", views.kiosk_query_result, name="kiosk_query_result"),
    path(
        "kiosk/query/result/complaint/",
        views.kiosk_query_complaint,
        name="kiosk_query_complaint",
    ),
    path("kiosk/complaint/", views.kiosk_complaint, name="kiosk_complaint"),
    path("kiosk/complaint/<str:token>/", views.kiosk_complaint_done, name="kiosk_complaint_done"),
    path("kiosk/enrol/<str:token>/", views.kiosk_enrol, name="kiosk_enrol"),
    path("kiosk/manage/", views.kiosk_manage, name="kiosk_manage"),
    path("kiosk/manage/<int:pk>/toggle/", views.kiosk_toggle, name="kiosk_toggle"),
    path("kiosk/manage/<int:pk>/enrolment/", views.kiosk_reissue, name="kiosk_reissue"),
]
