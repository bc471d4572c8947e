"""Forms of the supervision platform: issuing a wall screen's display link."""

from __future__ import annotations

from typing import Any

from django import forms

from shoulian.dashboard.services import DISPLAY_MAX_DAYS
from shoulian.org.models import Unit


class DisplayLinkForm(forms.Form):
    name = forms.CharField(
        label="屏幕名称",
        max_length=60,
        help_text="例如：指挥中心大厅左屏。撤销时按名称辨认。",
    )
    unit = forms.ModelChoiceField(
        label="显示范围",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="全局（本分局）",
    )
    days = forms.IntegerField(
        label="有效期（天）",
        min_value=1,
        max_value=DISPLAY_MAX_DAYS,
        initial=DISPLAY_MAX_DAYS,
        help_text=f"最长 {DISPLAY_MAX_DAYS} 天，到期后须重新签发。",
    )

    def __init__(self, *args: Any, bureau: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.filter(path__startswith=bureau.path, is_active=True)
            .exclude(pk=bureau.pk)
            .order_by("path")
        )
