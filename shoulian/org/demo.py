"""The demo bureau: 沙县公安分局 as the seed article describes it (one county bureau, its 受立案管理中心
with one 民警 and four 辅警, the legal brigade, three brigades, six 派出所 with their areas).

All names of people are invented. Every account has the published DEMO_PASSWORD, is flagged as a
demo account and works only while SHOULIAN_DEMO_MODE is on (A8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shoulian.core.demo import demo_seeder
from shoulian.org.choices import UnitKind

DEMO_PASSWORD = "Shoulian-Demo-2026"  # noqa: S105 - published on purpose; demo mode only

CITY = ("350400", "三明市公安局", "三明市局")
BUREAU = ("350427", "沙县公安分局", "沙县分局", "0598-5822110")


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short: str
    kind: str
    phone: str


UNITS = [
    UnitSpec(
        "35042701", "沙县公安分局受立案管理中心", "受立案中心", UnitKind.CENTER, "0598-5822119"
    ),
    UnitSpec(
        "35042702", "沙县公安分局法制大队", "法制大队", UnitKind.LEGAL_BRIGADE, "0598-5822135"
    ),
    UnitSpec(
        "35042703",
        "沙县公安分局刑事侦查大队",
        "刑侦大队",
        UnitKind.CRIMINAL_BRIGADE,
        "0598-5822140",
    ),
    UnitSpec(
        "35042704",
        "沙县公安分局经济犯罪侦查大队",
        "经侦大队",
        UnitKind.ECONOMIC_BRIGADE,
        "0598-5822151",
    ),
    UnitSpec(
        "35042705",
        "沙县公安分局治安管理大队",
        "治安大队",
        UnitKind.PUBLIC_ORDER_BRIGADE,
        "0598-5822162",
    ),
    UnitSpec(
        "35042706", "沙县公安分局纪检监察室", "纪检监察室", UnitKind.DISCIPLINE, "0598-5822170"
    ),
    UnitSpec("35042711", "沙县公安分局凤岗派出所", "凤岗派出所", UnitKind.STATION, "0598-5832110"),
    UnitSpec("35042712", "沙县公安分局虬江派出所", "虬江派出所", UnitKind.STATION, "0598-5842110"),
    UnitSpec("35042713", "沙县公安分局青州派出所", "青州派出所", UnitKind.STATION, "0598-5611110"),
    UnitSpec("35042714", "沙县公安分局夏茂派出所", "夏茂派出所", UnitKind.STATION, "0598-5621110"),
    UnitSpec("35042715", "沙县公安分局高砂派出所", "高砂派出所", UnitKind.STATION, "0598-5631110"),
    UnitSpec("35042716", "沙县公安分局富口派出所", "富口派出所", UnitKind.STATION, "0598-5641110"),
]

# station code -> [(area name, description, place names)]
AREAS: dict[str, list[tuple[str, str, list[str]]]] = {
    "35042711": [
        (
            "凤岗街道辖区",
            "凤岗街道全域，老城区",
            [
                "凤岗街道",
                "府西社区",
                "西门社区",
                "东门社区",
                "城一社区",
                "北大路",
                "府前路",
                "小吃文化城",
            ],
        ),
        ("南霞乡辖区", "南霞乡全域", ["南霞乡", "南霞村", "茅坪村", "东坑村"]),
    ],
    "35042712": [
        (
            "虬江街道辖区",
            "虬江街道全域，新城区与金沙园",
            [
                "虬江街道",
                "金沙社区",
                "金古社区",
                "翠绿社区",
                "虬江路",
                "长兴路",
                "金沙大道",
                "金沙园",
            ],
        ),
    ],
    "35042713": [
        (
            "青州镇辖区",
            "青州镇及青州工业区",
            ["青州镇", "青州村", "涌溪村", "洋溪村", "青州工业区"],
        ),
    ],
    "35042714": [
        ("夏茂镇辖区", "夏茂镇全域", ["夏茂镇", "俞邦村", "长阜村", "儒元村", "西街村", "东街村"]),
        ("湖源乡辖区", "湖源乡全域", ["湖源乡", "湖源村", "川岭村"]),
    ],
    "35042715": [
        ("高砂镇辖区", "高砂镇全域", ["高砂镇", "上坪村", "冲厚村", "龙江村", "高砂村"]),
    ],
    "35042716": [
        ("富口镇辖区", "富口镇全域", ["富口镇", "荷山村", "盖竹村", "白溪口村"]),
        ("大洛镇辖区", "大洛镇全域", ["大洛镇", "大洛村", "昌荣村"]),
    ],
}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    full_name: str
    unit_code: str
    roles: tuple[str, ...]
    auxiliary: bool = False


def _staff() -> list[StaffSpec]:
    s: list[StaffSpec] = [
        StaffSpec("bureau.head", "林振国", BUREAU[0], ("bureau_head",)),
        StaffSpec("bureau.deputy", "陈立新", BUREAU[0], ("bureau_head",)),
        StaffSpec("sysadmin", "吴思远", BUREAU[0], ("admin",)),
        StaffSpec("center.head", "罗永强", "35042701", ("center_head",)),
        StaffSpec("center.clerk", "张欣然", "35042701", ("clerk",)),
        StaffSpec("center.aux1", "黄晓婷", "35042701", ("clerk",), auxiliary=True),
        StaffSpec("center.aux2", "邓雅琴", "35042701", ("clerk",), auxiliary=True),
        StaffSpec("center.aux3", "肖文杰", "35042701", ("clerk",), auxiliary=True),
        StaffSpec("center.aux4", "余佳慧", "35042701", ("clerk",), auxiliary=True),
        StaffSpec("legal.chief", "包信诚", "35042702", ("legal_brigade", "leader")),
        StaffSpec("legal.reviewer1", "郑雨涵", "35042702", ("legal_brigade",)),
        StaffSpec("legal.reviewer2", "魏明哲", "35042702", ("legal_brigade",)),
        StaffSpec("inspector", "蔡正清", "35042706", ("inspector",)),
    ]
    brigades = [
        (
            "35042703",
            "xingzhen",
            [("leader",), ("legal_officer",), ("officer",), ("officer",), ("officer",)],
            ["王建华", "刘志勇", "赵一鸣", "孙海涛", "周凯"],
        ),
        (
            "35042704",
            "jingzhen",
            [("leader",), ("officer",), ("officer",)],
            ["杨国栋", "许晨阳", "何静"],
        ),
        (
            "35042705",
            "zhian",
            [("leader",), ("officer",), ("officer",)],
            ["马德胜", "胡晓东", "郭莉"],
        ),
    ]
    for code, prefix, role_list, names in brigades:
        counters: dict[str, int] = {}
        for roles, name in zip(role_list, names, strict=True):
            counters[roles[0]] = counters.get(roles[0], 0) + 1
            suffix = "" if roles[0] != "officer" else str(counters[roles[0]])
            s.append(StaffSpec(f"{prefix}.{roles[0].replace('_', '')}{suffix}", name, code, roles))
    stations = [
        ("35042711", "fenggang", ["朱一鸣", "叶清华", "韩冬", "梁思琪"]),
        ("35042712", "qiujiang", ["唐建军", "冯晓丽", "曹磊", "彭博文"]),
        ("35042713", "qingzhou", ["董卫国", "袁丽华", "潘宇", "蒋少华"]),
        ("35042714", "xiamao", ["谢春生", "韦敏", "田野", "姜浩然"]),
        ("35042715", "gaosha", ["范志刚", "苏婷", "吕兵", "丁俊杰"]),
        ("35042716", "fukou", ["沈国强", "钟丽萍", "汪洋", "任晓峰"]),
    ]
    for code, prefix, names in stations:
        s.append(StaffSpec(f"{prefix}.leader", names[0], code, ("leader",)))
        s.append(StaffSpec(f"{prefix}.legal", names[1], code, ("legal_officer",)))
        s.append(StaffSpec(f"{prefix}.officer1", names[2], code, ("officer",)))
        s.append(StaffSpec(f"{prefix}.officer2", names[3], code, ("officer",)))
    s.append(StaffSpec("fenggang.aux", "陈小燕", "35042711", ("clerk",), auxiliary=True))
    return s


STAFF = _staff()

# One login per role, shown on the login page in demo mode and printed by `make run`.
DEMO_LOGINS = [
    ("clerk", "center.clerk"),
    ("clerk", "center.aux1"),
    ("officer", "fenggang.officer1"),
    ("leader", "fenggang.leader"),
    ("legal_officer", "fenggang.legal"),
    ("center_head", "center.head"),
    ("legal_brigade", "legal.reviewer1"),
    ("bureau_head", "bureau.head"),
    ("inspector", "inspector"),
    ("admin", "sysadmin"),
]


def demo_login_table() -> list[dict[str, Any]]:
    from shoulian.accounts.choices import Role

    by_name = {s.username: s for s in STAFF}
    rows = []
    for role, username in DEMO_LOGINS:
        spec = by_name[username]
        label = Role(role).label + ("（辅警）" if spec.auxiliary else "")
        rows.append({"role": label, "username": username, "full_name": spec.full_name})
    return rows


@demo_seeder(order=10, name="organisation")
def seed_organisation(**_: Any) -> str:
    from shoulian.accounts.choices import PoliceKind
    from shoulian.accounts.models import User
    from shoulian.accounts.services import user_create
    from shoulian.org.models import Area, Unit
    from shoulian.org.services import area_create, unit_create

    created_units = created_areas = created_users = 0
    with transaction.atomic():
        city = Unit.objects.filter(code=CITY[0]).first()
        if city is None:
            city = unit_create(
                actor=None,
                parent=None,
                code=CITY[0],
                name=CITY[1],
                short_name=CITY[2],
                kind=UnitKind.CITY_BUREAU,
                demo=True,
            )
            created_units += 1
        bureau = Unit.objects.filter(code=BUREAU[0]).first()
        if bureau is None:
            bureau = unit_create(
                actor=None,
                parent=city,
                code=BUREAU[0],
                name=BUREAU[1],
                short_name=BUREAU[2],
                kind=UnitKind.BUREAU,
                phone=BUREAU[3],
                demo=True,
            )
            created_units += 1
        units = {bureau.code: bureau}
        for order, unit_spec in enumerate(UNITS):
            unit = Unit.objects.filter(code=unit_spec.code).first()
            if unit is None:
                unit = unit_create(
                    actor=None,
                    parent=bureau,
                    code=unit_spec.code,
                    name=unit_spec.name,
                    short_name=unit_spec.short,
                    kind=unit_spec.kind,
                    phone=unit_spec.phone,
                    demo=True,
                    sort_order=order,
                )
                created_units += 1
            units[unit_spec.code] = unit
        for code, areas in AREAS.items():
            for name, description, places in areas:
                if not Area.objects.filter(station=units[code], name=name).exists():
                    area_create(
                        actor=None,
                        station=units[code],
                        name=name,
                        description=description,
                        places=places,
                    )
                    created_areas += 1
        existing = set(
            User.objects.filter(username__in=[s.username for s in STAFF]).values_list(
                "username", flat=True
            )
        )
        for number, spec in enumerate(STAFF, start=1):
            if spec.username in existing:
                continue
            user_create(
                actor=None,
                username=spec.username,
                full_name=spec.full_name,
                unit=units[spec.unit_code],
                police_kind=PoliceKind.AUXILIARY if spec.auxiliary else PoliceKind.OFFICER,
                badge_number=(
                    f"FJ{number:04d}" if spec.auxiliary else f"{350000 + number * 7:06d}"
                ),
                roles=spec.roles,
                password=DEMO_PASSWORD,
                must_change_password=False,
                demo=True,
            )
            created_users += 1
    return f"单位 +{created_units}，辖区 +{created_areas}，用户 +{created_users}（共 {len(STAFF)} 名演示用户）"
