from django.urls import path

from shoulian.bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("", views.archive, name="list"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.<str:fmt>", views.statistics_export, name="statistics_export"),
    path("statistics/reviews/", views.review_list, name="reviews"),
    path("statistics/av-reviews/", views.av_review_list, name="av_reviews"),
    path("draft/", views.draft, name="draft"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/document.<str:fmt>", views.document, name="document"),
]
