"""A new deduction is told to the people it concerns (issue 16): the officer and the unit's
leader get a staff-inbox message when the nightly scoring posts it; nobody else, and only once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shoulian.assessment.choices import EntryKind, Subject
from shoulian.assessment.models import ScoreEntry
from shoulian.assessment.services import score_bureau
from shoulian.assessment.tests.helpers import neglected_alert, patrol_and_score
from shoulian.conftest import login_as
from shoulian.supervision.choices import MessageKind
from shoulian.supervision.models import InboxMessage
from shoulian.supervision.services import inbox_notify
from shoulian.supervision.tests.helpers import patrol

pytestmark = pytest.mark.django_db


def deduction_notices(user: Any) -> list[InboxMessage]:
    return list(InboxMessage.objects.filter(recipient=user, kind=MessageKind.DEDUCTION))


def test_a_new_deduction_is_told_to_the_officer_and_the_unit_leader(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any, legal_officer: Any, outsider: Any
) -> None:
    neglected_alert(clerk, officer)
    stats = patrol_and_score(bureau_a.bureau)
    assert stats.posted and stats.notified >= 2
    mine = ScoreEntry.objects.filter(
        officer=officer, subject=Subject.OFFICER, kind=EntryKind.DEDUCTION
    )
    unit = ScoreEntry.objects.filter(
        unit=bureau_a.station, subject=Subject.UNIT, kind=EntryKind.DEDUCTION
    )
    assert mine and unit

    [notice] = deduction_notices(officer)
    assert notice.title.startswith(f"【考评扣分】本人新增扣分 {len(mine)} 笔")
    assert "三日内申诉" in notice.title and notice.finding is None and notice.read_at is None
    # The leader hears of the unit's and its officer's deductions, in one message.
    [told] = deduction_notices(leader)
    assert told.title.startswith(f"【考评扣分】本单位及民警新增扣分 {len(mine) + len(unit)} 笔")
    total = sum(e.points for e in [*mine, *unit])
    assert f"合计 {format(total.normalize(), 'f')} 分" in told.title
    # Nobody else: not the station's legal officer, not another bureau.
    assert deduction_notices(legal_officer) == [] and deduction_notices(outsider) == []

    # The links lead to what each may open; the inbox shows the message to its recipient only.
    for user, message in ((officer, notice), (leader, told)):
        client = login_as(Client(), user)
        assert client.get(message.link).status_code == 200
        page = client.get("/supervision/inbox/").content.decode()
        assert message.title in page and f'href="{message.link}"' in page
    assert (
        notice.title not in login_as(Client(), leader).get("/supervision/inbox/").content.decode()
    )

    # A second run posts nothing and tells nobody again.
    assert score_bureau(bureau=bureau_a.bureau).posted == 0
    assert len(deduction_notices(officer)) == 1 and len(deduction_notices(leader)) == 1


def test_a_run_told_not_to_notify_tells_nobody(
    bureau_a: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    neglected_alert(clerk, officer)
    patrol(bureau_a.bureau, now=timezone.now())
    stats = score_bureau(bureau=bureau_a.bureau, notify=False)
    assert stats.posted and stats.notified == 0
    assert not InboxMessage.objects.filter(kind=MessageKind.DEDUCTION).exists()


def test_inbox_notices_lead_only_inside_the_site_and_carry_no_finding_kind(officer: Any) -> None:
    now = timezone.now()
    for link in (
        "https://example.com/x", "//example.com/x", "javascript:alert(1)", "/\\example.com/x",
        "/\\\\example.com", "/\t/example.com",
    ):  # fmt: skip
        with pytest.raises(ValueError, match="page of this site"):
            inbox_notify(users=[officer], kind=MessageKind.DEDUCTION, title="x", link=link, now=now)
    for kind in ("nonsense", MessageKind.FINDING, MessageKind.ESCALATED):
        with pytest.raises(ValueError, match="not a kind of notice"):
            inbox_notify(users=[officer], kind=kind, title="x", link="/assessment/", now=now)
    [message] = inbox_notify(
        users=[officer], kind=MessageKind.DEDUCTION, title="x", link="/assessment/", now=now
    )
    assert message.title == "【考评扣分】x" and message.finding is None
