"""Demo deadlines for 沙县公安分局: one of each colour band, a paused one and a pending extension,
so 我的期限 and the approval list have something to show before the Alert workflow lands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.core.demo import demo_seeder

# (object id, title, rule, unit code, hours since start)
DEMO_DEADLINES = [
    ("DEMO-001", "演示：电动车被盗（刑事立案审查）", "criminal_filing_review", "35042711", 2),
    ("DEMO-002", "演示：邻里纠纷殴打（治安案件）", "public_order_case", "35042713", 24 * 18),
    ("DEMO-003", "演示：商铺被砸（行政案件受案审查）", "admin_acceptance_review", "35042712", 21),
    ("DEMO-004", "演示：不予立案通知书待送达", "non_filing_notice", "35042711", 24 * 20),
    ("DEMO-005", "演示：群众投诉接警态度", "complaint_center_answer", "35042701", 30),
    ("DEMO-006", "演示：轻伤鉴定中（治安案件）", "public_order_case", "35042714", 24 * 10),
    ("DEMO-007", "演示：网络诈骗线索查证", "criminal_clue_review", "35042711", 24 * 3),
]
DEMO_OBJECT_TYPE = "demo_alert"


@demo_seeder(order=50, name="deadlines")
def seed_deadlines(**_: Any) -> str:
    from shoulian.accounts.models import User
    from shoulian.deadlines.models import Deadline
    from shoulian.deadlines.services import (
        deadline_extension_request,
        deadline_pause,
        deadline_start,
    )
    from shoulian.org.models import Unit

    now = timezone.now()
    units = {u.code: u for u in Unit.objects.filter(code__in={d[3] for d in DEMO_DEADLINES})}
    existing = set(
        Deadline.objects.filter(object_type=DEMO_OBJECT_TYPE).values_list("object_id", flat=True)
    )
    created = 0
    with transaction.atomic():
        for object_id, title, code, unit_code, hours in DEMO_DEADLINES:
            if object_id in existing or unit_code not in units:
                continue
            deadline = deadline_start(
                actor=None,
                rule_code=code,
                obj=(DEMO_OBJECT_TYPE, object_id),
                unit=units[unit_code],
                started_at=now - dt.timedelta(hours=hours),
                title=title,
            )
            created += 1
            if object_id == "DEMO-006":
                deadline_pause(
                    actor=None,
                    deadline=deadline,
                    at=now - dt.timedelta(days=2),
                    reason="委托司法鉴定机构进行伤情鉴定",
                )
            if object_id == "DEMO-007":
                officer = User.objects.filter(username="fenggang.officer1").first()
                if officer is not None:
                    deadline_extension_request(
                        actor=officer,
                        deadline=deadline,
                        length=23,
                        reason="涉案账户多，需跨省调取流水",
                    )
    return f"期限 +{created}（共 {len(DEMO_DEADLINES)} 条演示期限）"
