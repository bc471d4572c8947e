from django.urls import path

from shoulian.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export.xlsx", views.export, name="export"),
    path("rankings/run/", views.run, name="run"),
    path("units/<int:pk>/", views.unit_card, name="unit"),
    path("officers/<int:pk>/", views.officer_card, name="officer"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("challenges/", views.challenge_list, name="challenges"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("bonus/", views.bonus, name="bonus"),
    path("interviews/", views.interview_list, name="interviews"),
    path("interviews/new/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview"),
    path(
        "interviews/<int:pk>/record.<slug:fmt>", views.interview_document, name="interview_document"
    ),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/letter.<slug:fmt>", views.referral_document, name="referral_document"),
    path("referrals/<int:pk>/evidence.zip", views.referral_bundle, name="referral_bundle"),
]
