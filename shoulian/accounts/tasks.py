from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.accounts import services
from shoulian.core import context


@db_periodic_task(crontab(hour="2", minute="10"))
def disable_dormant_accounts() -> list[str]:
    """Nightly (A8): accounts unused for 90 days are disabled, each one journalled."""
    with context.acting(channel="worker"):
        return services.disable_dormant_accounts()


@db_periodic_task(crontab(hour="3", minute="20"))
def clear_expired_sessions() -> int:
    """Nightly: expired server-side sessions and the rows that track them."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from shoulian.accounts.models import UserSession

    with context.acting(channel="worker"):
        expired = Session.objects.filter(expire_date__lt=timezone.now())
        UserSession.objects.filter(session_key__in=expired.values("session_key")).delete()
        count, _ = expired.delete()
        return count
