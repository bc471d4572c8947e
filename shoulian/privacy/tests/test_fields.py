"""P2: the encrypted field stores ciphertext and an index, and is hard to misuse."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import pytest
from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.db import connection
from django.template import Context, Template

from shoulian.conftest import Bureau
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for
from shoulian.privacy.fields import EncryptedField, Protected
from shoulian.privacy.tests.sample_models import MissingIndex, Sample
from shoulian.privacy.validators import validate_mobile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_table")]

ID_NUMBER = "11010519491231002X"
PHONE = "13812348000"


def make_sample(bureau: Bureau, **fields: Any) -> Sample:
    defaults: dict[str, Any] = {
        "registering_unit": bureau.center,
        "handling_unit": bureau.station,
        "name": "张三丰",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "address": "福建省三明市三元区列东街道新市北路123号",
    }
    return Sample.objects.create(**{**defaults, **fields})


def raw_row(sample: Sample) -> tuple[Any, ...]:
    columns = "id_number, id_number_index, phone, phone_index, address"
    sql = f"SELECT {columns} FROM {Sample._meta.db_table} WHERE id = %s"  # noqa: S608 - model's table
    with connection.cursor() as cursor:
        cursor.execute(sql, [sample.pk])
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def test_the_database_holds_ciphertext_and_an_index_never_the_value(bureau_a: Bureau) -> None:
    sample = make_sample(bureau_a)
    id_token, id_index, phone_token, phone_index, address_token = raw_row(sample)
    for column in (id_token, id_index, phone_token, phone_index, address_token):
        assert ID_NUMBER not in column and PHONE not in column and "新市北路" not in column
    assert id_token.startswith("sm4-gcm$t1$") and address_token.startswith("sm4-gcm$t1$")
    assert id_index == index_for(ID_NUMBER, Kind.ID_NUMBER)
    assert phone_index == index_for(PHONE, Kind.PHONE)


def test_a_loaded_value_decrypts_to_the_canonical_form(bureau_a: Bureau) -> None:
    make_sample(bureau_a, id_number=" 11010519491231002x ", phone="+86 138-1234-8000")
    sample = Sample.objects.get()
    assert sample.id_number.plaintext() == ID_NUMBER
    assert sample.phone.plaintext() == PHONE
    assert sample.phone == PHONE


def test_search_goes_through_the_index_whatever_the_typing(bureau_a: Bureau) -> None:
    sample = make_sample(bureau_a)
    make_sample(bureau_a, phone="13900000000", id_number="350402199001010010")
    found = Sample.objects.filter(phone_index=index_for("138 1234 8000", Kind.PHONE))
    assert list(found) == [sample]
    found = Sample.objects.filter(id_number_index=index_for(ID_NUMBER.lower(), Kind.ID_NUMBER))
    assert list(found) == [sample]


def test_comparing_an_encrypted_column_in_sql_is_refused_with_the_way_to_search() -> None:
    with pytest.raises(FieldError, match=r"filter\(phone_index=index_for\(value, 'phone'\)\)"):
        Sample.objects.filter(phone=PHONE)
    with pytest.raises(FieldError, match="cannot be compared"):
        Sample.objects.filter(id_number__startswith="110105")
    with pytest.raises(FieldError, match="BlindIndexField"):
        Sample.objects.filter(address__icontains="三明")


def test_null_checks_still_work(bureau_a: Bureau) -> None:
    make_sample(bureau_a, phone=None)
    make_sample(bureau_a, phone="")
    assert Sample.objects.filter(phone__isnull=True).count() == 2
    assert Sample.objects.filter(phone_index__isnull=True).count() == 2


def test_printing_an_instance_or_value_shows_only_masked_data(
    bureau_a: Bureau, caplog: pytest.LogCaptureFixture
) -> None:
    sample = Sample.objects.get(pk=make_sample(bureau_a).pk)
    assert str(sample.id_number) == "110105********002X"
    assert f"{sample.phone}" == "138****8000"
    assert repr(sample.phone) == "<Protected phone>"
    assert str(sample) == "张三丰 110105********002X 138****8000"
    assert ID_NUMBER not in repr(sample) and "sm4-gcm" not in repr(sample)
    assert "sm4-gcm" not in repr(vars(sample)) and PHONE not in repr(vars(sample))
    with caplog.at_level(logging.INFO):
        logging.getLogger("shoulian.test").info("party %s phone %s", sample, sample.phone)
    assert PHONE not in caplog.text and "138****8000" in caplog.text


def test_templates_show_masked_values_and_cannot_call_plaintext(bureau_a: Bureau) -> None:
    sample = Sample.objects.get(pk=make_sample(bureau_a).pk)
    rendered = Template("{{ s.phone }}|{{ s.phone.plaintext }}|{{ s.phone.masked }}").render(
        Context({"s": sample})
    )
    assert rendered == "138****8000||138****8000"


def test_pickled_instance_state_carries_ciphertext_only(bureau_a: Bureau) -> None:
    sample = make_sample(bureau_a)
    sample.phone = "13900001111"  # assigned, not yet saved: still never pickled in clear
    # The instance's state, as the cache or a session would pickle it (the model itself cannot be
    # unpickled here: its test-only app is not installed).
    state = {k: v for k, v in vars(sample).items() if k != "_state"}
    data = pickle.dumps(state)
    assert b"13900001111" not in data and ID_NUMBER.encode() not in data
    restored = pickle.loads(data)  # noqa: S301 - our own bytes
    assert restored["phone"].plaintext() == "13900001111"
    assert restored["id_number"] == ID_NUMBER


def test_changing_a_value_refreshes_ciphertext_and_index(bureau_a: Bureau) -> None:
    sample = make_sample(bureau_a)
    sample.phone = "13900001111"
    sample.save()
    assert raw_row(sample)[3] == index_for("13900001111", Kind.PHONE)
    sample.phone = None
    sample.save(update_fields=["phone", "phone_index"])
    assert raw_row(sample)[2:4] == (None, None)


def test_saving_a_value_without_its_index_is_a_programming_error(bureau_a: Bureau) -> None:
    sample = make_sample(bureau_a)
    sample.phone = "13900001111"
    with pytest.raises(ValueError, match="'phone' without 'phone_index'"):
        sample.save(update_fields=["phone"])
    sample.name = "李四"
    sample.save(update_fields=["name"])  # fields without an index are unaffected


def test_an_unchanged_value_is_not_re_encrypted_on_save(bureau_a: Bureau) -> None:
    sample = make_sample(bureau_a)
    before = raw_row(sample)
    loaded = Sample.objects.get(pk=sample.pk)
    loaded.name = "李四"
    loaded.save()
    assert raw_row(sample) == before


def test_saving_an_old_row_moves_it_to_the_current_key(bureau_a: Bureau, settings: Any) -> None:
    from shoulian.privacy.tests.conftest import KEY_1, KEY_2

    sample = make_sample(bureau_a)
    settings.PII_KEYS = f"t2:{KEY_2},t1:{KEY_1}"
    loaded = Sample.objects.get(pk=sample.pk)
    assert loaded.phone.key_id == "t1"
    loaded.save()
    assert all(raw_row(sample)[i].startswith("sm4-gcm$t2$") for i in (0, 2, 4))


def test_values_from_values_list_are_protected_too(bureau_a: Bureau) -> None:
    make_sample(bureau_a)
    (phone,) = Sample.objects.values_list("phone", flat=True)
    assert isinstance(phone, Protected) and str(phone) == "138****8000"


def test_a_model_form_never_renders_the_stored_value_and_blank_keeps_it(bureau_a: Bureau) -> None:
    class SampleForm(forms.ModelForm):
        class Meta:
            model = Sample
            fields = ["name", "phone"]

    sample = make_sample(bureau_a)
    html = SampleForm(instance=sample).as_p()
    assert PHONE not in html and "138****8000" not in html and "sm4-gcm" not in html
    form = SampleForm({"name": "李四", "phone": ""}, instance=sample)
    assert form.is_valid(), form.errors
    assert "phone" not in form.changed_data
    form.save()
    assert Sample.objects.get().phone == PHONE
    form = SampleForm({"name": "李四", "phone": "139 0000 1111"}, instance=sample)
    assert form.is_valid()
    form.save()
    assert Sample.objects.get(phone_index=index_for("13900001111", Kind.PHONE)) == sample


def test_validators_on_an_encrypted_field_see_the_clear_value() -> None:
    field = EncryptedField(kind=Kind.PHONE, validators=[validate_mobile])
    field.run_validators(Protected(PHONE, Kind.PHONE))  # its masked form would fail the check
    with pytest.raises(ValidationError):
        field.run_validators(Protected("12345", Kind.PHONE))


def test_a_searchable_encrypted_field_without_an_index_fails_the_system_check() -> None:
    errors = MissingIndex._meta.get_field("phone").check()
    assert [e.id for e in errors] == ["privacy.E002"]
    assert 'phone_index = BlindIndexField(source="phone")' in (errors[0].hint or "")
    assert Sample._meta.get_field("phone").check() == []


def test_migrations_serialise_the_fields() -> None:
    _, path, _, kwargs = Sample._meta.get_field("address").deconstruct()
    assert path == "shoulian.privacy.fields.EncryptedField"
    assert kwargs == {"verbose_name": "住址", "kind": "address", "searchable": False}
    _, path, _, kwargs = Sample._meta.get_field("phone_index").deconstruct()
    assert kwargs["source"] == "phone" and kwargs["max_length"] == 64 and kwargs["db_index"]
