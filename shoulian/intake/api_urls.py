from django.urls import path

from shoulian.intake import api

app_name = "intake_api"

urlpatterns = [
    path("alerts", api.alert_create, name="alert_create"),
]
