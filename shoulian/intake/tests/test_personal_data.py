"""Personal data at the desk: encrypted at rest (P2), masked by default and revealed only with
an audited reason to see it (P1), declared in the registry (P4); the 30-day duplicate warning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.intake import selectors
from shoulian.intake.models import Alert, AlertParty
from shoulian.intake.tests.helpers import (
    ID_NUMBER,
    MOBILE,
    OTHER_ID_NUMBER,
    import_110,
    register,
    reporter,
)

pytestmark = pytest.mark.django_db


# --- P2 -----------------------------------------------------------------------------------------
def test_id_numbers_and_phones_are_encrypted_at_rest(clerk: Any) -> None:
    alert = register(clerk).alert
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_index, phone_index FROM intake_alertparty "
            "WHERE alert_id = %s",
            [alert.pk],
        )
        id_number, phone, id_index, phone_index = cursor.fetchone()
    for stored in (id_number, phone):
        assert stored.startswith(("sm4-gcm$", "aes-256-gcm$"))
        assert ID_NUMBER not in stored and MOBILE not in stored
    assert ID_NUMBER not in id_index and MOBILE not in phone_index
    party = AlertParty.objects.get(alert=alert)
    assert party.id_number.plaintext() == ID_NUMBER and party.phone.plaintext() == MOBILE


def test_search_by_value_goes_through_the_keyed_index(clerk: Any) -> None:
    from shoulian.privacy.choices import Kind
    from shoulian.privacy.crypto import index_for

    register(clerk)
    assert (
        AlertParty.objects.filter(phone_index=index_for(" 138 0013 8000", Kind.PHONE)).count() == 1
    )
    assert AlertParty.objects.filter(
        id_number_index=index_for(ID_NUMBER.lower(), Kind.ID_NUMBER)
    ).exists()


# --- P1 -----------------------------------------------------------------------------------------
def test_list_and_detail_show_personal_data_masked(clerk: Any) -> None:
    alert = register(clerk).alert
    client = login_as(Client(), clerk)
    for url in (reverse("intake:alert_list"), reverse("intake:alert_detail", args=[alert.pk])):
        page = client.get(url, follow=True).content.decode()
        assert "王**" in page and "138****8000" in page
        assert "王小明" not in page and MOBILE not in page and ID_NUMBER not in page
    opened = client.get(reverse("intake:alert_detail", args=[alert.pk]), follow=True)
    assert opened.redirect_chain == [(reverse("workflow:file", args=[alert.pk]), 302)]
    detail = opened.content.decode()
    assert "110105********002X" in detail


def test_opening_an_alert_is_journalled_as_a_read(clerk: Any) -> None:
    alert = register(clerk).alert
    login_as(Client(), clerk).get(reverse("intake:alert_detail", args=[alert.pk]), follow=True)
    event = AuditEvent.objects.get(event_type=EventType.PERSONAL_DATA_VIEWED)
    assert event.object_id == str(alert.pk) and event.actor_id == clerk.pk


def reveal(client: Client, party: AlertParty, field: str, reason: str = "") -> Any:
    return client.post(
        reverse("intake:party_reveal", args=[party.pk]), {"field": field, "reason": reason}
    )


def test_registering_clerk_reveals_the_phone_and_the_reveal_is_journalled(clerk: Any) -> None:
    party = register(clerk).alert.parties.get()
    response = reveal(login_as(Client(), clerk), party, "phone")
    assert MOBILE in response.content.decode()
    event = AuditEvent.objects.get(
        event_type=EventType.PERSONAL_DATA_VIEWED, object_type="alertparty"
    )
    assert event.outcome == Outcome.SUCCESS and event.data["fields"] == ["phone"]
    assert MOBILE not in event.body


def test_station_officer_without_duty_cannot_reveal(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    """The 110 alert is handled by the officer's station, but no officer is assigned yet: the
    officer sees it masked and a reveal is refused (and journalled as a denial)."""
    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    party = alert.parties.get()
    response = reveal(login_as(Client(), officer), party, "phone")
    body = response.content.decode()
    assert "13900139000" not in body and "只有承办民警" in body
    event = AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).last()
    assert event is not None and event.outcome == Outcome.DENIED


def test_station_leader_may_reveal_for_the_handling_unit(
    clerk: Any, leader: Any, bureau_a: Any
) -> None:
    party = import_110(clerk, station_code=bureau_a.station.code).alert.parties.get()
    assert "13900139000" in reveal(login_as(Client(), leader), party, "phone").content.decode()


def test_inspector_must_state_a_reason(clerk: Any, inspector: Any) -> None:
    party = register(clerk).alert.parties.get()
    client = login_as(Client(), inspector)
    asked = reveal(client, party, "id_number").content.decode()
    assert ID_NUMBER not in asked and 'name="reason"' in asked
    shown = reveal(client, party, "id_number", reason="核查重复报警投诉").content.decode()
    assert ID_NUMBER in shown


def test_outsider_cannot_reveal_and_admin_is_refused_by_role(
    clerk: Any, outsider: Any, admin_user: Any
) -> None:
    party = register(clerk).alert.parties.get()
    assert reveal(login_as(Client(), outsider), party, "phone").status_code == 404
    assert reveal(login_as(Client(), admin_user), party, "phone").status_code == 403


def test_unknown_field_cannot_be_revealed(clerk: Any) -> None:
    party = register(clerk).alert.parties.get()
    assert reveal(login_as(Client(), clerk), party, "role").status_code == 400


# --- P4 -----------------------------------------------------------------------------------------
def test_every_personal_field_of_the_intake_models_is_declared() -> None:
    from django.apps import apps

    from shoulian.privacy.registry import field_entry, problems

    intake_models = list(apps.get_app_config("intake").get_models())
    assert problems(intake_models) == []

    def storage(model: Any, field: str) -> str | None:
        entry = field_entry(model, field)
        return entry.storage if entry is not None else None

    assert storage(AlertParty, "id_number") == "encrypted"
    assert storage(AlertParty, "phone_index") == "hashed"
    assert storage(AlertParty, "name") == "masked"
    assert storage(Alert, "narrative") == "plain"


# --- the 30-day duplicate warning ----------------------------------------------------------------
def test_same_person_within_30_days_is_flagged_with_a_link(clerk: Any) -> None:
    first = register(clerk).alert
    client = login_as(Client(), clerk)
    from shoulian.intake.tests.test_registration import form_data

    response = client.post(
        reverse("intake:duplicates"),
        {k: v for k, v in form_data().items() if k.startswith("party-")},
    )
    page = response.content.decode()
    assert first.number in page and reverse("workflow:file", args=[first.pk]) in page
    assert "证件号码相同" in page and "电话相同" in page


def test_duplicate_check_ignores_old_alerts_and_other_people(clerk: Any) -> None:
    long_ago = timezone.now() - timedelta(days=31)
    old = register(clerk, received_at=long_ago, incident_at=long_ago - timedelta(hours=2)).alert
    assert old.pk
    hits = selectors.recent_duplicates(clerk, id_numbers=[("resident_id", ID_NUMBER)])
    assert hits == []
    recent = register(clerk, parties=(reporter(id_number=OTHER_ID_NUMBER, phone="13700137000"),))
    assert selectors.recent_duplicates(clerk, phones=["13700137000"])[0].alert == recent.alert
    assert selectors.recent_duplicates(clerk, phones=["13600136000"]) == []


def test_duplicate_check_never_shows_alerts_the_user_cannot_see(
    clerk: Any, bureau_a: Any, bureau_b: Any
) -> None:
    from shoulian.accounts.choices import Role
    from shoulian.conftest import make_user

    other_clerk = make_user("bclerk", bureau_b.center, Role.CLERK)
    register(other_clerk)
    assert selectors.recent_duplicates(clerk, id_numbers=[("resident_id", ID_NUMBER)]) == []
    assert selectors.recent_duplicates(other_clerk, phones=[MOBILE])


def test_detail_page_warns_about_repeat_reports(clerk: Any) -> None:
    first = register(clerk).alert
    second = register(clerk).alert
    page = login_as(Client(), clerk).get(reverse("workflow:file", args=[second.pk]))
    body = page.content.decode()
    assert first.number in body and "近 30 日内已有 1 起警情" in body
