from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shoulian.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from shoulian.audit import guard, timeline

        connection_created.connect(
            guard.register_sqlite_function, dispatch_uid="shoulian_audit_mode"
        )
        timeline.register_defaults()
