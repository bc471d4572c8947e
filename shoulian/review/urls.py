from django.urls import path

from shoulian.review import views

app_name = "review"

urlpatterns = [
    path("patrol/", views.center_patrol, name="patrol"),
    path("unit/", views.unit_list, name="unit"),
    path("queue/", views.legal_queue, name="queue"),
    path("alert/<int:pk>/", views.alert_reviews, name="alert"),
    path("alert/<int:pk>/review/", views.review_form, name="review_form"),
    path("alert/<int:pk>/av/", views.av_add, name="av_add"),
    path("av/<int:pk>/review/", views.av_review, name="av_review"),
    path("alert/<int:pk>/guidance/", views.guidance_ask, name="guidance_ask"),
    path("guidance/<int:pk>/", views.guidance_detail, name="guidance"),
    path("cases/", views.case_list, name="cases"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/report.<str:fmt>", views.campaign_report, name="campaign_report"),
    path("campaign-alerts/<int:pk>/", views.entry_score, name="entry"),
    path("checklists/", views.checklist_list, name="checklists"),
    path("checklists/new/", views.checklist_new, name="checklist_new"),
]
