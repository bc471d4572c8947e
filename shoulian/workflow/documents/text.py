"""Shared bits of both renderings."""

from __future__ import annotations

from typing import Any

from shoulian.intake.models import AlertParty


def addressee_name(document: Any) -> str:
    """The reporter's name, read from the party row (documents keep no copy of it)."""
    party_id = document.content.get("addressee_party")
    if party_id is None:
        return "报案人"
    party = AlertParty.objects.filter(pk=party_id, alert_id=document.alert_id).first()
    return party.name if party is not None else "报案人"
