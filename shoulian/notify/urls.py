from django.urls import path

from shoulian.notify import views

app_name = "notify"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:key>/", views.template_edit, name="template_edit"),
]
