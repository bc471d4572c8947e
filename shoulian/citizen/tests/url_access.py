"""Access rules of the citizen channels for the URL matrix (Z1, Z3).

The query pages and the kiosk are public: nobody signs in. Without the query's signed cookies the
query steps send the browser back to the start (302); without an enrolled kiosk's device cookie
every kiosk page is the "not enrolled" page (403). Kiosks are managed by the center head and the
bureau's administrator, each only in their own bureau (another bureau's kiosk is a 404)."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import PUBLIC, Rule

MANAGERS = frozenset({Role.CENTER_HEAD, Role.ADMIN})


def _kiosk(bureau: Any) -> Any:
    cached = bureau.__dict__.get("_citizen_kiosk")
    if cached is not None:
        return cached
    from shoulian.citizen import services
    from shoulian.conftest import make_user

    head = make_user(f"khead{bureau.center.code}".lower(), bureau.center, Role.CENTER_HEAD)
    kiosk, _token = services.kiosk_create(actor=head, unit=bureau.center, name="大厅1号机")
    bureau.__dict__["_citizen_kiosk"] = kiosk
    return kiosk


def _own(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _kiosk(own).pk}


def _foreign(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"pk": _kiosk(other).pk}


def _token(user: Any, own: Any, other: Any) -> dict[str, Any]:
    return {"token": "not-a-valid-token"}


NOT_ENROLLED = 403

ACCESS = {
    "citizen:query_start": Rule(PUBLIC),
    "citizen:query_code": Rule(PUBLIC, ok=302),
    "citizen:query_result": Rule(PUBLIC, ok=302),
    "citizen:query_complaint": Rule(PUBLIC, ok=405),
    "citizen:query_end": Rule(PUBLIC, ok=405),
    "citizen:large_type": Rule(PUBLIC, ok=405),
    "citizen:kiosk_home": Rule(PUBLIC, ok=NOT_ENROLLED),
    "citizen:kiosk_report": Rule(PUBLIC, ok=NOT_ENROLLED),
    "citizen:kiosk_receipt": Rule(PUBLIC, kwargs=_token, ok=NOT_ENROLLED),
    "citizen:kiosk_receipt_pdf": Rule(PUBLIC, kwargs=_token, ok=NOT_ENROLLED),
    "citizen:kiosk_query_start": Rule(PUBLIC, ok=NOT_ENROLLED),
    "citizen:kiosk_query_code": Rule(PUBLIC, ok=NOT_ENROLLED),
    "citizen:kiosk_query_result": Rule(PUBLIC, ok=NOT_ENROLLED),
    "citizen:kiosk_query_complaint": Rule(PUBLIC, ok=405),
    "citizen:kiosk_complaint": Rule(PUBLIC, ok=NOT_ENROLLED),
    "citizen:kiosk_complaint_done": Rule(PUBLIC, kwargs=_token, ok=NOT_ENROLLED),
    # The one-time link: an unknown token is a 404 page.
    "citizen:kiosk_enrol": Rule(PUBLIC, kwargs=_token, ok=404),
    "citizen:kiosk_manage": Rule(MANAGERS),
    "citizen:kiosk_toggle": Rule(MANAGERS, kwargs=_own, foreign=_foreign, ok=405),
    "citizen:kiosk_reissue": Rule(MANAGERS, kwargs=_own, foreign=_foreign, ok=405),
}
