from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "打印演示账户（仅演示模式）"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, **options):
        from shoulian.org.demo import DEMO_PASSWORD, demo_login_table

        if not settings.DEMO_MODE:
            self.stdout.write("未启用演示模式：没有演示账户。")
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"受立案管理系统（演示模式）: {options['url']}"))
        self.stdout.write(f"所有演示账户密码: {DEMO_PASSWORD}   （演示分局无需动态口令）")
        for row in demo_login_table():
            self.stdout.write(f"  {row['role']:<14}\t{row['username']:<20}\t{row['full_name']}")
        self.stdout.write("按 Ctrl+C 停止 Web 服务与后台任务。\n")
