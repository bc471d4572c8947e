from django.urls import path

from shoulian.notify import staff_views, views

app_name = "notify"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:key>/", views.template_edit, name="template_edit"),
    path("staff/<int:pk>/mobile/", staff_views.staff_mobile, name="staff_mobile"),
    path("my-sms/", staff_views.my_sms, name="my_sms"),
]
