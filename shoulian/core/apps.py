from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shoulian.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's navigation.py registers its own menu entries (core lists none of theirs).
        autodiscover_modules("navigation")
