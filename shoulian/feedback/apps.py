from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "shoulian.feedback"
    label = "feedback"
    verbose_name = "投诉建议与回访"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the follow-up task as a transition subscriber (order 200).
        from shoulian.feedback import policy, subscribers  # noqa: F401

        policy.register()
