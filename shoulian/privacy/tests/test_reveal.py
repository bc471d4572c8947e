"""P1: who may reveal what, on which channel; every reveal and refusal journalled (U1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template import Context, Template

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.conftest import Bureau, make_user
from shoulian.privacy import registry
from shoulian.privacy.choices import Channel, Display, Kind, Storage
from shoulian.privacy.policy import Custody, Ground, decide
from shoulian.privacy.services import RevealDenied, display_value, reveal_field
from shoulian.privacy.tests.sample_models import NoCustody, Sample

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_table")]

ID_NUMBER = "11010519491231002X"
PHONE = "13812348000"


@pytest.fixture
def registered_name() -> Iterator[None]:
    registry.register("privacy_tests.Sample", "name", kind=Kind.NAME, storage=Storage.MASKED)
    yield
    del registry._personal[("privacy_tests.sample", "name")]


@pytest.fixture
def sample(bureau_a: Bureau, officer: User) -> Sample:
    """Registered by the center, handled by the 城关派出所 officer."""
    return Sample.objects.create(
        registering_unit=bureau_a.center,
        handling_unit=bureau_a.station,
        handling_officer=officer,
        name="张三丰",
        id_number=ID_NUMBER,
        phone=PHONE,
        address="福建省三明市三元区列东街道新市北路123号",
    )


def reveal_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).order_by("id"))


ALLOWED = [
    ("officer", Ground.HANDLING_OFFICER),
    ("leader", Ground.HANDLING_UNIT),
    ("legal_officer", Ground.HANDLING_UNIT),
    ("clerk", Ground.REGISTERING_CLERK),
    ("auxiliary_clerk", Ground.REGISTERING_CLERK),
    ("head", Ground.BUREAU_REVIEW),
    ("legal", Ground.BUREAU_REVIEW),
]


@pytest.mark.parametrize(("persona", "ground"), ALLOWED)
def test_declared_roles_reveal_and_the_reveal_is_journalled(
    request: pytest.FixtureRequest, sample: Sample, persona: str, ground: Ground
) -> None:
    user = request.getfixturevalue(persona)
    assert reveal_field(user=user, obj=sample, field="id_number") == ID_NUMBER
    (event,) = reveal_events()
    assert event.outcome == Outcome.SUCCESS
    assert event.actor_username == user.username
    assert (event.object_type, event.object_id) == ("sample", str(sample.pk))
    assert event.data == {
        "action": "reveal",
        "fields": ["id_number"],
        "kind": "id_number",
        "ground": ground.value,
    }
    assert ID_NUMBER not in event.body and ID_NUMBER[6:14] not in event.body


DENIED = [
    ("admin_user", Ground.SEPARATION_OF_DUTIES),
    ("bureau_head", Ground.NO_ROLE),
    ("officer2", Ground.OUT_OF_SCOPE),  # another 派出所 of the same bureau
    ("outsider", Ground.OUT_OF_SCOPE),  # another bureau
]


@pytest.mark.parametrize(("persona", "ground"), DENIED)
def test_other_roles_are_refused_and_the_refusal_is_journalled(
    request: pytest.FixtureRequest, sample: Sample, persona: str, ground: Ground
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(RevealDenied) as caught:
        reveal_field(user=user, obj=sample, field="phone")
    assert caught.value.ground == ground
    (event,) = reveal_events()  # written although the caller got an exception
    assert event.outcome == Outcome.DENIED
    assert event.data["ground"] == ground.value
    assert event.actor_username == user.username


def test_admin_cannot_reveal_id_number(sample: Sample, admin_user: User) -> None:
    with pytest.raises(RevealDenied, match="三员分立"):
        reveal_field(user=admin_user, obj=sample, field="id_number")


def test_an_officer_who_is_not_handling_the_record_is_refused(
    bureau_a: Bureau, sample: Sample
) -> None:
    colleague = make_user("colleague", bureau_a.station, Role.OFFICER)
    with pytest.raises(RevealDenied, match="只有承办民警") as caught:
        reveal_field(user=colleague, obj=sample, field="phone")
    assert caught.value.ground == Ground.NO_ROLE


def test_leaders_of_other_units_and_heads_of_other_bureaus_are_refused(
    bureau_a: Bureau, bureau_b: Bureau, sample: Sample
) -> None:
    other_leader = make_user("leader2", bureau_a.station2, Role.LEADER)
    other_head = make_user("head2", bureau_b.center, Role.CENTER_HEAD)
    other_clerk = make_user("clerk2", bureau_b.center, Role.CLERK)
    for user in (other_leader, other_head, other_clerk):
        with pytest.raises(RevealDenied) as caught:
            reveal_field(user=user, obj=sample, field="phone")
        assert caught.value.ground == Ground.OUT_OF_SCOPE
    assert [e.outcome for e in reveal_events()] == [Outcome.DENIED] * 3


def test_the_inspector_reveals_only_with_a_reason(sample: Sample, inspector: User) -> None:
    with pytest.raises(RevealDenied, match="查看事由") as caught:
        reveal_field(user=inspector, obj=sample, field="phone", reason="   ")
    assert caught.value.ground == Ground.REASON_REQUIRED
    value = reveal_field(user=inspector, obj=sample, field="phone", reason="核查投诉 第12号")
    assert value == PHONE
    refused, allowed = reveal_events()
    assert (refused.outcome, refused.data["ground"]) == (Outcome.DENIED, "reason_required")
    assert (allowed.outcome, allowed.data["ground"]) == (Outcome.SUCCESS, "inspection")
    assert allowed.data["reason"] == "核查投诉 第12号"


def test_a_disabled_account_is_refused(sample: Sample, officer: User) -> None:
    officer.is_active = False
    with pytest.raises(RevealDenied) as caught:
        reveal_field(user=officer, obj=sample, field="phone")
    assert caught.value.ground == Ground.NOT_AUTHENTICATED


def test_a_masked_plain_field_is_revealed_like_an_encrypted_one(
    registered_name: None, sample: Sample, clerk: User
) -> None:
    assert reveal_field(user=clerk, obj=sample, field="name") == "张三丰"


def test_only_declared_masked_or_encrypted_fields_can_be_revealed(
    sample: Sample, clerk: User
) -> None:
    for field in ("name", "id_number_index", "id_type"):
        with pytest.raises(ValueError, match="not a masked or encrypted personal field"):
            reveal_field(user=clerk, obj=sample, field=field)
    assert reveal_events() == []


def test_a_model_without_custody_cannot_be_revealed(clerk: User) -> None:
    with pytest.raises(TypeError, match="privacy_custody"):
        reveal_field(user=clerk, obj=NoCustody(secret="x"), field="secret")


# --- display per channel -----------------------------------------------------------------------
def test_staff_pages_and_exports_show_everything_masked(
    registered_name: None, sample: Sample
) -> None:
    for channel in (Channel.STAFF_WEB, Channel.EXPORT):
        shown = {
            f: display_value(sample, f, channel=channel)
            for f in ("name", "id_number", "phone", "address")
        }
        assert shown == {
            "name": "张**",
            "id_number": "110105********002X",
            "phone": "138****8000",
            "address": "福建省三明市三元区****",
        }


def test_citizens_see_masked_id_phone_and_name_and_no_address(
    registered_name: None, sample: Sample
) -> None:
    shown = {
        f: display_value(sample, f, channel=Channel.CITIZEN_QUERY)
        for f in ("name", "id_number", "phone", "address")
    }
    assert shown == {
        "name": "张**",
        "id_number": "110105********002X",
        "phone": "138****8000",
        "address": "",
    }


def test_sms_carries_no_personal_data_beyond_the_masked_name(
    registered_name: None, sample: Sample
) -> None:
    shown = {
        f: display_value(sample, f, channel=Channel.SMS)
        for f in ("name", "id_number", "phone", "address")
    }
    assert shown == {"name": "张**", "id_number": "", "phone": "", "address": ""}


def test_fields_that_are_not_personal_or_kept_plain_display_as_they_are(
    sample: Sample, officer: User
) -> None:
    assert display_value(sample, "id_type") == "resident_id"
    assert display_value(officer, "full_name") == officer.full_name
    assert display_value(sample, "phone_index") == ""


def test_no_channel_but_staff_pages_may_reveal(sample: Sample, head: User) -> None:
    custody = sample.privacy_custody()
    for channel in (Channel.EXPORT, Channel.CITIZEN_QUERY, Channel.SMS):
        decision = decide(head, custody=custody, kind=Kind.PHONE, channel=channel)
        assert not decision.may_reveal and decision.ground == Ground.CHANNEL
    decision = decide(head, custody=custody, kind=Kind.PHONE)
    assert decision.may_reveal and decision.display == Display.MASKED


def test_the_decision_tells_a_template_whether_to_offer_a_reveal_button(
    bureau_a: Bureau, officer: User, inspector: User, admin_user: User
) -> None:
    custody = Custody(
        registering_unit=bureau_a.center,
        handling_unit=bureau_a.station,
        handling_officer_id=officer.pk,
    )
    by_user = {
        u.username: decide(u, custody=custody, kind=Kind.ID_NUMBER)
        for u in (officer, inspector, admin_user)
    }
    assert (by_user["officer"].may_reveal, by_user["officer"].reason_required) == (True, False)
    assert (by_user["inspector"].may_reveal, by_user["inspector"].reason_required) == (True, True)
    assert not by_user["sysadmin"].may_reveal
    assert by_user["sysadmin"].message.startswith("系统管理员不得查看")


def test_the_personal_tag_renders_by_declaration_and_channel(
    registered_name: None, sample: Sample
) -> None:
    template = Template(
        '{% load privacy %}{% personal s "phone" %}|{% personal s "address" channel="citizen_query" %}'
        '|{% personal s "name" %}'
    )
    assert template.render(Context({"s": sample})) == "138****8000||张**"


def test_reveal_reasons_are_trimmed_and_bounded(sample: Sample, inspector: User) -> None:
    reveal_field(user=inspector, obj=sample, field="phone", reason="  核查\n投诉  " + "长" * 300)
    (event,) = reveal_events()
    assert event.data["reason"].startswith("核查 投诉 长")
    assert len(event.data["reason"]) == 200
