from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "shoulian.assessment"
    label = "assessment"
    verbose_name = "执法质量考评"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.assessment import policy

        policy.register()
