"""P2: key rotation keeps old rows readable, moves them to the current key, and is journalled."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import Bureau
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import UnknownKey, index_for
from shoulian.privacy.rotation import encrypted_models, rotate_model
from shoulian.privacy.tests.conftest import KEY_1, KEY_2
from shoulian.privacy.tests.sample_models import Sample

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_table")]

PHONES = ["13800000001", "13800000002", "13800000003"]


@pytest.fixture
def samples(bureau_a: Bureau) -> list[Sample]:
    return [
        Sample.objects.create(
            registering_unit=bureau_a.center,
            phone=phone,
            id_number=f"35040219900101{i:03d}X",
            address=None if i == 2 else "福建省三明市三元区某路1号",
        )
        for i, phone in enumerate(PHONES)
    ]


def stored_key_ids() -> set[str]:
    with connection.cursor() as cursor:
        table = Sample._meta.db_table
        cursor.execute(f"SELECT id_number, phone, address FROM {table}")  # noqa: S608 - model's table
        return {v.split("$")[1] for row in cursor.fetchall() for v in row if v is not None}


def events(event_type: EventType) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id"))


def test_a_dry_run_counts_and_changes_nothing(samples: list[Sample], settings: Any) -> None:
    settings.PII_KEYS = f"t2:{KEY_2},t1:{KEY_1}"
    result = rotate_model(Sample, dry_run=True)
    assert (result.rows, result.reencrypted_rows, result.old_key_ids) == (3, 3, {"t1"})
    assert stored_key_ids() == {"t1"}
    assert events(EventType.PERSONAL_DATA_REENCRYPTED) == []


def test_rotation_moves_every_value_to_the_current_key_in_journalled_batches(
    samples: list[Sample], settings: Any
) -> None:
    indexes_before = list(Sample.objects.order_by("pk").values_list("phone_index", flat=True))
    settings.PII_KEYS = f"t2:{KEY_2},t1:{KEY_1}"
    result = rotate_model(Sample, batch_size=2)
    assert (result.rows, result.reencrypted_rows) == (3, 3)
    assert stored_key_ids() == {"t2"}
    batches = events(EventType.PERSONAL_DATA_REENCRYPTED)
    assert [e.data for e in batches] == [
        {"model": "privacy_tests.Sample", "rows": 2, "key_id": "t2"},
        {"model": "privacy_tests.Sample", "rows": 1, "key_id": "t2"},
    ]
    # The index has its own key: rotation leaves it, and search keeps working.
    assert (
        list(Sample.objects.order_by("pk").values_list("phone_index", flat=True)) == indexes_before
    )
    # With the old key gone, every row is still readable.
    settings.PII_KEYS = f"t2:{KEY_2}"
    assert [s.phone.plaintext() for s in Sample.objects.order_by("pk")] == PHONES
    assert rotate_model(Sample).reencrypted_rows == 0


def test_removing_the_old_key_before_rotating_is_a_loud_error(
    samples: list[Sample], settings: Any
) -> None:
    settings.PII_KEYS = f"t2:{KEY_2}"
    with pytest.raises(UnknownKey):
        Sample.objects.get(pk=samples[0].pk).phone.plaintext()


def test_reindex_after_an_index_key_change_makes_search_work_again(
    samples: list[Sample], settings: Any
) -> None:
    settings.PII_INDEX_KEY = base64.b64encode(bytes(range(50, 82))).decode()
    wanted = index_for(PHONES[1], Kind.PHONE)
    assert not Sample.objects.filter(phone_index=wanted).exists()
    result = rotate_model(Sample, reindex=True)
    assert (result.reencrypted_rows, result.reindexed_rows) == (0, 3)
    assert Sample.objects.get(phone_index=wanted) == samples[1]
    (event,) = events(EventType.PERSONAL_DATA_REINDEXED)
    assert event.data == {"model": "privacy_tests.Sample", "rows": 3}


def test_reindex_repairs_a_row_written_past_save(samples: list[Sample]) -> None:
    Sample.objects.filter(pk=samples[0].pk).update(phone="13900009999")
    assert not Sample.objects.filter(phone_index=index_for("13900009999", Kind.PHONE)).exists()
    assert rotate_model(Sample, reindex=True).reindexed_rows == 1
    assert Sample.objects.get(phone_index=index_for("13900009999", Kind.PHONE)) == samples[0]


def test_the_command_finds_every_encrypted_model_of_the_project(settings: Any) -> None:
    out = io.StringIO()
    call_command("privacy_rotate_keys", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "当前密钥：t1（sm4-gcm）" in text
    models = encrypted_models()
    assert models, "no encrypted model found"
    for model in models:
        assert f"{model._meta.label}：共 0 行" in text
    assert "试运行：0 行仍在旧密钥下" in text


def test_the_command_refuses_unknown_models_and_bad_batch_sizes() -> None:
    with pytest.raises(CommandError, match="org.unit"):
        call_command("privacy_rotate_keys", "--model", "org.Unit")
    with pytest.raises(CommandError, match="batch-size"):
        call_command("privacy_rotate_keys", "--batch-size", "0")


def test_new_keys_are_generated_for_the_configured_cipher() -> None:
    out = io.StringIO()
    call_command("privacy_new_key", "--id", "k2030", stdout=out)
    key_id, _, key = out.getvalue().strip().partition(":")
    assert key_id == "k2030" and len(base64.b64decode(key)) == 16
    out = io.StringIO()
    call_command("privacy_new_key", "--index", stdout=out)
    assert len(base64.b64decode(out.getvalue().strip())) == 32
    with pytest.raises(CommandError):
        call_command("privacy_new_key", "--id", "bad id")
