from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shoulian.supervision"
    label = "supervision"
    verbose_name = "巡查监督"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rule catalogue registers its predicates on import (one code registry).
        from shoulian.core import slots
        from shoulian.supervision import rules, subscribers  # noqa: F401

        # The inbox link with its unread count in every staff page's header; the findings
        # waiting for the user on the home page.
        slots.register("base.header", "supervision/_slot_header.html")
        slots.register("core.home.notices", "supervision/_slot_home.html", order=20)
