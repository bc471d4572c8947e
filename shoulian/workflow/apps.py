from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "shoulian.workflow"
    label = "workflow"
    verbose_name = "流转与决定"
    default_auto_field = "django.db.models.BigAutoField"
