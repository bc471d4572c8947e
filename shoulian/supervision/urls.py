from django.urls import path

from shoulian.supervision import views

app_name = "supervision"

urlpatterns = [
    path("findings/", views.finding_list, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("inbox/", views.inbox, name="inbox"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<str:code>/", views.rule_detail, name="rule"),
    path("rules/<str:code>/edit/", views.rule_edit, name="rule_edit"),
    path("runs/", views.run_list, name="runs"),
]
