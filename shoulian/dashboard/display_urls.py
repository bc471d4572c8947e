"""The wall screen opened by a display link (``/display/``): the wall, its data and its feed,
and the one-time opening link. Nothing else answers to a display link (docs/dashboard.md)."""

from django.urls import path

from shoulian.dashboard import views

app_name = "display"

urlpatterns = [
    path("", views.display_wall, name="wall"),
    path("data/", views.display_data, name="data"),
    path("feed/", views.display_feed, name="feed"),
    path("open/<str:token>/", views.display_open, name="open"),
]
