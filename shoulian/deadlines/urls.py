from django.urls import path

from shoulian.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("", views.my_deadlines, name="my"),
    path("<int:pk>/", views.deadline_detail, name="detail"),
    path("<int:pk>/extend/", views.extension_request, name="extension_request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<slug:code>/", views.rule_detail, name="rule_detail"),
    path("rules/<slug:code>/edit/", views.rule_edit, name="rule_edit"),
    path("calendar/", views.calendar_index, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("calendar/<int:year>/publish/", views.calendar_year_publish, name="calendar_publish"),
    path(
        "calendar/<int:year>/days/<str:day>/remove/",
        views.calendar_day_remove,
        name="calendar_day_remove",
    ),
]
