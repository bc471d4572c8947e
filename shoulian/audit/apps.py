from django.apps import AppConfig

from shoulian.core import health
from shoulian.core.access import register_denial_recorder


class AuditConfig(AppConfig):
    name = "shoulian.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from shoulian.audit import guard, journal, sealer

        connection_created.connect(
            guard.register_sqlite_function, dispatch_uid="shoulian_audit_mode"
        )
        register_denial_recorder(journal.record_denied_request)
        # How long the oldest committed event waits for its seal (the sealer loop keeps it
        # under two seconds; the worker's minute task alone, about a minute).
        health.register("sealer", sealer.lag_seconds, default_threshold=120)
