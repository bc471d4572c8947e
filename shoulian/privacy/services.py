"""Reading personal data: the masked display of any declared field, and the audited reveal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.privacy.choices import Channel, Display, Storage
from shoulian.privacy.fields import Protected
from shoulian.privacy.masking import mask
from shoulian.privacy.policy import REFUSALS, Custody, Ground, decide, display_for
from shoulian.privacy.registry import PersonalField, field_entry

REASON_MAX_LENGTH = 200
_REVEALABLE = frozenset({Storage.ENCRYPTED, Storage.MASKED})


class RevealDenied(PermissionDenied):
    """A refused reveal, already journalled. ``ground`` tells a view what to say or ask for
    (``reason_required``: show the reason form again)."""

    def __init__(self, message: str, *, ground: Ground) -> None:
        super().__init__(message)
        self.ground = ground


def custody_of(obj: models.Model) -> Custody:
    custody = getattr(obj, "privacy_custody", None)
    if custody is None:
        raise TypeError(
            f"{obj._meta.label} holds personal data but defines no privacy_custody() -> Custody"
        )
    result = custody()
    if not isinstance(result, Custody):
        raise TypeError(f"{obj._meta.label}.privacy_custody() must return a Custody")
    return result


def _revealable_entry(obj: models.Model, field: str) -> PersonalField:
    entry = field_entry(obj, field)
    if entry is None or entry.storage not in _REVEALABLE:
        raise ValueError(
            f"{obj._meta.label}.{field} is not a masked or encrypted personal field; "
            "only those are revealed"
        )
    return entry


def _clear_value(obj: models.Model, field: str) -> str:
    value = getattr(obj, field)
    if value is None:
        return ""
    return value.plaintext() if isinstance(value, Protected) else str(value)


def reveal_field(*, user: Any, obj: models.Model, field: str, reason: str = "") -> str:
    """The clear value of ``obj.<field>`` for ``user`` on a staff page, journalled as
    PERSONAL_DATA_VIEWED whether allowed or refused (P1, U1). Raises ``RevealDenied``.

    The caller has already fetched ``obj`` through ``visible_to(user)``; the unit check here is a
    second line, not the scoping itself."""
    entry = _revealable_entry(obj, field)
    decision = decide(user, custody=custody_of(obj), kind=entry.kind)
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    ground = decision.ground
    if decision.may_reveal and decision.reason_required and not reason:
        ground = Ground.REASON_REQUIRED
    allowed = decision.may_reveal and ground != Ground.REASON_REQUIRED
    data: dict[str, Any] = {
        "action": "reveal",
        "fields": [field],
        "kind": entry.kind.value,
        "ground": ground.value,
    }
    if reason:
        data["reason"] = reason
    with transaction.atomic():
        # Read before the event: a value that cannot be decrypted raises here, and the journal
        # then holds no success for a reveal that showed nothing.
        value = _clear_value(obj, field) if allowed else ""
        record(
            EventType.PERSONAL_DATA_VIEWED,
            obj=obj,
            outcome=Outcome.SUCCESS if allowed else Outcome.DENIED,
            data=data,
            actor=user,
        )
    if not allowed:
        raise RevealDenied(REFUSALS[ground], ground=ground)
    return value


def display_value(obj: models.Model, field: str, *, channel: str = Channel.STAFF_WEB) -> str:
    """What a page, export, citizen answer or SMS shows for ``obj.<field>``: masked, or nothing
    where the channel hides the kind. Fields not declared personal, and personal fields kept in
    clear by declaration, show as they are."""
    value = getattr(obj, field)
    entry = field_entry(obj, field)
    if value is None:
        return ""
    if entry is None or entry.storage == Storage.PLAIN:
        return str(value)
    if entry.storage == Storage.HASHED or display_for(entry.kind, channel) == Display.HIDDEN:
        return ""
    if isinstance(value, Protected):
        return value.masked
    return mask(value, entry.kind)
