"""The review work's figures (三级巡查评查, 现场处警视音频, 精准指导) against a hand count, made
through the review app's services, and their drill-down lists."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.urls import reverse

from shoulian.bulletins.stats import compute
from shoulian.bulletins.tests import helpers as h
from shoulian.review import services as review
from shoulian.workflow.tests.helpers import handling

pytestmark = pytest.mark.django_db


def _av(actor: Any, alert: Any, tag: str) -> Any:
    return review.av_record_link(
        actor=actor, alert=alert, store="执法记录仪管理平台", external_id=f"DSJ-{tag}",
        sha256=hashlib.sha256(tag.encode()).hexdigest(), duration_seconds=300, title=f"处警{tag}",
    )  # fmt: skip


def test_review_figures_equal_the_hand_count(
    bureau_a: Any, clerk: Any, officer: Any, head: Any, legal: Any, legal_officer: Any,
    client_for: Any,
) -> None:  # fmt: skip
    one, two = handling(clerk, officer), handling(clerk, officer)
    review.review_record(actor=head, alert=one, level="center", result="no_problem")
    review.review_record(actor=legal_officer, alert=one, level="unit", result="no_problem")
    review.review_record(
        actor=legal, alert=two, level="legal_brigade", result="free_finding",
        finding_level="yellow", finding_summary="受案登记表事实要素不全",
    )  # fmt: skip
    first, second = _av(officer, one, "a"), _av(officer, two, "b")
    # The first record is reviewed twice (center, then legal brigade): it counts once.
    review.av_review_record(actor=head, av_record=first, level="center", result="compliant")
    review.av_review_record(
        actor=legal, av_record=first, level="legal_brigade", result="problem",
        issues=["incomplete"],
    )  # fmt: skip
    review.av_review_record(actor=head, av_record=second, level="center", result="compliant")

    f = compute(bureau_a.bureau, h.period_now())
    assert (f.reviews, f.reviews_with_problem) == (3, 1)
    assert {r.key: r.count for r in f.reviews_by_level} == {
        "unit": 1, "center": 1, "legal_brigade": 1,
    }  # fmt: skip
    assert (f.av_reviewed, f.av_problems) == (2, 1)
    assert "现场处警视音频资料2件" in f.sentence
    station = compute(bureau_a.bureau, h.period_now(), bureau_a.station2)
    assert station.reviews == 0 and station.av_reviewed == 0

    client = client_for(head)
    period = h.period_now()
    query = {"start": period.start.isoformat(), "end": period.last_day.isoformat()}
    drill = client.get(reverse("bulletins:statistics"), query).context["drill"]
    listed = client.get(drill["reviews"])
    assert listed.status_code == 200 and listed.context["count"] == 3
    listed = client.get(drill["reviews"] + "&level=center")
    assert listed.context["count"] == 1
    listed = client.get(drill["av"])
    assert (listed.context["records"], listed.context["reviews"]) == (2, 3)


def test_a_station_officer_cannot_open_the_review_lists(officer: Any, client_for: Any) -> None:
    client = client_for(officer)
    for name in ("bulletins:reviews", "bulletins:av_reviews"):
        assert client.get(reverse(name)).status_code == 403
