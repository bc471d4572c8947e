from django.urls import path

from shoulian.audit import views

app_name = "audit"

urlpatterns = [
    path("journal/", views.journal_list, name="journal"),
    path("journal/export.csv", views.journal_export, name="journal_export"),
    path("timeline/<slug:object_type>/<str:object_id>/", views.object_timeline, name="timeline"),
]
