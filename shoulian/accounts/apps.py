from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shoulian.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from shoulian.accounts import (
            checks,  # noqa: F401
            policy,
        )

        policy.register()

        # last_login means "passed both factors" (login_completed sets it): Django's receiver
        # would stamp it at the password step and let half-finished logins count as activity
        # for the dormant-account rule (A8).
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
