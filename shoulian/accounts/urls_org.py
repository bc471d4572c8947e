from django.urls import path

from shoulian.accounts import org_views as views

app_name = "org"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("areas/", views.area_list, name="area_list"),
    path("areas/new/", views.area_create, name="area_create"),
    path("areas/<int:pk>/", views.area_edit, name="area_edit"),
]
