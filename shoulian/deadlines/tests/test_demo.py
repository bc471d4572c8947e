from __future__ import annotations

import random

import pytest

from shoulian.deadlines.choices import Band, DeadlineStatus, ExtensionStatus
from shoulian.deadlines.demo import DEMO_DEADLINES, seed_deadlines
from shoulian.deadlines.models import Deadline, DeadlineExtension
from shoulian.deadlines.selectors import work_queue
from shoulian.org.demo import seed_organisation

pytestmark = pytest.mark.django_db


def test_demo_deadlines_show_every_band_and_seed_once() -> None:
    seed_organisation(rng=random.Random(1))
    seed_deadlines(rng=random.Random(1))
    seed_deadlines(rng=random.Random(1))
    assert Deadline.objects.filter(object_type="demo_alert").count() == len(DEMO_DEADLINES)
    assert Deadline.objects.filter(status=DeadlineStatus.PAUSED).count() == 1
    assert DeadlineExtension.objects.filter(status=ExtensionStatus.PENDING).count() == 1
    from shoulian.accounts.models import User

    head = User.objects.get(username="center.head")
    # Yellow and orange depend on where today's weekends and holidays fall; these three do not.
    bands = {item.band for item in work_queue(head)}
    assert {Band.GREEN, Band.RED, Band.PAUSED} <= bands
