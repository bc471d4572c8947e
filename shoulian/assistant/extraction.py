"""Facts read off a narrative by rule: amounts, injuries, the parties' relationship, the means,
times and repetition. Chinese numerals go through ``cn2an`` (its "smart" mode also reads mixed
forms such as ``1.2万``); the rules here only find where an amount is written and what it counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cn2an

_DIGITS = "0-9０-９"
_CN = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
# A number: Arabic (with thousands separators or a decimal point) optionally followed by a
# Chinese unit (1.2万, 3千), or a run of Chinese numerals (三万五千, 两千五百).
_NUMBER = rf"(?:[{_DIGITS}][{_DIGITS},，.]*(?:[万千百]|亿)?|[{_CN}]+)"
# What makes a number money: a currency word after it, or 万 on its own ("三万五", "1.2万").
_AMOUNT = re.compile(
    rf"(?P<pre>人民币|现金|¥|￥)?\s*(?P<num>{_NUMBER})\s*(?P<approx>余|多)?\s*"
    r"(?P<unit>万元|千元|百元|元|块钱|块)?"
)
_TOTAL_WORDS = ("共计", "合计", "总计", "累计", "一共", "总共", "共", "总额", "共被骗", "共损失")
# Numbers followed by these count something other than money.
_NOT_MONEY_AFTER = re.compile(
    r"^(?:个|次|人|名|岁|年|月|日|号|天|小时|分钟|点|时|米|斤|公斤|头|条|辆|部|台|层|栋|单|笔|针|处|棵|家|间|期|倍|%)"
)


@dataclass(frozen=True)
class Amount:
    yuan: int
    text: str
    start: int
    is_total: bool = False
    approximate: bool = False


@dataclass
class Facts:
    amounts: list[Amount] = field(default_factory=list)
    amount_yuan: int | None = None  # the stated total, else the sum of the amounts
    injury: str | None = None  # 死亡 / 重伤 / 轻伤 / 轻微伤 / 伤情待鉴定
    injury_words: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    means: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    repetitions: int | None = None  # how many times, when the narrative says
    repeated: bool = False
    special_forms: list[str] = field(default_factory=list)  # 入户 / 扒窃 / 携带凶器 (盗窃)

    def as_dict(self) -> dict[str, object]:
        return {
            "amounts": [a.yuan for a in self.amounts],
            "amount_yuan": self.amount_yuan,
            "injury": self.injury,
            "relationships": self.relationships,
            "means": self.means,
            "times": self.times,
            "repetitions": self.repetitions,
            "repeated": self.repeated,
            "special_forms": self.special_forms,
        }


def _to_number(text: str) -> float | None:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    text = text.replace(",", "").replace("，", "").rstrip(".")
    if not text:
        return None
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def amounts(text: str) -> list[Amount]:
    found: list[Amount] = []
    for match in _AMOUNT.finditer(text):
        num, unit = match["num"], match["unit"] or ""
        if not num or not any(ch not in "，,." for ch in num):
            continue
        after = text[match.end() :]
        has_wan = "万" in num or "亿" in num
        if not unit and not match["pre"]:
            # A bare number is money only when it carries 万 ("三万五", "1.2万") and nothing
            # after it says it counts people, times or days.
            if not has_wan or _NOT_MONEY_AFTER.match(after):
                continue
        if unit and _NOT_MONEY_AFTER.match(after) and unit in ("块",):
            continue
        if match["pre"] and not unit and not has_wan:
            # "现金" followed by a number without 元: still money ("现金3000").
            if _NOT_MONEY_AFTER.match(after):
                continue
        value = _to_number(num)
        if value is None or value <= 0:
            continue
        multiplier = {"万元": 10000, "千元": 1000, "百元": 100}.get(unit, 1)
        yuan = round(value * multiplier)
        if yuan <= 0:
            continue
        before = text[max(0, match.start() - 4) : match.start()]
        found.append(
            Amount(
                yuan=yuan,
                text=match.group(0).strip(),
                start=match.start(),
                is_total=any(before.endswith(w) for w in _TOTAL_WORDS),
                approximate=bool(match["approx"]),
            )
        )
    return found


def total(found: list[Amount]) -> int | None:
    """The stated total (共计 …) when the narrative gives one, otherwise the sum."""
    if not found:
        return None
    totals = [a.yuan for a in found if a.is_total]
    if totals:
        return max(totals)
    return sum(a.yuan for a in found)


# Most serious first: the narrative's worst injury decides.
_INJURY = [
    ("死亡", re.compile(r"死亡|身亡|致死|抢救无效")),
    ("重伤", re.compile(r"重伤")),
    ("轻伤", re.compile(r"(?<!微)轻伤(?!害)")),
    ("轻微伤", re.compile(r"轻微伤")),
]
_INJURY_SIGNS = re.compile(
    r"骨折|断裂|缝了?[\d一二两三四五六七八九十余多]+针|住院|脾脏破裂|颅骨|肌腱|视力下降|"
    r"红肿|淤青|擦伤|擦破|抓伤|出血|流血|受伤"
)
# Signs that usually reach 轻伤 (《人体损伤程度鉴定标准》): the appraisal decides.
_SERIOUS_SIGNS = ("骨折", "断裂", "住院", "破裂", "颅骨", "肌腱", "视力下降", "针")


def injury(text: str) -> tuple[str | None, list[str]]:
    words = list(dict.fromkeys(m.group(0) for m in _INJURY_SIGNS.finditer(text)))
    for level, pattern in _INJURY:
        if pattern.search(text):
            return level, words
    if any(sign in w for w in words for sign in _SERIOUS_SIGNS):
        return "伤情待鉴定", words
    return None, words


RELATIONSHIPS: dict[str, re.Pattern[str]] = {
    "employee": re.compile(
        r"员工|职员|出纳|会计|财务|收银员|业务员|店长|仓库管理员|仓管|采购员|司机|车间主任|"
        r"经理|职务|工作人员"
    ),
    "partner": re.compile(r"合伙|股东|入股|合开|合作经营|一起投资"),
    "borrower": re.compile(r"借款|借钱|借给|借走|欠条|借条|欠款|还款"),
    "family": re.compile(
        r"丈夫|妻子|老公|老婆|儿子|女儿|婆婆|儿媳|哥哥|弟弟|姐姐|妹妹|父亲|母亲|前夫|前妻|女婿|婆媳|夫妻|亲戚|老伴"
    ),
    "neighbour": re.compile(r"邻居|楼上|楼下|隔壁|对门"),
    "acquaintance": re.compile(r"朋友|同学|同事|同乡|老乡|网友|前男友|前女友|工友|熟人"),
    "stranger": re.compile(r"陌生|不认识|素不相识|一名男子|一名女子|两名男子|三名|蒙面|一伙|一群"),
}
MEANS: dict[str, re.Pattern[str]] = {
    "wechat": re.compile(r"微信"),
    "alipay": re.compile(r"支付宝"),
    "bank_card": re.compile(r"银行卡|银行账户|手机银行|转账|汇款|账户"),
    "cash": re.compile(r"现金|营业款|备用金"),
    "online": re.compile(r"网上|网络|APP|app|平台|链接|QQ|群|刷单|客服|游戏"),
    "phone": re.compile(r"电话|来电|短信"),
    "violence": re.compile(r"殴打|打倒|按倒|勒住|掐住|捆住|围殴|打了|踢了|砍|砸|推搡|扇了|拳"),
    "weapon": re.compile(r"持刀|刀|棍|铁锹|锄头|砖头|啤酒瓶|凶器|枪"),
    "threat": re.compile(r"威胁|要挟|相要挟|扬言|否则|不给就|恐吓|对你家人不客气"),
    "secret": re.compile(r"偷|盗|撬|扒窃|趁.{0,4}(?:没人|不在)|顺手"),
    "snatch": re.compile(r"抢走|一把抢|夺走|拽走|扯断|飞车"),
    "deception": re.compile(r"谎称|冒充|自称|虚构|假的|伪造|虚假|骗"),
    "contract": re.compile(r"合同|协议|订单"),
    "position": re.compile(r"职务便利|职务之便|利用.{0,6}便利|经手|做假账|假账|冲账|截留"),
}
RELATIONSHIP_LABELS = {
    "employee": "单位员工",
    "partner": "合伙人、股东",
    "borrower": "借贷",
    "family": "家庭成员、亲属",
    "neighbour": "邻居",
    "acquaintance": "熟人（朋友、同事、同学）",
    "stranger": "陌生人",
}
MEANS_LABELS = {
    "wechat": "微信",
    "alipay": "支付宝",
    "bank_card": "银行卡、转账",
    "cash": "现金",
    "online": "网络",
    "phone": "电话、短信",
    "violence": "暴力",
    "weapon": "凶器、工具",
    "threat": "威胁、要挟",
    "secret": "秘密窃取",
    "snatch": "抢夺",
    "deception": "虚构事实、冒充",
    "contract": "合同",
    "position": "利用职务便利",
}
_SPECIAL_FORMS = {
    "入户": re.compile(r"入户|入室|撬开防盗门|翻墙进入|翻窗进来|闯入其家"),
    "扒窃": re.compile(r"扒窃|扒走|口袋里的.{0,6}被|挎包拉链被人拉开"),
    "携带凶器": re.compile(r"携带凶器|持刀盗"),
}
_TIME = re.compile(
    r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?:[上下中]午|凌晨|晚上|傍晚|早上|夜里)?(?:[\d一二两三四五六七八九十]+[时点](?:许|左右|多)?)?|"
    r"(?:今天|昨天|前天|今日|昨日|上周[一二三四五六日天]?|本月[\d一二三四五六七八九十]+日|上个月|本月|今年|去年|前几天|近[一二两三四五六七八九十\d]+个?[月年天])"
    r"(?:[上下中]午|凌晨|晚上|傍晚|早上|夜里|中旬|下旬|上旬)?(?:[\d一二两三四五六七八九十]+[时点](?:半|许|左右|多)?)?"
)
_COUNT = re.compile(r"(?<![第])([\d一二两三四五六七八九十]+)\s*次")
_REPEATED = re.compile(r"多次|屡次|反复|再次|又一次|经常|长期|天天|每天|几次|一再")


def times_and_repetition(text: str) -> tuple[list[str], int | None, bool]:
    times = list(dict.fromkeys(m.group(0) for m in _TIME.finditer(text) if m.group(0)))
    counts = []
    for match in _COUNT.finditer(text):
        try:
            counts.append(int(cn2an.cn2an(match.group(1), "smart")))
        except ValueError:
            continue
    repetitions = max(counts) if counts else None
    repeated = bool(_REPEATED.search(text)) or (repetitions is not None and repetitions >= 2)
    return times, repetitions, repeated


def extract(text: str) -> Facts:
    found = amounts(text)
    level, words = injury(text)
    times, repetitions, repeated = times_and_repetition(text)
    return Facts(
        amounts=found,
        amount_yuan=total(found),
        injury=level,
        injury_words=words,
        relationships=[k for k, p in RELATIONSHIPS.items() if p.search(text)],
        means=[k for k, p in MEANS.items() if p.search(text)],
        times=times,
        repetitions=repetitions,
        repeated=repeated,
        special_forms=[k for k, p in _SPECIAL_FORMS.items() if p.search(text)],
    )
