"""Masked display in templates (P1).

{% load privacy %}
{{ reporter.id_number }}                 already masked: Protected prints masked
{{ unit_contact_name|masked:"name" }}    mask any string by kind
{% personal reporter "address" %}        by the field's declaration, staff channel
{% personal reporter "phone" channel="citizen_query" %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from shoulian.privacy.choices import Channel, Kind
from shoulian.privacy.fields import Protected
from shoulian.privacy.masking import mask
from shoulian.privacy.services import display_value

register = template.Library()


@register.filter
def masked(value: Any, kind: str = Kind.FREE_TEXT) -> str:
    """Masked form of ``value``. Without a kind a plain string is hidden entirely: a template
    that does not say what it masks must not show anything."""
    if isinstance(value, Protected):
        return value.masked
    if value is None or value == "":
        return ""
    return mask(value, kind)


@register.simple_tag
def personal(obj: models.Model, field: str, channel: str = Channel.STAFF_WEB) -> str:
    return display_value(obj, field, channel=Channel(channel))
