from django.urls import path

from shoulian.audit import views

app_name = "audit"

urlpatterns = [
    path("journal/", views.journal_list, name="journal"),
]
