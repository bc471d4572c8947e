"""First administrator of a new installation (A8: the product ships no default account)."""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shoulian.accounts.approvals import enrolment_code_issue
from shoulian.accounts.choices import PoliceKind, Role
from shoulian.accounts.models import User
from shoulian.accounts.services import user_create
from shoulian.core import context
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.org.services import unit_create


class Command(BaseCommand):
    help = (
        "创建市局/分局单位（如不存在）和系统管理员或纪检账户（三员分立：这两类账户只在命令行创建）"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--city-code", required=True, help="市局单位代码，如 350400")
        parser.add_argument("--city-name", required=True, help="市局名称")
        parser.add_argument("--bureau-code", required=True, help="分局单位代码")
        parser.add_argument("--bureau-name", required=True, help="分局名称")
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument(
            "--role",
            choices=[Role.ADMIN, Role.INSPECTOR],
            default=Role.ADMIN,
            help="admin（系统管理员，默认）或 inspector（纪检）：三员分立的账户只能在命令行创建",
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="从标准输入读取初始密码（用于自动化部署）"
        )

    def handle(self, *args, **o):  # type: ignore[no-untyped-def]
        if User.objects.filter(username=o["username"].lower()).exists():
            raise CommandError("该用户名已存在。")
        if o["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("初始密码: ")
            if password != getpass.getpass("再次输入: "):
                raise CommandError("两次输入的密码不一致。")
        try:
            with context.acting(channel="command"), transaction.atomic():
                city = Unit.objects.filter(code=o["city_code"]).first() or unit_create(
                    actor=None,
                    parent=None,
                    code=o["city_code"],
                    name=o["city_name"],
                    kind=UnitKind.CITY_BUREAU,
                )
                bureau = Unit.objects.filter(code=o["bureau_code"]).first() or unit_create(
                    actor=None,
                    parent=city,
                    code=o["bureau_code"],
                    name=o["bureau_name"],
                    kind=UnitKind.BUREAU,
                )
                user = user_create(
                    actor=None,
                    username=o["username"],
                    full_name=o["full_name"],
                    unit=bureau,
                    police_kind=PoliceKind.OFFICER,
                    roles=[o["role"]],
                    password=password,
                    must_change_password=True,
                )
                # Nobody approves the first account: the operator hands the code over itself.
                code = enrolment_code_issue(user=user)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建{Role(o['role']).label} {user.username}（{bureau.name}）。"
                "首次登录须修改密码并绑定动态口令。"
            )
        )
        self.stdout.write(
            f"一次性绑定码（只显示这一次，请交给本人，首次绑定动态口令时输入）：{code}"
        )
