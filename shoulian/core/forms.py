from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every ``{{ field.as_field_group }}`` draws the one field template (label with the
    required mark, widget, help, errors); templates come from ``TEMPLATES``, so the project may
    override Django's widget templates too."""

    field_template_name = "includes/field.html"


def add_service_errors(
    form: forms.Form, exc: ValidationError, default_field: str | None = None
) -> None:
    """Show a service's ValidationError on the form: per field where it names one, else on
    ``default_field`` (or the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc.messages)


def posted_version(data: Any, name: str = "version") -> int:
    """The optimistic-lock version a form posts back: a whole number, else ``ValidationError``
    (the view answers 400 with the message, never a 500 on a tampered or truncated field)."""
    raw = str(data.get(name) or "0").strip()
    if not raw.isdigit() or len(raw) > 9:
        raise ValidationError("页面数据不完整或已失效，请刷新页面后重试。")
    return int(raw)
