"""What every intake service shares: inputs, results, errors and the permission checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shoulian.accounts.choices import Role
from shoulian.audit.journal import deny
from shoulian.intake import uploads
from shoulian.intake.choices import FilePurpose, ReportForm
from shoulian.intake.models import Alert, Category
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit

# 公安部《关于改革完善受案立案制度的意见》(2015): alerts handled on a 110 dispatch (and other
# urgent cases) are registered within 24 hours of handling.
REGISTRATION_PERIOD = timedelta(hours=24)
# Units where a desk clerk (接报警员) registers walk-in reports.
DESK_UNIT_KINDS = frozenset({UnitKind.CENTER, UnitKind.STATION})


class IdempotencyConflict(Exception):
    """The idempotency key was already used for a different submission (R5: 422)."""


class ConcurrentUpdate(Exception):
    """Somebody else changed the alert since the form was opened (R6)."""


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    gender: str = "unknown"
    id_type: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    note: str = ""


@dataclass(frozen=True)
class ItemInput:
    name: str
    quantity: int = 1
    features: str = ""
    pages: int | None = None


@dataclass(frozen=True)
class FileInput:
    upload: uploads.Readable
    inspection: uploads.Inspection
    original_name: str
    purpose: str = FilePurpose.EVIDENCE


@dataclass(frozen=True)
class AlertInput:
    """What a registration says about the alert itself."""

    channel: str
    received_at: datetime
    incident_at: datetime
    incident_place: str
    narrative: str
    category: Category
    urgency: str = "normal"
    report_form: str = ReportForm.ORAL
    incident_until: datetime | None = None
    external_ref: str = ""
    source_organ: str = ""
    handled_at: datetime | None = None
    parties: Sequence[PartyInput] = field(default_factory=tuple)
    items: Sequence[ItemInput] = field(default_factory=tuple)
    files: Sequence[FileInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class Registration:
    alert: Alert
    replayed: bool
    response: dict[str, Any]


# --- permissions ------------------------------------------------------------------------------


def require_desk_clerk(actor: Any) -> Unit:
    """The registering unit of ``actor``: a 接报警员 (民警 or 辅警: registering is not a decision)
    at a center or station desk."""
    unit = getattr(actor, "unit", None)
    if (
        actor is None
        or not actor.is_active
        or not actor.has_role(Role.CLERK)
        or unit is None
        or unit.kind not in DESK_UNIT_KINDS
    ):
        deny(actor, action="register_alert")
    return unit
