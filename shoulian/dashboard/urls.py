from django.urls import path

from shoulian.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.platform, name="platform"),
    path("wall/", views.wall, name="wall"),
    path("data/", views.data, name="data"),
    path("feed/", views.feed, name="feed"),
    path("waiting/", views.waiting, name="waiting"),
    path("warnings/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("displays/", views.display_links, name="displays"),
    path("displays/<int:pk>/revoke/", views.display_revoke, name="display_revoke"),
]
