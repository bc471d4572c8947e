"""The classification standard (警情分类标准) that a new installation starts with.

It follows the structure bureaus use in practice (刑事 / 治安 / 纠纷 / 求助 / 举报 / 投诉 / 咨询 /
无效). The center and the legal brigade tune it afterwards as data: every category can be renamed,
retired or added, and the flags below say what the rest of the system does with an alert of it.

Flags per leaf:
- ``case``: a case-type alert (涉案类). It must end as 受案/立案/不予立案/移送, never as a non-case
  closure; the supervision rules watch it for "有案不受".
- ``review``: economic-crime or dispute-prone (经济犯罪、易与纠纷混淆): the legal brigade reviews
  before the accept/file decision (公安部《关于改革完善受案立案制度的意见》, 2015).
- ``sensitive``: minors, sexual offences and the like are never queryable online (DOMAIN §7).
"""

from __future__ import annotations

from dataclasses import dataclass

from shoulian.intake.choices import CategoryGroup

STANDARD_NAME = "警情分类标准（2026 本地版）"


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    case: bool
    review: bool = False
    sensitive: bool = False


@dataclass(frozen=True)
class Group:
    code: str
    group: CategoryGroup
    leaves: tuple[Leaf, ...]


STANDARD: tuple[Group, ...] = (
    Group(
        "01",
        CategoryGroup.CRIMINAL,
        (
            Leaf("0101", "盗窃", True),
            Leaf("0102", "入户盗窃", True),
            Leaf("0103", "盗窃电动车", True),
            Leaf("0104", "诈骗", True),
            Leaf("0105", "电信网络诈骗", True),
            Leaf("0106", "合同诈骗", True, review=True),
            Leaf("0107", "抢劫", True),
            Leaf("0108", "抢夺", True),
            Leaf("0109", "故意伤害", True),
            Leaf("0110", "侵占", True, review=True),
            Leaf("0111", "职务侵占", True, review=True),
            Leaf("0112", "敲诈勒索", True),
            Leaf("0113", "故意毁坏财物", True),
            Leaf("0114", "非法拘禁", True),
            Leaf("0115", "寻衅滋事", True),
            Leaf("0116", "非法吸收公众存款", True, review=True),
            Leaf("0117", "集资诈骗", True, review=True),
            Leaf("0118", "拒不支付劳动报酬", True, review=True),
            Leaf("0119", "强奸", True, sensitive=True),
            Leaf("0120", "强制猥亵", True, sensitive=True),
            Leaf("0121", "拐卖妇女儿童", True, sensitive=True),
            Leaf("0122", "危险驾驶", True),
            Leaf("0199", "其他刑事警情", True),
        ),
    ),
    Group(
        "02",
        CategoryGroup.PUBLIC_ORDER,
        (
            Leaf("0201", "殴打他人", True),
            Leaf("0202", "故意损毁财物", True),
            Leaf("0203", "盗窃（治安）", True),
            Leaf("0204", "诈骗（治安）", True),
            Leaf("0205", "扰乱单位秩序", True),
            Leaf("0206", "赌博", True),
            Leaf("0207", "吸毒", True),
            Leaf("0208", "卖淫嫖娼", True, sensitive=True),
            Leaf("0209", "非法侵入住宅", True),
            Leaf("0210", "威胁人身安全", True),
            Leaf("0211", "侮辱诽谤", True),
            Leaf("0212", "偷窥偷拍", True, sensitive=True),
            Leaf("0213", "家庭暴力", True, sensitive=True),
            Leaf("0299", "其他治安警情", True),
        ),
    ),
    Group(
        "03",
        CategoryGroup.DISPUTE,
        (
            Leaf("0301", "经济纠纷", False, review=True),
            Leaf("0302", "家庭纠纷", False),
            Leaf("0303", "邻里纠纷", False),
            Leaf("0304", "婚恋纠纷", False),
            Leaf("0305", "劳资纠纷", False, review=True),
            Leaf("0306", "消费纠纷", False),
            Leaf("0307", "交通纠纷", False),
            Leaf("0308", "土地山林纠纷", False),
            Leaf("0309", "医患纠纷", False),
            Leaf("0399", "其他纠纷", False),
        ),
    ),
    Group(
        "04",
        CategoryGroup.HELP,
        (
            Leaf("0401", "走失人员查找", False),
            Leaf("0402", "物品遗失", False),
            Leaf("0403", "危难求助", False),
            Leaf("0404", "醉酒救助", False),
            Leaf("0405", "精神异常人员", False),
            Leaf("0406", "未成年人救助", False, sensitive=True),
            Leaf("0499", "其他求助", False),
        ),
    ),
    Group(
        "05",
        CategoryGroup.TIP_OFF,
        (
            Leaf("0501", "举报违法犯罪线索", False),
            Leaf("0502", "举报涉赌", False),
            Leaf("0503", "举报涉毒", False),
            Leaf("0504", "举报涉黄", False, sensitive=True),
            Leaf("0599", "其他举报", False),
        ),
    ),
    Group(
        "06",
        CategoryGroup.COMPLAINT,
        (
            Leaf("0601", "投诉执法问题", False),
            Leaf("0602", "投诉服务态度", False),
            Leaf("0699", "其他投诉", False),
        ),
    ),
    Group(
        "07",
        CategoryGroup.CONSULT,
        (
            Leaf("0701", "法律政策咨询", False),
            Leaf("0702", "办事咨询", False),
        ),
    ),
    Group(
        "08",
        CategoryGroup.INVALID,
        (
            Leaf("0801", "误报", False),
            Leaf("0802", "重复报警", False),
            Leaf("0803", "骚扰电话", False),
            Leaf("0804", "恶作剧", False),
        ),
    ),
)
