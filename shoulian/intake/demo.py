"""Five months of alerts for the demo bureau (沙县公安分局): the five months up to the day the demo
is first loaded (``core.demo.demo_window``), so its newest alerts are hours old on that day.

Proportions follow the seed article (DOMAIN §1), at about half its scale: walk-in reports at the
center and at 凤岗派出所 (the article: 679 entered, 213 of them at stations), kiosk reports (241),
110 dispatches handed over for registration, and the smaller channels. Every alert goes through the
same services as the desk — validation, encryption, numbering, one journal event per alert and per
file — with the historical registration time passed as ``now``. Oral walk-in reports carry a
generated 询问笔录 PDF; on-the-spot receipts are issued through the receipt service.

Idempotent: each generated alert has a fixed idempotency key, so a second run (or a run after an
interruption) replays what exists and adds only what is missing.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shoulian.core.demo import demo_seeder, demo_window
from shoulian.intake.choices import Channel, FilePurpose, PartyRole, ReportForm, Urgency

CLIENT_NAME = "三明市公安局110指挥中心（演示）"

# How many alerts of each channel over the five months.
PLAN: dict[str, int] = {
    "center_walk_in": 220,
    "station_walk_in": 70,
    Channel.KIOSK: 110,
    Channel.DISPATCH_110: 260,
    Channel.PHONE: 25,
    Channel.ONLINE: 20,
    Channel.BROUGHT_IN: 10,
    Channel.ASSIGNED: 6,
    Channel.ADMIN_TRANSFER: 10,
}

# Category weights by channel family (codes of shoulian/intake/standard.py).
DESK_MIX = {
    "0105": 16,
    "0104": 8,
    "0103": 9,
    "0101": 7,
    "0102": 3,
    "0106": 3,
    "0110": 2,
    "0111": 2,
    "0109": 3,
    "0107": 1,
    "0108": 1,
    "0112": 1,
    "0201": 5,
    "0202": 2,
    "0301": 10,
    "0302": 3,
    "0303": 4,
    "0305": 4,
    "0401": 2,
    "0402": 3,
    "0501": 2,
    "0601": 2,
    "0701": 3,
}
DISPATCH_MIX = {
    "0201": 14,
    "0303": 12,
    "0302": 9,
    "0307": 6,
    "0301": 3,
    "0103": 6,
    "0101": 5,
    "0102": 2,
    "0109": 2,
    "0115": 2,
    "0403": 7,
    "0404": 6,
    "0401": 4,
    "0405": 3,
    "0502": 2,
    "0801": 5,
    "0802": 4,
    "0803": 3,
    "0122": 2,
}
TRANSFER_MIX = {"0106": 4, "0116": 3, "0117": 2, "0118": 3, "0104": 2}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许邓韩冯曹彭曾肖田董潘袁蔡蒋余"
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "丽娟",
    "海燕",
    "国华",
    "小红",
    "伟",
    "静",
    "磊",
    "敏",
    "俊杰",
    "晓梅",
    "春生",
    "美玲",
    "文斌",
    "淑珍",
    "志明",
    "玉兰",
    "金水",
    "丽萍",
    "德华",
    "雪琴",
    "宏伟",
    "婷婷",
    "子豪",
    "佳怡",
    "水生",
    "爱华",
    "建平",
    "燕",
    "少华",
    "明辉",
    "凤英",
    "荣华",
]
STREET_SPOTS = [
    "北大路",
    "府前路",
    "小吃文化城",
    "西门社区",
    "东门社区",
    "金沙大道",
    "长兴路",
    "金沙园",
    "虬江路",
    "青州工业区",
    "夏茂镇西街村",
    "高砂镇龙江村",
    "富口镇荷山村",
    "南霞乡南霞村",
]
VENUES = [
    "农贸市场",
    "超市",
    "夜市排档",
    "KTV门口",
    "网吧",
    "小区停车场",
    "公交站台",
    "银行网点门口",
]
COLORS = ["蓝色", "白色", "黑色", "红色", "银灰色"]
BRANDS = ["雅迪", "爱玛", "台铃", "绿源", "新日"]
PLATFORMS = ["淘宝", "京东", "抖音商城", "拼多多"]
APPS = ["优品汇", "星辰任务", "云联众包", "易赚宝"]
COMPANIES = ["沙县鑫达竹木制品有限公司", "三明恒昌建材贸易有限公司", "沙县福源小吃食品有限公司"]
ORGANS = ["沙县区市场监督管理局", "沙县区人力资源和社会保障局", "沙县区税务局"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _id_number(rng: random.Random) -> str:
    from shoulian.privacy.validators import gb11643_check_char

    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    body = f"350427{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + gb11643_check_char(body)


def _place(rng: random.Random) -> str:
    spot = rng.choice(STREET_SPOTS)
    return rng.choice(
        [
            f"{spot}{rng.randint(1, 260)}号",
            f"{spot}{rng.choice(VENUES)}",
            f"{spot}附近{rng.choice(['路口', '巷内', '菜市场东门', '幸福小区'])}",
        ]
    )


def _amount(rng: random.Random, low: int, high: int) -> int:
    return rng.randrange(low, high) // 100 * 100


def _day_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日{local.hour}时许"


def narrative(code: str, rng: random.Random, who: str, incident: datetime, place: str) -> str:
    """A report as a clerk writes it down: who, when, where, what, loss, request."""
    when = _day_text(incident)
    amount = _amount(rng, 1500, 90000)
    texts: dict[str, list[str]] = {
        "0101": [
            f"报案人{who}称：{when}，其在{place}购物时，放在挎包内的钱包被盗，内有现金约{_amount(rng, 300, 3000)}元及身份证、银行卡等。报案人已挂失银行卡，请求公安机关调查处理。",
            f"报案人{who}称：{when}，其放在{place}店内收银台上的手机（苹果，黑色）被一名戴帽子的男子顺手拿走，价值约{_amount(rng, 2000, 8000)}元，店内有监控。",
        ],
        "0102": [
            f"报案人{who}称：其{when}回到{place}住处，发现防盗门锁芯被撬，卧室抽屉被翻动，丢失金项链一条、现金约{_amount(rng, 2000, 20000)}元。现场已保护，请求民警勘查。",
        ],
        "0103": [
            f"报案人{who}称：{when}，其将一辆{rng.choice(COLORS)}{rng.choice(BRANDS)}电动自行车停放在{place}，约两小时后返回发现车辆被盗。车辆价值约{_amount(rng, 1800, 5000)}元，钥匙仍在报案人身上，附近商户有监控。",
        ],
        "0104": [
            f"报案人{who}称：一名自称能帮忙办理孩子入学的男子以“打点关系”为由，先后收取其现金{amount}元，至今未办成，对方拒不退还并拉黑其联系方式。",
            f"报案人{who}称：其在{place}遇到一名自称“退伍老兵”的男子，以急需周转为由向其借款{_amount(rng, 2000, 20000)}元，留下的电话已停机，怀疑被骗。",
        ],
        "0105": [
            f"报案人{who}称：其被拉入一个“兼职刷单”QQ群，对方以做任务返佣金为由，诱导其下载“{rng.choice(APPS)}”APP，并先后{rng.randint(2, 7)}次向对方提供的银行账户转账共计{amount}元，后无法提现，对方失联。报案人提供了聊天记录和转账记录截图。",
            f"报案人{who}称：{when}，其接到自称“{rng.choice(PLATFORMS)}客服”的电话，称其购买的商品有质量问题需办理退款，按对方指引开通“备用金”并共享手机屏幕，随后银行卡被转走{amount}元。",
            f"报案人{who}称：其接到自称“公安局民警”的电话，称其身份信息涉嫌洗钱，要求将存款转入“安全账户”配合调查，报案人先后转账{amount}元后发现被骗。",
        ],
        "0106": [
            f"报案人{who}（{rng.choice(COMPANIES)}负责人）称：其公司与外地一家公司签订毛竹购销合同，对方支付少量定金后以虚假承兑汇票提走货物价值{_amount(rng, 80000, 600000)}元，后人去楼空。报案人提供了合同、送货单及汇票复印件。",
        ],
        "0107": [
            f"报案人{who}称：{when}，其步行至{place}时被两名骑摩托车的男子持刀拦住，抢走手机一部和现金{_amount(rng, 200, 2000)}元，对方向县城方向逃离。报案人左手臂被划伤，已到医院处理。",
        ],
        "0108": [
            f"报案人{who}称：{when}，其在{place}路边行走时，一名骑电动车的男子从身后抢走其挎包（内有手机、现金约{_amount(rng, 200, 2000)}元），随即逃离。",
        ],
        "0109": [
            f"报案人{who}称：{when}，其在{place}与邻桌客人因琐事发生争执，对方持啤酒瓶击打其头部致出血，已在县医院缝合{rng.randint(3, 9)}针，请求追究对方责任并申请伤情鉴定。",
        ],
        "0110": [
            f"报案人{who}称：其委托朋友代为保管现金{amount}元，现对方拒不归还，称钱已用于做生意。报案人有对方出具的收条。",
        ],
        "0111": [
            f"报案人{who}（{rng.choice(COMPANIES)}法定代表人）称：公司原出纳在职期间，利用职务便利多次将公司货款共计{_amount(rng, 50000, 400000)}元转入个人账户，经公司审计发现。报案人提供了审计报告及银行流水。",
        ],
        "0112": [
            f"报案人{who}称：有人通过微信发来其私人照片，威胁其支付{_amount(rng, 5000, 50000)}元，否则将照片发给其亲友。报案人未付款，提供了聊天记录截图。",
        ],
        "0115": [
            f"报警人称{place}有数名青年酒后滋事，随意殴打路人、损毁摊位。民警到场后将{rng.randint(2, 4)}名涉事人员带回调查。",
        ],
        "0116": [
            f"移送材料称：某投资咨询公司以高额返利为诱饵，向社会公众吸收资金，涉及群众{rng.randint(30, 200)}余人、金额约{_amount(rng, 500000, 5000000)}元，现公司负责人失联。",
        ],
        "0117": [
            f"移送材料称：某“养老项目”以预订床位、高息回报为名向老年人集资，已有{rng.randint(20, 90)}名老人无法取回本金，涉案金额约{_amount(rng, 300000, 3000000)}元。",
        ],
        "0118": [
            f"移送材料称：某建筑劳务公司拖欠{rng.randint(15, 60)}名农民工工资共计{_amount(rng, 200000, 900000)}元，经劳动保障监察责令支付后仍拒不支付，负责人转移财产。",
        ],
        "0122": [
            f"报警人称{place}有一辆小轿车行驶轨迹异常，疑似酒驾。民警到场后查获驾驶人，呼气酒精含量超过醉驾标准，已带至医院抽血。",
        ],
        "0201": [
            f"报案人{who}称：{when}，在{place}，因排队问题与一男子发生口角，对方用拳头殴打其面部，致其嘴角出血。现场有目击者。",
            f"报警人称{place}有人打架。民警到场了解：双方系邻居，因停车问题发生口角并有推搡，一方面部轻微擦伤，已带回所内调查处理。",
        ],
        "0202": [
            f"报案人{who}称：{when}，其停放在{place}的小轿车（闽G·{rng.randrange(10000, 99999)}）车窗被人砸碎，车内物品未丢失，怀疑与前几日的纠纷有关。",
        ],
        "0301": [
            f"报案人{who}称：其前年借给同村村民{amount}元用于养殖，约定一年归还，现对方以各种理由拒不还款，请求民警帮忙追讨。经询问，双方有借条，已告知可向人民法院起诉。",
            f"报案人{who}称：其与合伙人合伙经营小吃店，对方退伙时带走店内账款约{amount}元，双方对账目有争议。报案人认为对方“侵吞”资金，请求公安机关处理。",
        ],
        "0302": [
            f"报案人{who}称：其与丈夫因家庭开支多次争吵，{when}丈夫酒后摔砸家中物品，报案人害怕，请求民警出面调解。",
            f"报警人称{place}一户人家夫妻吵架，声音很大。民警到场后了解系家庭琐事，双方情绪平稳，已劝解。",
        ],
        "0303": [
            f"报案人{who}称：其楼上住户经常深夜装修、拖动家具，多次协商无果，{when}双方再次发生争吵，请求民警调解。",
            f"报警人称{place}两户邻居因排水沟堵塞互相指责，民警到场后组织双方协商，已达成疏通方案。",
        ],
        "0305": [
            f"报案人{who}等{rng.randint(3, 12)}名工人称：其在{place}工地务工，包工头拖欠{rng.randint(2, 6)}个月工资共计{amount}元，多次讨要未果。已告知可向劳动保障监察部门投诉。",
        ],
        "0307": [
            f"报警人称{place}两车刮擦，双方对责任有争议。民警到场后通知交警处理，双方同意等候交警。",
        ],
        "0401": [
            f"报案人{who}称：其母亲（{rng.randint(70, 88)}岁，患有阿尔茨海默症）于{when}独自从家中外出后未归，身穿蓝色外套，请求民警帮助查找。",
        ],
        "0402": [
            f"报案人{who}称：{when}，其在乘坐出租车时将手机遗落在车内，记得车辆为白色出租车，请求民警帮助查找。",
        ],
        "0403": [
            f"报警人称{place}有一名老人摔倒在路边，无法站立。民警到场后联系120送医，并通知其家属。",
        ],
        "0404": [
            f"报警人称{place}有一名男子醉酒躺在路边。民警到场后将其护送回家，交由家属照看。",
        ],
        "0405": [
            f"报警人称{place}有一名男子情绪异常，在路中间来回走动。民警到场后联系其家属，将其带离。",
        ],
        "0501": [
            f"报案人{who}举报：{place}附近一出租屋内经常有多人聚集，夜间进出频繁，疑似聚众赌博，请求公安机关查处。",
        ],
        "0502": [
            f"报警人匿名举报{place}一茶室内有人打麻将赌博，赌资较大。民警到场检查，已登记在场人员。",
        ],
        "0601": [
            f"{who}来所反映：其此前报案的电动车被盗一事至今未收到办理结果，认为民警推诿，要求说明办理情况。",
        ],
        "0701": [
            f"{who}来所咨询：其儿子在外地被网络诈骗，能否在本地报案以及需要准备哪些材料。已告知相关规定。",
        ],
        "0801": [
            "报警人称家中被盗，民警到场后经核实，系家人将物品收起，报警人误以为被盗。",
        ],
        "0802": [
            f"报警人就{place}同一起纠纷再次报警，民警前一警尚在现场处置，已合并处理。",
        ],
        "0803": [
            "报警人拨打110后无声，回拨后对方称系小孩玩手机误拨。",
        ],
    }
    options = texts.get(code) or [f"报案人{who}称：{when}，在{place}发生纠纷，请求民警处理。"]
    return rng.choice(options)


ITEMS: dict[str, list[tuple[str, int, str, int | None]]] = {
    "0105": [
        ("银行转账记录（打印件）", 1, "手机银行截图打印", 3),
        ("聊天记录截图（打印件）", 1, "", 5),
    ],
    "0104": [("收条复印件", 1, "手写", 1)],
    "0106": [
        ("购销合同复印件", 1, "加盖双方公章", 6),
        ("送货单", 4, "第二联", 4),
        ("承兑汇票复印件", 1, "", 1),
    ],
    "0111": [("审计报告", 1, "会计师事务所出具", 18), ("银行流水", 1, "", 12)],
    "0110": [("收条原件", 1, "对方签名", 1)],
    "0103": [("购车发票", 1, "复印件", 1)],
    "0109": [("门诊病历及诊断证明", 1, "县医院", 3)],
    "0301": [("借条复印件", 1, "", 1)],
    "0305": [("考勤记录", 1, "工友手写", 4)],
}


def _transcript_pdf(alert_hint: str, reporter: str, text: str) -> bytes:
    """A short 询问笔录 as a scanned page would read: the clerk's questions and the answers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from shoulian.documents.fonts import SANS, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont(SANS, 16)
    pdf.drawCentredString(297, 790, "询 问 笔 录")
    pdf.setFont(SANS, 10.5)
    lines = [
        f"被询问人：{reporter}    {alert_hint}",
        "问：我们是沙县公安分局受立案管理中心的工作人员，现依法向你了解情况，你要如实回答。",
        "答：明白。",
        "问：你来所有什么事情？",
    ]
    lines += [
        f"答：{text[i : i + 36]}" if i == 0 else f"    {text[i : i + 36]}"
        for i in range(0, len(text), 36)
    ]
    lines += ["问：以上所说是否属实？", "答：属实。", "", "被询问人（签名）：" + reporter]
    y = 750
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class Spec:
    index: int
    channel: str
    code: str
    received_at: datetime
    station_desk: bool


def _moment(rng: random.Random, day: date, night_ok: bool) -> datetime:
    hour = rng.choice(range(0, 24) if night_ok else range(8, 22))
    return timezone.make_aware(datetime.combine(day, time(hour, rng.randrange(60))))


def _plan(rng: random.Random, now: datetime) -> list[Spec]:
    start, end = demo_window(timezone.localdate(now))
    days = (end - start).days + 1
    latest = now - timedelta(hours=2)
    specs: list[Spec] = []
    for family, count in PLAN.items():
        for _ in range(count):
            day = start + timedelta(days=rng.randrange(days))
            channel = family if family in Channel.values else Channel.WALK_IN
            night = channel in (Channel.DISPATCH_110, Channel.PHONE)
            mix = (
                DISPATCH_MIX
                if channel in (Channel.DISPATCH_110, Channel.PHONE)
                else TRANSFER_MIX
                if channel == Channel.ADMIN_TRANSFER
                else DESK_MIX
            )
            code = rng.choices(list(mix), weights=list(mix.values()))[0]
            moment = _moment(rng, day, night)
            if moment > latest:  # later today: the same hour the day before
                moment = min(moment - timedelta(days=1), latest)
            specs.append(Spec(0, channel, code, moment, family == "station_walk_in"))
    specs.sort(key=lambda s: s.received_at)
    return [Spec(i, s.channel, s.code, s.received_at, s.station_desk) for i, s in enumerate(specs)]


@demo_seeder(order=20, name="alerts")
def seed_alerts(*, rng: random.Random, **_: Any) -> str:
    from shoulian.accounts.models import User
    from shoulian.intake import services, uploads
    from shoulian.intake.models import Alert, ApiClient, Category
    from shoulian.org.models import Unit

    services.category_seed_standard()
    center = Unit.objects.filter(code="35042701").first()
    if center is None:
        return "未找到演示分局，跳过"
    # Demo data, not secrets: a seeded generator makes every run produce the same alerts.
    local = random.Random(rng.random())  # noqa: S311
    now = timezone.now()
    # The window stays where the first load put it (the demo users joined then), so a later run
    # replays the same alerts instead of planning other ones.
    joined = User.objects.filter(username="center.clerk").values_list("date_joined", flat=True)
    planned_at = min([now, *joined])
    stations = list(Unit.objects.filter(code__in=[f"350427{n}" for n in range(11, 17)]))
    clerks = list(
        User.objects.filter(
            username__in=[
                "center.clerk",
                "center.aux1",
                "center.aux2",
                "center.aux3",
                "center.aux4",
            ]
        )
    )
    station_clerk = User.objects.get(username="fenggang.aux")
    officers = {
        s.pk: User.objects.filter(unit=s, roles__role="officer").order_by("username").first()
        for s in stations
    }
    client = ApiClient.objects.filter(name=CLIENT_NAME).first()
    if client is None:
        client, _token = services.api_client_create(
            name=CLIENT_NAME, unit=center, channel=Channel.DISPATCH_110
        )
    categories = {c.code: c for c in Category.objects.all()}
    specs = _plan(local, planned_at)
    existing = Alert.objects.filter(registering_unit__code__startswith="350427").count()
    if existing >= len(specs):
        return f"已有 {existing} 起演示警情，未重复载入"

    created = replayed = files = receipts = completed = 0
    recent_people: list[services.PartyInput] = []
    for spec in specs:
        rng_i = random.Random(f"{spec.index}-{spec.code}")  # noqa: S311 - demo data
        incident = spec.received_at - timedelta(minutes=rng_i.randrange(20, 60 * 24 * 6))
        if spec.channel in (Channel.DISPATCH_110, Channel.PHONE):
            incident = spec.received_at - timedelta(minutes=rng_i.randrange(3, 40))
        place = _place(rng_i)
        if recent_people and rng_i.random() < 0.04:
            person = rng_i.choice(recent_people[-40:])  # comes back within weeks: duplicate signal
        else:
            person = services.PartyInput(
                role=PartyRole.REPORTER,
                name=_name(rng_i),
                gender=rng_i.choice(["male", "female"]),
                id_type="resident_id" if spec.channel != Channel.DISPATCH_110 else "",
                id_number=_id_number(rng_i) if spec.channel != Channel.DISPATCH_110 else "",
                phone=_mobile(rng_i),
                address=f"福建省三明市沙县区{rng_i.choice(STREET_SPOTS)}{rng_i.randint(1, 200)}号",
            )
            recent_people.append(person)
        text = narrative(spec.code, rng_i, person.name, incident, place)
        items = tuple(
            services.ItemInput(name=n, quantity=q, features=f, pages=p)
            for n, q, f, p in ITEMS.get(spec.code, [])
        )
        category = categories[spec.code]
        registered_at = spec.received_at + timedelta(minutes=rng_i.randrange(4, 25))
        key = f"demo-{spec.index}"
        if spec.channel == Channel.DISPATCH_110:
            station = rng_i.choice(stations)
            handled = spec.received_at + timedelta(minutes=rng_i.randrange(8, 45))
            data = services.AlertInput(
                channel=spec.channel,
                received_at=spec.received_at,
                handled_at=handled,
                incident_at=incident,
                incident_place=place,
                narrative=text,
                category=category,
                urgency=Urgency.URGENT
                if category.is_case_type and rng_i.random() < 0.3
                else Urgency.NORMAL,
                external_ref=f"J350400{timezone.localtime(spec.received_at):%Y%m%d}{spec.index:05d}",
                parties=(
                    services.PartyInput(
                        role=PartyRole.REPORTER, name=person.name, phone=person.phone
                    ),
                ),
            )
            registration = services.alert_import(
                client=client,
                data=data,
                handling_unit_code=station.code,
                idempotency_key=key,
                now=min(handled + timedelta(minutes=5), now),
            )
            alert = registration.alert
            # Most are completed by the station the same day; the last days' still wait, and a
            # few were completed late (a patrol finding for the supervision issue).
            late = rng_i.random() < 0.06
            completion = handled + timedelta(
                hours=rng_i.uniform(26, 40) if late else rng_i.uniform(1, 20)
            )
            if alert.registration_completed_at is None and completion < now:
                services.alert_complete_registration(
                    actor=officers[station.pk],
                    alert=alert,
                    version=alert.version,
                    data=services.AlertInput(**{**data.__dict__, "parties": ()}),
                    now=completion,
                )
                completed += 1
        else:
            desk_clerk = station_clerk if spec.station_desk else rng_i.choice(clerks)
            oral = spec.channel in (Channel.WALK_IN, Channel.BROUGHT_IN) and rng_i.random() < 0.55
            file_inputs: tuple[services.FileInput, ...] = ()
            existing_alert = Alert.objects.filter(
                registered_by=desk_clerk, received_at=spec.received_at, narrative=text
            ).exists()
            if oral and not existing_alert:
                content = _transcript_pdf(
                    f"接报时间：{_day_text(spec.received_at)}", person.name, text
                )
                handle = SimpleUploadedFile("询问笔录.pdf", content, "application/pdf")
                file_inputs = (
                    services.FileInput(
                        upload=handle,
                        inspection=uploads.inspect_upload(handle),
                        original_name=f"询问笔录（{person.name}）.pdf",
                        purpose=FilePurpose.TRANSCRIPT,
                    ),
                )
            data = services.AlertInput(
                channel=spec.channel,
                report_form=ReportForm.ORAL if oral else ReportForm.WRITTEN,
                received_at=spec.received_at,
                incident_at=incident,
                incident_place=place,
                narrative=text,
                category=category,
                urgency=Urgency.NORMAL,
                external_ref=(
                    f"沙{rng_i.choice(['市监', '人社', '税'])}移〔2026〕{spec.index % 90 + 1}号"
                    if spec.channel == Channel.ADMIN_TRANSFER
                    else ""
                ),
                source_organ=rng_i.choice(ORGANS) if spec.channel == Channel.ADMIN_TRANSFER else "",
                parties=(person,),
                items=items,
                files=file_inputs,
            )
            if existing_alert:
                replayed += 1
                continue
            registration = services.alert_register(
                actor=desk_clerk, data=data, idempotency_key=key, now=registered_at
            )
            alert = registration.alert
            files += len(file_inputs)
            if (
                spec.channel in (Channel.WALK_IN, Channel.KIOSK, Channel.BROUGHT_IN)
                and not alert.receipt_issued_at
            ):
                services.receipt_print(
                    actor=desk_clerk, alert=alert, now=registered_at + timedelta(minutes=1)
                )
                receipts += 1
        if registration.replayed:
            replayed += 1
        else:
            created += 1
    return (
        f"警情 +{created}（已存在 {replayed}），110 补录 {completed}，"
        f"询问笔录 {files} 份，回执 {receipts} 份"
    )
