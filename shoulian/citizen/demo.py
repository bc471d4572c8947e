"""Demo data of the citizen channels: one kiosk in the demo center's hall."""

from __future__ import annotations

from typing import Any

from shoulian.core.demo import demo_seeder

CENTER_CODE = "35042701"
KIOSK_NAME = "中心大厅1号机"


@demo_seeder(order=60, name="citizen")
def seed_citizen(**_: Any) -> str:
    from shoulian.accounts.models import User
    from shoulian.citizen import services
    from shoulian.citizen.models import Kiosk
    from shoulian.core import context
    from shoulian.org.models import Unit

    center = Unit.objects.filter(code=CENTER_CODE).first()
    head = User.objects.filter(username="center.head").first()
    if center is None or head is None:
        return "未找到演示中心，跳过"
    if Kiosk.objects.filter(unit=center, name=KIOSK_NAME).exists():
        return f"自助终端“{KIOSK_NAME}”已存在；登记链接在“自助终端”页面重新生成"
    with context.acting(user=head, channel="command"):
        _kiosk, token = services.kiosk_create(actor=head, unit=center, name=KIOSK_NAME)
    return f"自助终端“{KIOSK_NAME}”，在该终端打开 /kiosk/enrol/{token}/ 完成登记（24 小时内有效）"
