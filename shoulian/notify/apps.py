from django.apps import AppConfig

from shoulian.core import health


class NotifyConfig(AppConfig):
    name = "shoulian.notify"
    label = "notify"
    verbose_name = "短信通知"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.core import slots
        from shoulian.notify import (
            checks,  # noqa: F401  (registers the deploy check)
            delivery,
        )

        # The administrator's user page gets the work mobile (accounts sits below privacy).
        slots.register("accounts.user_detail", "notify/_slot_work_mobile.html")

        def outbox() -> tuple[float | None, str]:
            age = delivery.oldest_unsent_age()
            return age, f"最早的待发短信已等待 {age:.0f} 秒"

        health.register("outbox", outbox, default_threshold=600)
