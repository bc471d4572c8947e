from django.urls import path

from shoulian.workflow import views

app_name = "workflow"

urlpatterns = [
    path("", views.work_queue, name="queue"),
    path("routing/", views.routing_queue, name="routing"),
    path("routing/rules/", views.rules, name="rules"),
    path("routing/rules/<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("inbox/", views.inbox, name="inbox"),
    path("approvals/", views.approvals, name="approvals"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    # The alert file (警情档案): a stable name other pages (dashboard, lists) link to.
    path("file/<int:pk>/", views.alert_file, name="file"),
    path("file/<int:pk>/<slug:tab>/", views.alert_file, name="file_tab"),
    path("alerts/<int:pk>/<slug:action>/", views.alert_action, name="action"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("documents/<int:pk>.<slug:fmt>", views.document_download, name="document"),
    path("settings/", views.settings_page, name="settings"),
    path("chains/", views.chains, name="chains"),
    path("chains/<slug:kind>/", views.chain_edit, name="chain_edit"),
]
