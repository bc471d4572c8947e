"""Registry of personal-data fields (P4).

Each app declares its personal fields in ``shoulian/<app>/personal_data.py`` (imported at start-up
by the privacy app)::

    from shoulian.privacy.registry import Kind, Storage, not_personal, register

    register("intake.Reporter", "name", kind=Kind.NAME, storage=Storage.MASKED)
    not_personal("intake.Alert", "place_name", reason="案发地点名称，不指向个人")

``EncryptedField`` and ``BlindIndexField`` columns declare themselves (storage encrypted/hashed).
``problems()`` walks every model of the project and reports each field that looks personal and
is declared neither way; a test fails on any problem, with the lines to add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from shoulian.privacy.choices import Kind, Storage
from shoulian.privacy.fields import BlindIndexField, EncryptedField

__all__ = [
    "Kind",
    "NonPersonalField",
    "PersonalField",
    "Storage",
    "field_entry",
    "looks_personal",
    "not_personal",
    "personal_fields",
    "problems",
    "project_models",
    "register",
]


@dataclass(frozen=True)
class PersonalField:
    model: str  # Django model label, "intake.Reporter"
    field: str
    kind: Kind
    storage: Storage
    reason: str = ""


@dataclass(frozen=True)
class NonPersonalField:
    model: str
    field: str
    reason: str


_personal: dict[tuple[str, str], PersonalField] = {}
_not_personal: dict[tuple[str, str], NonPersonalField] = {}


def _key(model: str, field: str) -> tuple[str, str]:
    return model.lower(), field


def register(model: str, field: str, *, kind: str, storage: str, reason: str = "") -> PersonalField:
    entry = PersonalField(model, field, Kind(kind), Storage(storage), reason.strip())
    if entry.storage == Storage.PLAIN and not entry.reason:
        raise ValueError(f"{model}.{field}: personal data kept in clear needs a reason")
    key = _key(model, field)
    if key in _not_personal:
        raise ValueError(f"{model}.{field} is already declared not personal")
    if _personal.get(key, entry) != entry:
        raise ValueError(f"{model}.{field} is registered twice with different declarations")
    _personal[key] = entry
    return entry


def not_personal(model: str, field: str, *, reason: str) -> NonPersonalField:
    entry = NonPersonalField(model, field, reason.strip())
    if not entry.reason:
        raise ValueError(f"{model}.{field}: say why it is not personal data")
    key = _key(model, field)
    if key in _personal:
        raise ValueError(f"{model}.{field} is already registered as personal data")
    if _not_personal.get(key, entry) != entry:
        raise ValueError(f"{model}.{field} is declared twice with different reasons")
    _not_personal[key] = entry
    return entry


def project_models() -> list[type[models.Model]]:
    """Concrete models of the project's own apps (``shoulian.*``)."""
    return [
        model
        for model in apps.get_models()
        if apps.get_app_config(model._meta.app_label).name.startswith("shoulian.")
        and not model._meta.proxy
    ]


def _derived(model: type[models.Model], field: models.Field) -> PersonalField | None:
    if isinstance(field, EncryptedField):
        return PersonalField(model._meta.label, field.name, field.kind, Storage.ENCRYPTED)
    if isinstance(field, BlindIndexField):
        source = field.source_field()
        return PersonalField(model._meta.label, field.name, source.kind, Storage.HASHED)
    return None


def field_entry(model: type[models.Model] | models.Model, field_name: str) -> PersonalField | None:
    """The declaration of one field, or None if it is not declared personal."""
    explicit = _personal.get(_key(model._meta.label, field_name))
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return explicit
    if not isinstance(field, models.Field):  # a reverse relation or a generic foreign key
        return explicit
    return _derived(type(model) if isinstance(model, models.Model) else model, field) or explicit


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if not f.is_relation and not f.primary_key]


def personal_fields(models_: Iterable[type[models.Model]] | None = None) -> list[PersonalField]:
    found: list[PersonalField] = []
    for model in project_models() if models_ is None else models_:
        for field in _columns(model):
            entry = field_entry(model, field.name)
            if entry is not None:
                found.append(entry)
    return found


# --- What looks personal ----------------------------------------------------------------------
# Matched against the field name (lower case); order matters: "ip_address" is a network address
# before it is an address, "username" an account before it is a name.
_NAME_HINTS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"(^|_)ip(_|$)|ip_?addr"), Kind.NETWORK_ADDRESS),
    (re.compile(r"user_?name|login_?(name|id)"), Kind.ACCOUNT),
    (re.compile(r"id_?num|id_?no($|_)|id_?card|identity|passport|certificate_?n"), Kind.ID_NUMBER),
    (re.compile(r"phone|mobile|(^|_)tel(_|$)|contact"), Kind.PHONE),
    (re.compile(r"e_?mail"), Kind.EMAIL),
    (re.compile(r"birth|(^|_)dob(_|$)"), Kind.BIRTH_DATE),
    (re.compile(r"plate"), Kind.PLATE),
    (re.compile(r"address|domicile|residence"), Kind.ADDRESS),
    (re.compile(r"name"), Kind.NAME),
)
_VERBOSE_HINTS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"身份证|证件号|护照|通行证"), Kind.ID_NUMBER),
    (re.compile(r"电话|手机|联系方式"), Kind.PHONE),
    (re.compile(r"邮箱|电子邮件"), Kind.EMAIL),
    (re.compile(r"出生|生日"), Kind.BIRTH_DATE),
    (re.compile(r"车牌|号牌"), Kind.PLATE),
    (re.compile(r"住址|地址|户籍"), Kind.ADDRESS),
    (re.compile(r"姓名|名字|姓氏"), Kind.NAME),
)


def looks_personal(field: models.Field) -> tuple[Kind, str] | None:
    """(suggested kind, why) when a field's type, name or label suggests personal data."""
    if isinstance(field, EncryptedField):
        return field.kind, "it is an EncryptedField"
    if isinstance(field, BlindIndexField):
        return field.source_field().kind, "it is a BlindIndexField"
    if isinstance(field, models.GenericIPAddressField):
        return Kind.NETWORK_ADDRESS, "it is a GenericIPAddressField"
    if isinstance(field, models.EmailField):
        return Kind.EMAIL, "it is an EmailField"
    name = field.name.lower()
    for pattern, kind in _NAME_HINTS:
        if pattern.search(name):
            return kind, f"its name matches {pattern.pattern!r}"
    label = str(field.verbose_name or "")
    for pattern, kind in _VERBOSE_HINTS:
        if pattern.search(label):
            return kind, f"its label “{label}” matches {pattern.pattern!r}"
    return None


def _declaration_file(model: type[models.Model]) -> str:
    try:
        package = apps.get_app_config(model._meta.app_label).name
    except LookupError:  # a model of an app that is not installed (tests)
        package = model.__module__.rpartition(".")[0]
    return package.replace(".", "/") + "/personal_data.py"


def _undeclared_message(
    model: type[models.Model], field: models.Field, kind: Kind, why: str
) -> str:
    label, name = model._meta.label, field.name
    return (
        f"{label}.{name} ({type(field).__name__} “{field.verbose_name}”) looks like personal data "
        f"({kind.value}: {why}) but is not declared. Either store it encrypted:\n"
        f'    {name} = EncryptedField("{field.verbose_name}", kind=Kind.{kind.name})\n'
        f'    {name}_index = BlindIndexField(source="{name}")  # if it is searched by value\n'
        f"or declare it in {_declaration_file(model)}:\n"
        f'    register("{label}", "{name}", kind=Kind.{kind.name}, storage=Storage.MASKED)\n'
        f'    register("{label}", "{name}", kind=Kind.{kind.name}, storage=Storage.PLAIN, '
        f'reason="为什么必须明文展示")\n'
        f"or, if it is not personal data:\n"
        f'    not_personal("{label}", "{name}", reason="为什么不属于个人信息")'
    )


def problems(models_: Iterable[type[models.Model]] | None = None) -> list[str]:
    """Every undeclared personal-looking field, contradictory declaration and stale entry."""
    models_list = project_models() if models_ is None else list(models_)
    found: list[str] = []
    existing: set[tuple[str, str]] = set()
    for model in models_list:
        for field in _columns(model):
            key = _key(model._meta.label, field.name)
            existing.add(key)
            explicit = _personal.get(key)
            derived = _derived(model, field)
            if derived and explicit and explicit != derived:
                found.append(
                    f"{model._meta.label}.{field.name} is an {type(field).__name__} "
                    f"({derived.storage.value}, {derived.kind.value}) but registered as "
                    f"{explicit.storage.value}, {explicit.kind.value}: remove the register() call, "
                    "the field declares itself."
                )
            if derived and key in _not_personal:
                found.append(
                    f"{model._meta.label}.{field.name} stores personal data "
                    f"({type(field).__name__}) but is declared not personal: remove not_personal()."
                )
            if explicit and explicit.storage == Storage.ENCRYPTED and not derived:
                found.append(
                    f"{model._meta.label}.{field.name} is registered as encrypted but is a "
                    f"{type(field).__name__}: make it an EncryptedField."
                )
            if derived or explicit or key in _not_personal:
                continue
            hint = looks_personal(field)
            if hint:
                found.append(_undeclared_message(model, field, *hint))
    if models_ is None:
        declared: list[PersonalField | NonPersonalField] = [
            *_personal.values(),
            *_not_personal.values(),
        ]
        for entry in declared:
            if _key(entry.model, entry.field) not in existing:
                found.append(
                    f"{entry.model}.{entry.field} is declared in the privacy registry but no such "
                    "field exists in the project: remove or correct the declaration."
                )
    return found
