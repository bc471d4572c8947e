from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "shoulian.intake"
    label = "intake"
    verbose_name = "接报警"
    default_auto_field = "django.db.models.BigAutoField"
