"""Facts read off narratives: amounts in every written form, injuries, relationships, means,
times and repetition (issue 18 §2)."""

from __future__ import annotations

import pytest

from shoulian.assistant.extraction import amounts, extract

AMOUNTS = [
    ("他拿走了三万五", [35000], 35000),
    ("公司账上少了1.2万", [12000], 12000),
    ("被骗两千五百元", [2500], 2500),
    ("损失5000元", [5000], 5000),
    ("损失5,000元", [5000], 5000),
    ("损失５０００元", [5000], 5000),
    ("人民币342500元", [342500], 342500),
    ("3.5万元", [35000], 35000),
    ("5万余元", [50000], 50000),
    ("五千多元", [5000], 5000),
    ("一万二千元", [12000], 12000),
    ("二十三万四千五百多元", [234500], 234500),
    ("欠我2万块钱", [20000], 20000),
    ("给了他800块", [800], 800),
    ("现金3000和一部手机", [3000], 3000),
    ("十二万元", [120000], 120000),
    ("3千元", [3000], 3000),
    ("两万元", [20000], 20000),
    ("先转了3000元，又转了5000元", [3000, 5000], 8000),
    ("先后转账3000元、5000元，共计8000元", [3000, 5000, 8000], 8000),
    ("分三次转账共计人民币12800元", [12800], 12800),
    ("被骗了1.2万元和两千五百元", [12000, 2500], 14500),
]


@pytest.mark.parametrize(("text", "each", "total"), AMOUNTS)
def test_amounts_in_every_written_form(text: str, each: list[int], total: int) -> None:
    facts = extract(text)
    assert [a.yuan for a in facts.amounts] == each
    assert facts.amount_yuan == total


NOT_MONEY = [
    "他今年35岁",
    "做了3单任务",
    "昨天晚上8点左右",
    "11月12日",
    "2026年10月下旬",
    "丢了两部手机",
    "工地的电缆约200米",
    "被偷了三次",
    "十余针",
]


@pytest.mark.parametrize("text", NOT_MONEY)
def test_numbers_that_count_other_things_are_not_amounts(text: str) -> None:
    assert amounts(text) == []
    assert extract(text).amount_yuan is None


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("经鉴定为轻伤二级", "轻伤"),
        ("验伤为轻微伤", "轻微伤"),
        ("经鉴定为重伤二级", "重伤"),
        ("抢救无效死亡", "死亡"),
        ("左臂骨折，住院治疗", "伤情待鉴定"),
        ("脸部红肿", None),
        ("双方吵了一架", None),
    ],
)
def test_the_worst_injury_is_read(text: str, level: str | None) -> None:
    assert extract(text).injury == level


def test_minor_injury_signs_are_listed_without_a_level() -> None:
    facts = extract("被推倒在地，手肘擦破皮，脸部红肿")
    assert facts.injury is None and {"擦破", "红肿"} <= set(facts.injury_words)


@pytest.mark.parametrize(
    ("text", "relationship"),
    [
        ("公司出纳将公司资金转走", "employee"),
        ("其与朋友合伙开店", "partner"),
        ("借给对方两万元，有借条", "borrower"),
        ("与丈夫因家务琐事争吵", "family"),
        ("楼上邻居家漏水", "neighbour"),
        ("被一名素不相识的男子拦住", "stranger"),
        ("同学借走笔记本电脑不还", "acquaintance"),
    ],
)
def test_relationship_between_the_parties(text: str, relationship: str) -> None:
    assert relationship in extract(text).relationships


@pytest.mark.parametrize(
    ("text", "means"),
    [
        ("通过微信转账给对方", "wechat"),
        ("用银行卡转账", "bank_card"),
        ("交给对方现金", "cash"),
        ("被对方按倒在地殴打", "violence"),
        ("对方持刀威胁", "weapon"),
        ("以公开其照片相威胁", "threat"),
        ("放在桌上的钱被偷", "secret"),
        ("一把抢走其手机", "snatch"),
        ("对方冒充客服", "deception"),
        ("利用职务便利做假账", "position"),
    ],
)
def test_means(text: str, means: str) -> None:
    assert means in extract(text).means


def test_times_and_repetition() -> None:
    facts = extract("11月12日晚上8点左右被偷，昨天凌晨又被偷，两年内已经被偷了三次")
    assert "11月12日晚上8点左右" in facts.times
    assert any(t.startswith("昨天凌晨") for t in facts.times)
    assert facts.repetitions == 3 and facts.repeated


def test_many_times_without_a_count_is_repetition() -> None:
    facts = extract("对方多次到店里强拿硬要")
    assert facts.repeated and facts.repetitions is None


def test_an_ordinal_is_not_a_count() -> None:
    assert extract("第二次来所报案").repetitions is None


@pytest.mark.parametrize(
    ("text", "form"),
    [("小偷撬开防盗门入室盗窃", "入户"), ("在公交车上被人扒窃", "扒窃")],
)
def test_special_forms_of_theft(text: str, form: str) -> None:
    assert form in extract(text).special_forms
