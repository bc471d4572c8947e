from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "shoulian.deadlines"
    label = "deadlines"
    verbose_name = "法定期限"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.core import slots

        # The administrator's missing-calendar warning on the home page (the tag checks the role).
        slots.register("core.home.notices", "deadlines/includes/home_notice.html", order=10)
