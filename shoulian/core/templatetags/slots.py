from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from shoulian.core.slots import templates_for

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context: template.Context, name: str) -> SafeString:
    """Render what the apps registered for ``name`` (``shoulian.core.slots``) with this context."""
    engine = context.template.engine  # type: ignore[union-attr]
    parts = []
    for template_name in templates_for(name):
        with context.push():
            parts.append(engine.get_template(template_name).render(context))
    return mark_safe("".join(parts))  # noqa: S308 - rendered (auto-escaped) templates
