from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "shoulian.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"

    def ready(self) -> None:
        from shoulian.privacy import checks  # noqa: F401  (registers the system checks)

        # Each app declares its personal fields in ``<app>/personal_data.py`` (P4); importing
        # them here fills the registry before any request, command or test reads it.
        autodiscover_modules("personal_data")
