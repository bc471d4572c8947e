from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shoulian.supervision"
    label = "supervision"
    verbose_name = "巡查监督"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rule catalogue registers its predicates on import (one code registry).
        from shoulian.supervision import rules, subscribers  # noqa: F401
