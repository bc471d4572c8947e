from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shoulian.core import context
from shoulian.feedback import services


@db_periodic_task(crontab(minute="17"))
def release_follow_ups() -> int:
    """Hourly: a 不予立案 alert's follow-up waits for the complainant's 复议/复核 windows, which
    run out without any step on the alert; open those tasks and send their invitations."""
    with context.acting(channel="worker"):
        return services.follow_ups_release()
