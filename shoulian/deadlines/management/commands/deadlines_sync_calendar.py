from django.core.management.base import BaseCommand

from shoulian.core import context
from shoulian.deadlines.services import calendar_sync_from_library


class Command(BaseCommand):
    help = "从 chinese-calendar 同步国务院节假日安排（幂等；不覆盖系统管理员录入或修改过的年度）"

    def handle(self, *args, **options):
        with context.acting(channel="command"):
            report = calendar_sync_from_library(actor=None)
        self.stdout.write(report.summary())
        if report.differs_from_manual:
            years = "、".join(str(y) for y in report.differs_from_manual)
            self.stdout.write(
                self.style.WARNING(
                    f"{years}年：管理员录入的安排与 chinese-calendar 不同，请人工核对。"
                )
            )
