from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "shoulian.deadlines"
    label = "deadlines"
    verbose_name = "法定期限"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.deadlines import home  # noqa: F401 - registers the home-page panel
