from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shoulian.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from shoulian.accounts import checks  # noqa: F401
