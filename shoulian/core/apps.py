from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shoulian.core"
    label = "core"
    verbose_name = "基础"
