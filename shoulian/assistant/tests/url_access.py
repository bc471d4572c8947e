"""Access rules of the assistant's pages for the URL matrix (Z1, Z3). The checklists are not
unit-scoped (one set per installation), so there is no foreign object to hide."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

READERS = frozenset(r for r in Role.values if r != Role.ADMIN)
DESK = frozenset(r for r in Role.values if r not in (Role.ADMIN, Role.INSPECTOR))


def _checklist(bureau: Any) -> Any:
    from shoulian.assistant.models import Checklist

    return Checklist.objects.current().order_by("pk").first()


ACCESS = {
    "assistant:checklists": Rule(READERS),
    "assistant:checklist": Rule(READERS, kwargs=lambda u, own, other: {"pk": _checklist(own).pk}),
    "assistant:checklist_edit": Rule(
        frozenset({Role.LEGAL_BRIGADE}), kwargs=lambda u, own, other: {"pk": _checklist(own).pk}
    ),
    # POST-only htmx endpoints: a GET is 405 for those allowed.
    "assistant:suggest": Rule(DESK, ok=405),
    "assistant:choose": Rule(DESK, ok=405),
}
