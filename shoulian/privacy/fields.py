"""Model fields for encrypted personal data and its blind index.

    id_number = EncryptedField("证件号码", kind=Kind.ID_NUMBER)
    id_number_index = BlindIndexField(source="id_number")

Reading ``obj.id_number`` gives a ``Protected`` value, never a bare string: ``str()``, f-strings,
templates, ``repr()`` and log lines all show the masked form (``110105********0123``); the clear
value comes only from ``.plaintext()``, which templates refuse to call. Assigning a string stores
its canonical form; saving encrypts it under the current key and refreshes the index. Filtering
on the encrypted column is refused with a message that names the index column; search with
``filter(id_number_index=index_for(value, Kind.ID_NUMBER))``.

Writes that skip ``Model.save()`` skip the index too: ``QuerySet.update()`` and ``bulk_update()``
must set the index column themselves (``privacy_rotate_keys --reindex`` repairs it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from django import forms
from django.core.checks import CheckMessage
from django.core.checks import Error as CheckError
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import pre_save

from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import decrypt, encrypt, index_for, is_token, key_ring, token_key_id
from shoulian.privacy.masking import mask
from shoulian.privacy.validators import canonical


class Protected:
    """A personal value held by a model instance: masked wherever it is printed."""

    __slots__ = ("_kind", "_clear", "_token")

    def __init__(self, clear: str, kind: str) -> None:
        self._kind = Kind(kind)
        self._clear: str | None = clear
        self._token: str | None = None

    @classmethod
    def from_token(cls, token: str, kind: str) -> Protected:
        # Decryption waits until the value is used: a list page that shows ten columns of a row
        # pays for the fields it displays, and a row under a lost key still lists.
        value = cls.__new__(cls)
        value._kind, value._clear, value._token = Kind(kind), None, token
        return value

    @property
    def kind(self) -> Kind:
        return self._kind

    def plaintext(self) -> str:
        if self._clear is None:
            self._clear = decrypt(self._token or "", kind=self._kind)
        return self._clear

    # Django templates never call a callable marked alters_data: ``{{ obj.phone.plaintext }}``
    # renders nothing, so a template cannot bypass masking and the audited reveal.
    plaintext.alters_data = True  # type: ignore[attr-defined]

    @property
    def masked(self) -> str:
        return mask(self.plaintext(), self._kind)

    @property
    def key_id(self) -> str | None:
        """Key of the ciphertext; None while the value has not been encrypted yet."""
        return token_key_id(self._token) if self._token else None

    def token(self) -> str:
        """The ciphertext to store: reused while it is under the current key, else renewed."""
        if self._token is None or token_key_id(self._token) != key_ring().current_id:
            self._token = encrypt(self.plaintext(), kind=self._kind)
        return self._token

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __repr__(self) -> str:
        # No decryption here: repr() runs in tracebacks and debug pages, where a missing key must
        # not raise a second error and where not even the masked value needs to appear.
        return f"<Protected {self._kind.value}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Protected):
            return self._kind == other._kind and self.plaintext() == other.plaintext()
        if isinstance(other, str):
            return self.plaintext() == other
        return NotImplemented

    def __hash__(self) -> int:
        # Equal to its clear string, so it must hash like it.
        return hash(self.plaintext())

    def __bool__(self) -> bool:
        return bool(self.plaintext())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled instances (cache, sessions) carry the ciphertext, never the clear value.
        return (Protected.from_token, (self.token(), self._kind.value))


class ProtectedAttribute(DeferredAttribute):
    """Wraps whatever is assigned, so the instance never holds a bare string."""

    field: EncryptedField

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = self.field.wrap(value)


class ProtectedFormField(forms.CharField):
    """Never renders the stored value (showing it would be an unaudited reveal); a blank input
    leaves the stored value unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("help_text"):
            kwargs["help_text"] = "已登记的内容已隐去；留空表示不修改。"
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "" if isinstance(value, Protected) else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(data)


if TYPE_CHECKING:
    # django-stubs types a TextField's value as str; these fields hand out Protected values.
    _EncryptedBase: TypeAlias = models.TextField[Any, Protected]
else:
    _EncryptedBase = models.TextField


class EncryptedField(_EncryptedBase):
    """Personal data encrypted at rest (P2). ``searchable`` fields need a ``BlindIndexField``."""

    description = "加密存储的个人信息"
    descriptor_class = ProtectedAttribute

    def __init__(self, *args: Any, kind: str, searchable: bool = True, **kwargs: Any) -> None:
        self.kind = Kind(kind)
        self.searchable = searchable
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind.value
        if not self.searchable:
            kwargs["searchable"] = False
        for key in ("null", "blank"):
            if kwargs.get(key) is None:
                kwargs[key] = False
            elif kwargs[key] is True:
                del kwargs[key]
        return name, path, args, kwargs

    def contribute_to_class(
        self, cls: type[models.Model], name: str, *args: Any, **kwargs: Any
    ) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract and cls.__module__ != "__fake__":
            pre_save.connect(
                _guard_update_fields, sender=cls, dispatch_uid=f"privacy-index-{cls._meta.label}"
            )

    def wrap(self, value: Any) -> Protected | None:
        """Assignment: a string is always a clear value, never taken for a ciphertext."""
        if value is None or (isinstance(value, Protected) and value.kind == self.kind):
            return value
        text = value.plaintext() if isinstance(value, Protected) else canonical(value, self.kind)
        if text == "" and self.null:
            return None
        return Protected(text, self.kind)

    def to_python(self, value: Any) -> Protected | None:
        # Deserialisation (loaddata) hands over the stored ciphertext written by value_to_string.
        if isinstance(value, str) and is_token(value):
            return Protected.from_token(value, self.kind)
        return self.wrap(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Protected | None:
        return None if value is None else Protected.from_token(value, self.kind)

    def get_prep_value(self, value: Any) -> str | None:
        wrapped = self.wrap(value)
        return None if wrapped is None else wrapped.token()

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else value.token()

    def run_validators(self, value: Any) -> None:
        super().run_validators(value.plaintext() if isinstance(value, Protected) else value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        index = next((f.name for f in _index_fields(self.model) if f.source == self.name), None)
        hint = (
            f"filter({index}=index_for(value, {self.kind.value!r}))"
            if index
            else "declare a BlindIndexField(source=...) and search through it"
        )
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted and cannot be compared in SQL "
            f"(lookup {lookup_name!r}); {hint}"
        )

    def formfield(self, **kwargs: Any) -> Any:
        return super(models.TextField, self).formfield(
            **{"form_class": ProtectedFormField, "max_length": None, **kwargs}
        )

    def save_form_data(self, instance: models.Model, data: Any) -> None:
        if data in (None, "") and getattr(instance, self.attname) is not None:
            return
        super().save_form_data(instance, data)

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        errors = super().check(**kwargs)
        if self.searchable and not any(f.source == self.name for f in _index_fields(self.model)):
            errors.append(
                CheckError(
                    f"Searchable encrypted field {self.name!r} has no BlindIndexField.",
                    hint=(
                        f'Add {self.name}_index = BlindIndexField(source="{self.name}"), '
                        "or pass searchable=False."
                    ),
                    obj=self,
                    id="privacy.E002",
                )
            )
        return errors


class BlindIndexField(models.CharField):
    """HMAC of the source field's canonical value, recomputed on every save of that field."""

    description = "个人信息检索索引"

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def source_field(self) -> EncryptedField:
        field = self.model._meta.get_field(self.source)
        if not isinstance(field, EncryptedField):
            raise TypeError(f"{self.model._meta.label}.{self.source} is not an EncryptedField")
        return field

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = getattr(model_instance, self.source)
        digest = None if value is None else index_for(value.plaintext(), self.source_field().kind)
        setattr(model_instance, self.attname, digest)
        return digest

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        errors = super().check(**kwargs)
        try:
            self.source_field()
        except (LookupError, TypeError) as exc:
            errors.append(
                CheckError(
                    f"BlindIndexField {self.name!r} does not point at an EncryptedField: {exc}",
                    obj=self,
                    id="privacy.E003",
                )
            )
        return errors


def _index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def _guard_update_fields(
    sender: type[models.Model], update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    """``save(update_fields=["phone"])`` would write a new ciphertext next to the old index and
    break duplicate search silently; make it a loud programming error instead."""
    if update_fields is None:
        return
    for index in _index_fields(sender):
        if index.source in update_fields and index.name not in update_fields:
            raise ValueError(
                f"save(update_fields=...) names {index.source!r} without {index.name!r}; "
                "list both so the search index follows the value"
            )
