import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.core import context
from shoulian.core.demo import seeders


class Command(BaseCommand):
    help = "载入演示分局（幂等，仅限演示模式）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=20220305, help="随机数种子，同一种子生成相同数据"
        )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            # A8: published demo passwords must never reach a production database.
            raise CommandError("演示数据仅能在演示模式下载入（设置 SHOULIAN_DEMO_MODE=1）。")
        autodiscover_modules("demo")  # each app registers its seeders in its demo.py

        rng = random.Random(options["seed"])
        with context.acting(channel="command"):
            summaries = []
            for seeder in seeders():
                summary = seeder.func(rng=rng)
                summaries.append(f"{seeder.name}: {summary}")
                self.stdout.write(f"  {seeder.name}: {summary}")
            record(EventType.DEMO_SEEDED, data={"summaries": summaries})
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
