from __future__ import annotations

from django import template

from shoulian.core import links

register = template.Library()


@register.simple_tag
def object_url(object_type: str, object_id: object) -> str:
    """The page of ``(object_type, object_id)`` registered in ``shoulian.core.links``, or ""."""
    return links.url_for(object_type, object_id)
