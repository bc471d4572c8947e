from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "shoulian.citizen"
    label = "citizen"
    verbose_name = "群众服务"
    default_auto_field = "django.db.models.BigAutoField"
