from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "shoulian.bulletins"
    label = "bulletins"
    verbose_name = "巡查监督通报"
    default_auto_field = "django.db.models.BigAutoField"
