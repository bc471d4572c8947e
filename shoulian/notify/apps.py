from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "shoulian.notify"
    label = "notify"
    verbose_name = "短信通知"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.notify import checks  # noqa: F401  (registers the deploy check)
