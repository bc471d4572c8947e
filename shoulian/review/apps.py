from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "shoulian.review"
    label = "review"
    verbose_name = "三级巡查评查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.core import links, slots
        from shoulian.review import patrol, policy  # noqa: F401  (patrol registers its rule)

        policy.register()
        # The alert file's 巡查/视音频 tab: workflow marks the place, review fills it.
        slots.register("workflow.file.tabs", "review/_slot_file_tab.html")
        # Inbox notices about guidance lead to its page.
        links.register("guidance", "review:guidance")
