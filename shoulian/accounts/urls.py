from django.urls import path

from shoulian.accounts import approval_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("otp/", views.otp_view, name="otp"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("directory/", views.directory_view, name="directory"),
    path("directory/<int:pk>/", views.directory_detail_view, name="directory_detail"),
    path("approvals/", approval_views.approval_list, name="approvals"),
    path("approvals/<int:pk>/approve/", approval_views.approval_approve, name="approval_approve"),
    path("approvals/<int:pk>/reject/", approval_views.approval_reject, name="approval_reject"),
]
