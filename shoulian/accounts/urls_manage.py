from django.urls import path

from shoulian.accounts import manage_views as v

app_name = "users"

urlpatterns = [
    path("", v.user_list, name="list"),
    path("new/", v.user_create, name="create"),
    path("<int:pk>/", v.user_detail, name="detail"),
    path("<int:pk>/unlock/", v.user_unlock, name="unlock"),
    path("<int:pk>/disable/", v.user_disable, name="disable"),
    path("<int:pk>/enable/", v.user_enable, name="enable"),
    path("<int:pk>/reset-password/", v.user_reset_password, name="reset_password"),
    path("<int:pk>/reset-otp/", v.user_reset_otp, name="reset_otp"),
    path("<int:pk>/changes/<int:change>/withdraw/", v.change_withdraw, name="withdraw"),
]
