from django.urls import path

from shoulian.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.alert_list, name="alert_list"),
    path("register/", views.register, name="register"),
    path("register/jurisdiction/", views.jurisdiction_hint, name="jurisdiction_hint"),
    path("register/duplicates/", views.duplicates, name="duplicates"),
    path("drafts/", views.draft_list, name="draft_list"),
    path("drafts/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path("import/", views.import_alerts, name="import"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/complete/", views.complete, name="complete"),
    path("alerts/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("alerts/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("parties/<int:pk>/reveal/", views.party_reveal, name="party_reveal"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/new/", views.category_create, name="category_create"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/flags/", views.category_flags, name="category_flags"),
]
