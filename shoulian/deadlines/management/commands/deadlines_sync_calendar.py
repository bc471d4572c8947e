from django.core.management.base import BaseCommand

from shoulian.core import context
from shoulian.deadlines.services import calendar_sync_from_library, deadlines_recompute


class Command(BaseCommand):
    help = (
        "从 chinese-calendar 同步国务院节假日安排（幂等；不覆盖系统管理员录入或修改过的年度），"
        "并重算暂定的到期时间"
    )

    def handle(self, *args, **options):
        with context.acting(channel="command"):
            report = calendar_sync_from_library(actor=None)
            # Rows still waiting for a year: date those an older version left without a due time,
            # and pick up a year published by the sync above (idempotent: unchanged rows are skipped).
            provisional = deadlines_recompute(
                actor=None, reason="同步节假日安排后重算暂定到期时间", provisional_only=True
            )
        self.stdout.write(report.summary())
        self.stdout.write(f"暂定到期时间：{provisional}条已重算")
        if report.differs_from_manual:
            years = "、".join(str(y) for y in report.differs_from_manual)
            self.stdout.write(
                self.style.WARNING(
                    f"{years}年：管理员录入的安排与 chinese-calendar 不同，请人工核对。"
                )
            )
