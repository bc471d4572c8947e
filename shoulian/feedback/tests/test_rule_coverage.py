"""Every seeded deadline rule runs from its event (issue 12 item 2): a rule that exists must be
started by the service or transition that owns its event, or not be offered.

The test walks the events of DOMAIN §4 through the services (intake, workflow, feedback) and
fails on any seeded rule code that nothing started. It lives in feedback's tests, next to
the complaints' periods; the assessment's two (score challenges) are reached through its services."""

from __future__ import annotations

from typing import Any

import pytest

from shoulian.accounts.choices import Role
from shoulian.assessment.models import ScoreEntry
from shoulian.assessment.services import challenge_file
from shoulian.assessment.tests.helpers import neglected_alert, patrol_and_score
from shoulian.conftest import make_user
from shoulian.deadlines.models import Deadline, DeadlineRule
from shoulian.feedback.services import complaint_accept
from shoulian.feedback.tests.helpers import file_complaint
from shoulian.intake.choices import Channel, PartyRole
from shoulian.intake.models import AlertParty
from shoulian.intake.services import receipt_print
from shoulian.intake.tests.helpers import import_110
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.tests.helpers import act, approve, handling, new_alert, propose, routed

pytestmark = pytest.mark.django_db


def started_codes() -> set[str]:
    return set(Deadline.objects.values_list("code", flat=True).distinct())


def test_every_seeded_rule_is_started_by_its_event(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, head: Any, bureau_a: Any
) -> None:
    seeded = set(
        DeadlineRule.objects.filter(bureau__isnull=True).values_list("code", flat=True).distinct()
    )
    assert len(seeded) >= 19

    # Intake: a walk-in report and its receipt (三个当场); a 110 alert taken over (补录).
    walk_in = new_alert(clerk)
    receipt_print(actor=clerk, alert=walk_in)
    import_110(clerk, station_code=bureau_a.station.code)

    # Review periods by kind of alert, started when the alert is routed.
    routed(clerk, bureau_a.station)  # 刑事: 立案审查
    routed(clerk, bureau_a.station, category_code="0501")  # 举报线索: 查证
    routed(
        clerk,
        bureau_a.station,
        channel=Channel.ADMIN_TRANSFER,
        source_organ="甲县市场监督管理局",
        external_ref="甲市监移〔2026〕1号",
        category_code="0104",
    )

    # 治安: 受案审查, transfer out within 24 h, the case period after 受案.
    public_order = handling(clerk, officer, category_code="0201")
    act(officer, public_order, Action.PROPOSE, kind=DecisionKind.TRANSFER_OUT, facts="非本机关管辖。", legal_basis="程序规定第六十一条", authority="甲县交警大队")  # fmt: skip
    act(officer, public_order, Action.WITHDRAW)
    approve(leader, propose(officer, public_order, DecisionKind.ADMIN_ACCEPT))

    # Not police business: tell the reporter at once.
    dispute = handling(clerk, officer, category_code="0306")
    approve(leader, propose(officer, dispute, DecisionKind.NOT_POLICE, authority="县消委会"))

    # 不予立案 → service → 复议 → its decision served → 复核.
    refused = handling(clerk, officer)
    decision = propose(officer, refused, DecisionKind.NOT_FILE)
    approve(leader, decision)
    approve(bureau_head, decision)
    act(officer, refused, Action.SERVE_NOTICE)
    applicant = AlertParty.objects.get(alert=refused, role=PartyRole.REPORTER).pk
    act(clerk, refused, Action.APPLY_RECONSIDERATION, applicant=applicant, grounds="不服")
    other_chief = make_user("chief_other", bureau_a.bureau, Role.BUREAU_HEAD)
    act(other_chief, refused, Action.UPHOLD_RECONSIDERATION, reason="维持")
    act(officer, refused, Action.SERVE_RECONSIDERATION_DECISION)
    act(clerk, refused, Action.APPLY_REVIEW, applicant=applicant, grounds="仍不服")

    # Complaints and petitions: received, acceptance told, answered.
    complaint = file_complaint(unit=bureau_a.center)
    complaint_accept(actor=head, complaint=complaint)

    # Assessment (issue 16): a deduction opens its challenge window; a challenge its answer.
    neglected_alert(clerk, officer)
    patrol_and_score(bureau_a.bureau)
    entry = ScoreEntry.objects.filter(officer=officer, points__lt=0).order_by("pk").first()
    assert entry is not None
    challenge_file(actor=officer, entry=entry, reason="该警情已按期报请延长立案审查期限。")

    missing = seeded - started_codes()
    assert not missing, f"seeded rules that nothing starts: {sorted(missing)}"
