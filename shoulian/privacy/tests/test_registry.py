"""P4: every personal-looking field of the project is declared; the failure says what to add."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shoulian.privacy import registry
from shoulian.privacy.choices import Kind, Storage
from shoulian.privacy.registry import PersonalField, not_personal, problems, register
from shoulian.privacy.tests.sample_models import Sample, Undeclared


@pytest.fixture
def scratch_registry() -> Iterator[None]:
    """Declarations made by a test are forgotten after it."""
    personal, others = dict(registry._personal), dict(registry._not_personal)
    yield
    registry._personal.clear()
    registry._personal.update(personal)
    registry._not_personal.clear()
    registry._not_personal.update(others)


def test_every_personal_looking_field_of_the_project_is_declared() -> None:
    found = problems()
    assert not found, "\n\n".join(found)


def test_the_walk_covers_the_project_apps_and_only_them() -> None:
    labels = {m._meta.app_label for m in registry.project_models()}
    assert {"accounts", "audit", "org"} <= labels
    assert not labels & {"auth", "sessions", "otp_totp", "privacy_tests"}


def test_an_undeclared_personal_field_fails_with_the_lines_to_add() -> None:
    found = problems([Undeclared])
    assert len(found) == 3, found
    mobile, address, remark = found
    assert mobile.startswith("privacy_tests.Undeclared.contact_mobile (CharField")
    assert "(phone: its name matches" in mobile
    assert 'contact_mobile = EncryptedField("contact mobile", kind=Kind.PHONE)' in mobile
    assert "shoulian/privacy/tests/personal_data.py" in mobile
    assert (
        'register("privacy_tests.Undeclared", "contact_mobile", kind=Kind.PHONE, '
        "storage=Storage.MASKED)"
    ) in mobile
    assert 'not_personal("privacy_tests.Undeclared", "contact_mobile", reason=' in mobile
    assert "home_address" in address and "Kind.ADDRESS" in address
    # Caught by its Chinese label alone.
    assert "remark" in remark and "its label “籍贯地址”" in remark


def test_declaring_a_field_either_way_satisfies_the_walk(scratch_registry: None) -> None:
    register("privacy_tests.Undeclared", "contact_mobile", kind=Kind.PHONE, storage=Storage.MASKED)
    register(
        "privacy_tests.Undeclared",
        "home_address",
        kind=Kind.ADDRESS,
        storage=Storage.PLAIN,
        reason="测试",
    )
    not_personal("privacy_tests.Undeclared", "remark", reason="测试：不是地址")
    assert problems([Undeclared]) == []


def test_encrypted_fields_and_their_indexes_declare_themselves() -> None:
    entries = {e.field: e for e in registry.personal_fields([Sample])}
    assert entries["id_number"] == PersonalField(
        "privacy_tests.Sample", "id_number", Kind.ID_NUMBER, Storage.ENCRYPTED
    )
    assert entries["phone_index"].storage == Storage.HASHED
    assert entries["phone_index"].kind == Kind.PHONE
    assert entries["address"].storage == Storage.ENCRYPTED
    # ``name`` is not declared for the sample model: the walk must report it.
    assert "name" not in entries
    assert any(p.startswith("privacy_tests.Sample.name ") for p in problems([Sample]))


def test_staff_names_are_declared_plain_with_a_reason_and_unit_names_are_not_personal() -> None:
    from shoulian.accounts.models import User
    from shoulian.org.models import Unit

    entry = registry.field_entry(User, "full_name")
    assert entry is not None and entry.storage == Storage.PLAIN and "表明身份" in entry.reason
    assert registry.field_entry(Unit, "name") is None
    assert ("org.unit", "name") in registry._not_personal


def test_contradictions_and_stale_declarations_are_reported(scratch_registry: None) -> None:
    register("privacy_tests.Sample", "phone", kind=Kind.PHONE, storage=Storage.MASKED)
    not_personal("privacy_tests.Sample", "address", reason="错误的声明")
    register("privacy_tests.Sample", "name", kind=Kind.NAME, storage=Storage.ENCRYPTED)
    found = "\n".join(problems([Sample]))
    assert "Sample.phone is an EncryptedField (encrypted, phone) but registered as masked" in found
    assert (
        "Sample.address stores personal data (EncryptedField) but is declared not personal" in found
    )
    assert "Sample.name is registered as encrypted but is a CharField" in found
    register("accounts.User", "nickname", kind=Kind.NAME, storage=Storage.MASKED)
    assert any(
        "accounts.User.nickname is declared in the privacy registry but no such field" in p
        for p in problems()
    )


def test_declarations_must_carry_reasons_and_not_contradict_each_other(
    scratch_registry: None,
) -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        register("x.Y", "name", kind=Kind.NAME, storage=Storage.PLAIN)
    with pytest.raises(ValueError, match="say why"):
        not_personal("x.Y", "name", reason=" ")
    register("x.Y", "name", kind=Kind.NAME, storage=Storage.MASKED)
    register("x.Y", "name", kind=Kind.NAME, storage=Storage.MASKED)  # same twice is harmless
    with pytest.raises(ValueError, match="registered twice"):
        register("x.Y", "name", kind=Kind.NAME, storage=Storage.ENCRYPTED)
    with pytest.raises(ValueError, match="already registered"):
        not_personal("x.Y", "name", reason="不是")
    with pytest.raises(ValueError):
        register("x.Y", "other", kind="shoe_size", storage=Storage.MASKED)


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("contact_mobile", Kind.PHONE),
        ("home_address", Kind.ADDRESS),
        ("remark", Kind.ADDRESS),
        ("secret", Kind.FREE_TEXT),
    ],
)
def test_personal_looking_fields_are_recognised(field: str, kind: Kind) -> None:
    hint = registry.looks_personal(Undeclared._meta.get_field(field))  # type: ignore[arg-type]
    assert hint is not None and hint[0] == kind


def test_ordinary_fields_do_not_look_personal() -> None:
    assert registry.looks_personal(Undeclared._meta.get_field("title")) is None  # type: ignore[arg-type]
