from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "shoulian.review"
    label = "review"
    verbose_name = "三级巡查评查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.review import policy

        policy.register()
