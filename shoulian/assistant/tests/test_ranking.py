"""The classifier export, the threshold pairs and the element checks (issue 18 §3)."""

from __future__ import annotations

import numpy as np
import pytest

from shoulian.assistant import classifier
from shoulian.assistant.choices import Nature
from shoulian.assistant.ranking import rank
from shoulian.assistant.selectors import current_checklists

pytestmark = pytest.mark.django_db

EMBEZZLEMENT = "报案人称其公司员工王某利用担任出纳的职务便利，将公司账户上的50,000元转入自己的银行卡，现已联系不上。"


def test_the_exported_model_gives_scikit_learns_probabilities() -> None:
    texts = [
        "邻居家漏水把天花板泡坏了",
        "电动车被偷了",
        "被人用刀抢走手机",
        "老板拖欠工资",
        "咨询户口迁移",
        "邻居半夜放音乐",
    ]
    labels = ["邻里纠纷", "盗窃", "抢劫", "劳动纠纷", "咨询", "邻里纠纷"]
    arrays = classifier.fit(texts * 10, labels * 10, version="test")
    assert classifier.export_gap(arrays, [*texts, "完全不同的一段话"]) < 1e-6


def test_the_char_ngrams_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = TfidfVectorizer(analyzer="char", ngram_range=classifier.NGRAM_RANGE).build_analyzer()
    text = "报案人  称：Ab 5万元\n被盗"
    assert classifier.char_ngrams(text) == analyzer(text)


def test_the_shipped_model_loads_without_pickle_and_covers_every_nature(tmp_path) -> None:
    model = classifier.load()
    assert set(model.labels) == set(Nature.values)
    with np.load(classifier.MODEL_PATH, allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)
    assert classifier.MODEL_PATH.stat().st_size < 2 * 1024 * 1024


def test_an_employee_taking_company_money_ranks_embezzlement_first_with_its_elements() -> None:
    ranking = rank(EMBEZZLEMENT, current_checklists())
    first = ranking.first
    assert first.label == "职务侵占" and first.p > 0.5 and first.criminal
    assert len(ranking.top) == 3 and sum(s.p for s in ranking.top) <= 1.0001
    found = {e.element for e in first.elements if e.found}
    assert {"客体", "主体", "客观方面"} <= found
    assert first.threshold is not None and first.threshold.met is True
    assert "30,000" in first.threshold.reason and not first.threshold.verified
    assert ranking.facts.amount_yuan == 50000


def test_a_missing_element_comes_with_its_question() -> None:
    ranking = rank("公司员工拿走了公司50000元", current_checklists())
    first = ranking.first
    assert first.label == "职务侵占"
    missing = {e.element: e.question for e in first.missing}
    assert "主观方面" in missing and "归还" in missing["主观方面"]


def test_the_theft_threshold_decides_between_the_crime_and_the_public_order_case() -> None:
    checklists = current_checklists()
    assert rank("停在楼下的电动车被人偷了，价值两千五百元", checklists).first.label == "盗窃"
    small = rank("停在楼下的电动车被人偷了，价值五百元", checklists).first
    assert small.label == "盗窃(治安,未达立案标准)" and not small.criminal


def test_burglary_is_a_crime_whatever_the_amount() -> None:
    first = rank("小偷撬开防盗门入室盗窃，偷走现金五百元", current_checklists()).first
    assert first.label == "盗窃"
    assert first.threshold is not None and first.threshold.met is True


def test_the_injury_decides_between_intentional_injury_and_assault() -> None:
    checklists = current_checklists()
    assert (
        rank("与邻居吵架被对方用木棍打伤，经鉴定为轻伤二级", checklists).first.label == "故意伤害"
    )
    assert (
        rank("与邻居吵架被对方用木棍打伤，验伤为轻微伤", checklists).first.label == "殴打他人(治安)"
    )


def test_a_province_figure_overrides_the_national_lower_bound() -> None:
    checklists = current_checklists()
    theft = checklists["盗窃"]
    theft.province_threshold_yuan = 3000
    first = rank("停在楼下的电动车被人偷了，价值两千五百元", checklists).first
    assert first.label == "盗窃(治安,未达立案标准)"


def test_without_checklists_only_the_classifier_speaks() -> None:
    ranking = rank(EMBEZZLEMENT)
    assert ranking.first.label == "职务侵占" and ranking.first.elements == []
