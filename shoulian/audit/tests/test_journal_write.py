"""U1 (what every event carries), U5 (no journal, no change) and the personal-data rules of the body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.accounts.choices import PoliceKind, Role
from shoulian.accounts.models import User
from shoulian.accounts.services import user_create
from shoulian.audit import canonical
from shoulian.audit.canonical import Personal
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record, record_read
from shoulian.audit.models import AppendOnlyQuerySet, AuditEvent
from shoulian.conftest import PASSWORD
from shoulian.core import context

pytestmark = pytest.mark.django_db


def test_record_stores_every_u1_field_in_the_canonical_body(officer: User) -> None:
    before = canonical.utc_microseconds(timezone.now())
    with context.acting(
        user=officer, source_ip="198.51.100.7", request_id="req-12345678", channel="web"
    ):
        event = record(
            EventType.USER_UPDATED,
            obj=officer,
            outcome=Outcome.DENIED,
            data={"changed": {"full_name": {"from": "甲", "to": "乙"}}},
        )
    event = AuditEvent.objects.get(pk=event.pk)
    body = json.loads(event.body)
    assert body == {
        "actor_id": officer.pk,
        "actor_roles": "officer",
        "actor_unit_id": officer.unit_id,
        "actor_unit_path": officer.unit.path,  # type: ignore[union-attr]
        "actor_username": "officer",
        "channel": "web",
        "data": {"changed": {"full_name": {"from": "甲", "to": "乙"}}},
        "event_type": EventType.USER_UPDATED,
        "object_id": str(officer.pk),
        "object_type": "user",
        "occurred_us": body["occurred_us"],
        "outcome": "denied",
        "request_id": "req-12345678",
        "source_ip": "198.51.100.7",
        "v": 1,
    }
    assert before <= body["occurred_us"] <= canonical.utc_microseconds(timezone.now())
    # The searchable columns are what the database derived from the body.
    assert (event.event_type, event.actor_id, event.outcome, event.source_ip) == (
        EventType.USER_UPDATED,
        officer.pk,
        "denied",
        "198.51.100.7",
    )
    assert event.occurred_at.tzinfo is not None and event.role_list == ["officer"]


def test_body_is_ascii_json_with_sorted_keys_and_no_spaces(officer: User) -> None:
    event = record(EventType.USER_UPDATED, obj=officer, data={"z": 1, "a": "中文"}, actor=officer)
    assert event.body.isascii()
    assert event.body == canonical.canonical_json(json.loads(event.body))
    assert " " not in event.body and '"a":"\\u4e2d\\u6587","z":1' in event.body


def test_source_address_is_the_client_behind_the_trusted_proxy(
    settings: Any, officer: User
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    Client().post(
        reverse("accounts:login"),
        {"username": officer.username, "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.20",
        REMOTE_ADDR="10.0.0.1",
    )
    event = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    # Only the entry our own proxy appended is believed.
    assert event.source_ip == "198.51.100.20"


def test_personal_data_is_stored_masked_with_a_keyed_hash(officer: User) -> None:
    event = record(
        EventType.PERSONAL_DATA_VIEWED,
        obj=("party", "7"),
        actor=officer,
        data={
            "reporter_mobile": "13800138000",
            "id_number": "110105199001010123",
            "name": Personal("张三丰", "name"),
        },
    )
    data = event.data
    assert data["reporter_mobile"]["masked"] == "138****8000"
    assert data["id_number"]["masked"] == "110105********0123"
    assert data["name"]["masked"] == "张**"
    assert data["id_number"]["hmac"] == canonical.keyed_hash("110105199001010123")
    for clear in ("13800138000", "110105199001010123", "张三丰", "\\u5f20\\u4e09\\u4e30"):
        assert clear not in event.body


def test_id_numbers_and_mobiles_inside_free_text_are_masked(officer: User) -> None:
    event = record(
        EventType.USER_UPDATED,
        obj=officer,
        actor=officer,
        data={"note": "报警人 13912345678，身份证 35042519850612301X"},
    )
    assert event.data["note"] == "报警人 139****5678，身份证 350425********301X"


def test_secrets_never_reach_the_body(officer: User) -> None:
    event = record(
        EventType.PASSWORD_CHANGED,
        obj=officer,
        actor=officer,
        data={"password": PASSWORD, "otp": "123456", "session_key": "abc"},
    )
    assert PASSWORD not in event.body and "123456" not in event.body
    assert set(event.data.values()) == {canonical.REDACTED}


def test_unregistered_event_types_and_malformed_object_references_are_refused(
    officer: User,
) -> None:
    with pytest.raises(ValueError):
        record(9999, obj=officer)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        record(EventType.USER_UPDATED, obj=("user", "1 OR 1=1"))
    with pytest.raises(TypeError):
        record(EventType.USER_UPDATED, obj=officer, data={"raw": object()})
    assert not AuditEvent.objects.filter(event_type=EventType.USER_UPDATED).exists()


def test_failed_journal_write_rolls_back_the_business_change(
    monkeypatch: pytest.MonkeyPatch, bureau_a: Any
) -> None:
    def broken_insert(self: Any, **kwargs: Any) -> Any:
        raise DatabaseError("journal unavailable")

    monkeypatch.setattr(AppendOnlyQuerySet, "create", broken_insert)
    with pytest.raises(DatabaseError):
        user_create(
            actor=None,
            username="ghost",
            full_name="无痕",
            unit=bureau_a.station,
            police_kind=PoliceKind.OFFICER,
            roles=[Role.OFFICER],
            password=PASSWORD,
        )
    # U5: the account exists only if its creation is in the journal.
    assert not User.objects.filter(username="ghost").exists()


def test_reads_record_who_saw_which_fields_but_not_the_values(officer: User) -> None:
    with context.acting(user=officer, source_ip="198.51.100.7"):
        event = record_read(
            EventType.PERSONAL_DATA_VIEWED, obj=("party", "12"), fields=["mobile", "id_number"]
        )
    assert event.actor_id == officer.pk and event.object_id == "12"
    assert event.data == {"fields": ["id_number", "mobile"]}


def test_floats_dates_and_models_serialise_to_one_canonical_form(officer: User) -> None:
    moment = timezone.now()
    event = record(
        EventType.USER_UPDATED,
        obj=officer,
        actor=officer,
        data={"score": 0.1, "when": moment, "unit": officer.unit, "tags": {"b", "a"}},
    )
    assert event.data["score"] == "0.1"
    assert event.data["when"].endswith("Z") and event.data["unit"] == f"unit:{officer.unit_id}"
    assert event.data["tags"] == ["a", "b"]


@pytest.mark.django_db(transaction=True)
def test_an_unsynced_read_is_journalled_sealed_and_verified_like_any_other(
    officer: User, signing_key: Any
) -> None:
    """The public query's view event: on PostgreSQL one INSERT outside any transaction, whose
    commit does not wait for the WAL flush; on SQLite an ordinary read event."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shoulian.audit import sealer, verify
    from shoulian.audit.journal import record_read_unsynced

    with (
        context.acting(channel="web", source_ip="203.0.113.9"),
        CaptureQueriesContext(connection) as queries,
    ):
        record_read_unsynced(
            EventType.PERSONAL_DATA_VIEWED, obj=officer, fields=["mobile"], page="public"
        )
    if connection.vendor == "postgresql":
        # One statement, no BEGIN/SET/COMMIT round trips around it.
        assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
        assert "set_config('synchronous_commit', 'off', true)" in queries[0]["sql"]
    event = AuditEvent.objects.get(event_type=EventType.PERSONAL_DATA_VIEWED)
    assert event.data["fields"] == ["mobile"] and event.data["page"] == "public"
    assert event.source_ip == "203.0.113.9"
    sealer.seal_all()
    report = verify.verify()
    assert report.ok, report.findings
    assert report.tree_size == AuditEvent.objects.count()
