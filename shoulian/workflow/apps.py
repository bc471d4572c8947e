from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "shoulian.workflow"
    label = "workflow"
    verbose_name = "流转与决定"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.core import links

        # Registers the milestone SMS as a transition subscriber (order 100) and the notices'
        # delivery outcome with notify.
        # The periods of intake's nodes (三个当场, 110 补录) from intake's events.
        from shoulian.workflow import intake_clock, milestones  # noqa: F401

        # Every page that names an alert (a deadline, a journal event, intake's old address)
        # leads to its file (警情档案).
        links.register("alert", "workflow:file")
