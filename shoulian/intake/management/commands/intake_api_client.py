"""Create, list and revoke clients of the intake API (110 command center, law-enforcement organs).

    manage.py intake_api_client create --name "三明110指挥中心" --unit 35042701 --channel dispatch_110
    manage.py intake_api_client list
    manage.py intake_api_client revoke --name "三明110指挥中心"

The token is printed once, at creation; only its SHA-256 is stored.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shoulian.core import context
from shoulian.intake import services
from shoulian.intake.choices import MACHINE_CHANNELS
from shoulian.intake.models import ApiClient
from shoulian.org.models import Unit


class Command(BaseCommand):
    help = "管理接警接口客户端（令牌只显示一次）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--name", required=True)
        create.add_argument("--unit", required=True, help="登记单位代码（通常为受立案管理中心）")
        create.add_argument(
            "--channel", required=True, choices=sorted(str(c) for c in MACHINE_CHANNELS)
        )
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, **options):
        with context.acting(channel="command"):
            action = options["action"]
            if action == "create":
                unit = Unit.objects.filter(code=options["unit"].upper()).first()
                if unit is None:
                    raise CommandError(f"单位代码 {options['unit']} 不存在。")
                try:
                    client, token = services.api_client_create(
                        name=options["name"], unit=unit, channel=options["channel"]
                    )
                except ValidationError as exc:
                    raise CommandError("；".join(exc.messages)) from None
                self.stdout.write(f"已创建接口客户端 {client.name}（{unit.name}）。")
                self.stdout.write("访问令牌（只显示这一次，请妥善保存）：")
                self.stdout.write(token)
            elif action == "list":
                for client in ApiClient.objects.select_related("unit"):
                    state = "已吊销" if client.revoked_at else "有效"
                    self.stdout.write(
                        f"{client.name}\t{client.unit.code}\t{client.channel}\t"
                        f"{client.token_prefix}…\t{state}"
                    )
            else:
                found = ApiClient.objects.filter(name=options["name"]).first()
                if found is None:
                    raise CommandError(f"没有名为 {options['name']} 的接口客户端。")
                services.api_client_revoke(client=found)
                self.stdout.write(f"已吊销 {found.name}。")
