"""The timeline component and the verification badge, for any page that shows an object.

{% load audit_tags %}
{% audit_timeline alert %}       {# an object the view fetched through visible_to(user) #}
{% audit_badge status %}         {# a selectors.SealStatus #}
"""

from __future__ import annotations

from typing import Any

from django import template

from shoulian.audit import selectors
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import object_ref, record

register = template.Library()


@register.inclusion_tag("audit/_timeline.html", takes_context=True)
def audit_timeline(context: template.Context, obj: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    object_type, object_id = object_ref(obj)
    entries = selectors.object_timeline(user=user, object_type=object_type, object_id=object_id)
    # Looking at a timeline is a read of the journal: it leaves its own trace (U1).
    record(EventType.TIMELINE_READ, obj=(object_type, object_id), data={"entries": len(entries)})
    return {"entries": entries, "status": selectors.object_status(object_type, object_id)}


@register.inclusion_tag("audit/_badge.html")
def audit_badge(status: selectors.SealStatus) -> dict[str, Any]:
    return {"status": status}
