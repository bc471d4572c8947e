from __future__ import annotations

import pytest

from shoulian.bulletins.demo import seed_bulletins
from shoulian.bulletins.models import Bulletin
from shoulian.org.demo import seed_organisation

pytestmark = pytest.mark.django_db


def test_demo_lays_out_summaries_issued_bulletins_and_one_waiting_draft() -> None:
    # The organisation alone (no alerts): the bulletins' layout does not depend on the volume.
    seed_organisation()
    assert "已下发月通报 3 期" in seed_bulletins()
    assert Bulletin.objects.filter(kind="weekly").count() == 4
    monthly = Bulletin.objects.filter(kind="monthly").order_by("period_start")
    assert [b.status for b in monthly] == ["issued", "issued", "issued", "center_ok"]
    # 第 N 期 per issuing year: distinct within a year (the months may straddle New Year).
    numbers = [(b.year, b.sequence) for b in monthly[:3]]
    assert all(n for _, n in numbers) and len(set(numbers)) == 3
    # Idempotent.
    seed_bulletins()
    assert Bulletin.objects.count() == 8
