from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "shoulian.assistant"
    label = "assistant"
    verbose_name = "案件定性辅助"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.assistant import patrol  # noqa: F401  (registers the 有案不受 patrol rule)
        from shoulian.core import slots

        # The suggestion panel beside the registration form and the decision (proposal) form:
        # intake and workflow mark the place, the assistant fills it (they never import it).
        slots.register("intake.register.narrative", "assistant/_slot_register.html")
        slots.register("workflow.action.form", "assistant/_slot_propose.html")
