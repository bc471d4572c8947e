"""The crime signal the 有案不受 patrol rule uses (issue 18 §5), tuned for recall."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shoulian.assistant.choices import CRIMINAL_NATURES
from shoulian.assistant.screening import PRIVATE_PROSECUTION, screen
from shoulian.assistant.selectors import current_checklists

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    "text",
    [
        "其公司出纳利用职务便利将公司5万元转入个人账户，做假账后失联。",
        "在路边被两名男子持刀拦住，抢走手机和现金两千元。",
        "与邻居吵架被对方用木棍打断手臂，经鉴定为轻伤二级。",
        "接到自称公安局民警的电话，按要求把存款8万元转入安全账户。",
    ],
)
def test_a_crime_with_its_elements_fires(text: str) -> None:
    signal = screen(text, current_checklists())
    assert signal is not None and signal.criminal


@pytest.mark.parametrize(
    "text",
    [
        "楼上邻居家卫生间漏水，把其家天花板泡坏了，对方不愿赔偿。",
        "其来所咨询户口迁移需要准备哪些材料。",
        "借给朋友两万元有借条，对方说暂时还不上，承诺年底还。",
        "停在楼下的电动车电瓶被人偷了，价值三百元。",  # below the theft threshold
        "与顾客因找零吵架，对方打了其一拳，脸部红肿，验伤为轻微伤。",
        "朋友代为保管的3万元拒不归还。",  # 侵占: the victim sues (告诉才处理)
    ],
)
def test_a_dispute_a_minor_case_or_a_private_prosecution_stays_quiet(text: str) -> None:
    assert screen(text, current_checklists()) is None


def test_recall_on_the_held_out_crimes() -> None:
    checklists = current_checklists()
    rows = [json.loads(line) for line in (DATA / "natures-heldout.jsonl").open()]
    crimes = [r for r in rows if r["label"] in CRIMINAL_NATURES - PRIVATE_PROSECUTION]
    others = [r for r in rows if r["label"] not in CRIMINAL_NATURES]
    flagged = sum(screen(r["text"], checklists) is not None for r in crimes)
    false = sum(screen(r["text"], checklists) is not None for r in others)
    assert crimes and others
    assert flagged / len(crimes) >= 0.95
    assert false / len(others) <= 0.05
