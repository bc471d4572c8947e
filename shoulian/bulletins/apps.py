from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "shoulian.bulletins"
    label = "bulletins"
    verbose_name = "巡查监督通报"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shoulian.core import links, slots

        # A journal event about a bulletin links to its page (the inspector's journal).
        links.register("bulletin", "bulletins:detail")
        # The bulletins waiting for the center head or the legal brigade, on the home page.
        slots.register("core.home.notices", "bulletins/_slot_home.html", order=40)
