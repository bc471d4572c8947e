from django.urls import path

from shoulian.assistant import views

app_name = "assistant"

urlpatterns = [
    path("checklists/", views.checklist_list, name="checklists"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist"),
    path("checklists/<int:pk>/revise/", views.checklist_edit, name="checklist_edit"),
    path("suggest/", views.suggest, name="suggest"),
    path("choose/", views.choose, name="choose"),
]
