"""Shared bits of both renderings."""

from __future__ import annotations

from typing import Any

from shoulian.intake.models import AlertParty


def addressee_name(document: Any) -> str:
    """The addressee's name (the reporter; the 违法行为人 of a punishment), read from the party row
    (documents keep no copy of it)."""
    default = str(document.content.get("addressee_default") or "报案人")
    party_id = document.content.get("addressee_party")
    if party_id is None:
        return default
    party = AlertParty.objects.filter(pk=party_id, alert_id=document.alert_id).first()
    return party.name if party is not None else default
