"""Access rules of the intake desk for the URL matrix (Z1, Z3).

The object builders create one imported 110 alert per bureau (registered by the bureau's center,
handled by its first 派出所, so both the center's clerks and the station's staff see it) and one
completed alert with an evidence file; bureau-wide roles see both. The administrator sees no case
content (三员分立) and is refused every content URL by role.
"""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import PUBLIC, STAFF, Rule

CONTENT = frozenset(r for r in Role.values if r != Role.ADMIN)
DESK = frozenset({Role.CLERK})
COMPLETING = frozenset({Role.CLERK, Role.OFFICER})
RECEIPT = frozenset({Role.CLERK, Role.OFFICER, Role.LEADER, Role.CENTER_HEAD})
ADMIN = frozenset({Role.ADMIN})


def _objects(bureau: Any) -> dict[str, Any]:
    cached = bureau.__dict__.get("_intake_objects")
    if cached is not None:
        return cached
    from shoulian.conftest import make_user
    from shoulian.intake import services
    from shoulian.intake.models import Category
    from shoulian.intake.tests.helpers import file_input, import_110, sample_pdf

    services.category_seed_standard()
    clerk = make_user(f"mclerk{bureau.center.code}".lower(), bureau.center, Role.CLERK)
    pending = import_110(clerk, station_code=bureau.station.code).alert
    done = import_110(clerk, station_code=bureau.station.code).alert
    data = services.AlertInput(
        channel=done.channel,
        received_at=done.received_at,
        handled_at=done.handled_at,
        incident_at=done.incident_at,
        incident_place=done.incident_place,
        narrative=done.narrative,
        category=Category.objects.get(code="0201"),
        files=(file_input("现场照片说明.pdf", sample_pdf()),),
    )
    services.alert_complete_registration(actor=clerk, alert=done, version=done.version, data=data)
    draft = services.draft_save(actor=clerk, payload={"channel": "walk_in"}, summary="测试草稿")
    cached = {
        "pending": pending,
        "done": done,
        "party": done.parties.first(),
        "file": done.evidence_files.first(),
        "draft": draft,
    }
    bureau.__dict__["_intake_objects"] = cached
    return cached


def _pk(name: str, *, foreign: bool = False):
    def build(user: Any, own: Any, other: Any) -> dict[str, Any]:
        return {"pk": _objects(other if foreign else own)[name].pk}

    return build


def _category(user: Any, own: Any, other: Any) -> dict[str, Any]:
    from shoulian.intake import services
    from shoulian.intake.models import Category

    services.category_seed_standard()
    return {"pk": Category.objects.get(code="0101").pk}


ACCESS = {
    "intake:alert_list": Rule(CONTENT),
    "intake:register": Rule(DESK),
    "intake:jurisdiction_hint": Rule(COMPLETING, ok=405),
    "intake:duplicates": Rule(COMPLETING, ok=405),
    "intake:draft_list": Rule(DESK),
    # A draft is its owner's alone: every other clerk, of any unit, gets 404.
    "intake:draft_discard": Rule(
        DESK, kwargs=_pk("draft"), foreign=_pk("draft", foreign=True), ok=405
    ),
    "intake:import": Rule(DESK),
    # The old address leads to the alert file (302); another bureau's alert is still a 404.
    "intake:alert_detail": Rule(
        CONTENT, kwargs=_pk("pending"), foreign=_pk("pending", foreign=True), ok=302
    ),
    "intake:complete": Rule(
        COMPLETING, kwargs=_pk("pending"), foreign=_pk("pending", foreign=True)
    ),
    "intake:receipt": Rule(RECEIPT, kwargs=_pk("done"), foreign=_pk("done", foreign=True)),
    "intake:receipt_pdf": Rule(RECEIPT, kwargs=_pk("done"), foreign=_pk("done", foreign=True)),
    "intake:party_reveal": Rule(
        CONTENT, kwargs=_pk("party"), foreign=_pk("party", foreign=True), ok=405
    ),
    "intake:evidence_download": Rule(
        CONTENT, kwargs=_pk("file"), foreign=_pk("file", foreign=True)
    ),
    "intake:category_list": Rule(STAFF),
    "intake:category_create": Rule(ADMIN),
    "intake:category_edit": Rule(ADMIN, kwargs=_category),
    # The legal classification of a category: the legal brigade's page (三员分立).
    "intake:category_flags": Rule(frozenset({Role.LEGAL_BRIGADE}), kwargs=_category),
    # Token-authenticated machine endpoint: no session reaches it; without a token it answers 401.
    "intake_api:alert_create": Rule(PUBLIC, ok=401),
}
