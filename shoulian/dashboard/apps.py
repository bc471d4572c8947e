from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "shoulian.dashboard"
    label = "dashboard"
    verbose_name = "一屏式监督平台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the rollup upkeep as a transition subscriber (order 900) and an intake
        # subscriber, so the counters move in the transaction of the change.
        from shoulian.dashboard import subscribers  # noqa: F401
