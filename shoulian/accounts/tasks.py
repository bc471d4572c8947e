from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.accounts import services
from shoulian.core import context


@db_periodic_task(crontab(hour="2", minute="10"))
def disable_dormant_accounts() -> list[str]:
    """Nightly (A8): accounts unused for 90 days are disabled, each one journalled."""
    with context.acting(channel="worker"):
        return services.disable_dormant_accounts()
