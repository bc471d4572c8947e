"""Every form field drawn by the one field template is named by its label and tied to its help
and its errors (aria-describedby to elements that exist), so a screen reader reads them with it."""

from __future__ import annotations

import re

from django import forms

from shoulian.intake.forms import ItemFormSet


class _Form(forms.Form):
    name = forms.CharField(label="姓名", help_text="与证件一致")
    phone = forms.CharField(label="联系电话", required=False)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_a_field_in_error_points_at_its_help_and_its_error_message() -> None:
    form = _Form(data={"name": ""})
    html = str(form["name"].as_field_group())
    described = re.search(r'aria-describedby="([^"]+)"', html)
    assert described is not None and 'aria-invalid="true"' in html
    assert described.group(1).split() == ["id_name_helptext", "id_name_error"]
    assert set(described.group(1).split()) <= _ids(html)
    assert '<label for="id_name">' in html


def test_a_valid_field_points_at_its_help_only() -> None:
    form = _Form(data={"name": "陈美玲"})
    form.is_valid()
    html = str(form["name"].as_field_group())
    assert 'aria-describedby="id_name_helptext"' in html and "aria-invalid" not in html
    assert 'id="id_name_helptext"' in html


def test_each_evidence_row_input_is_named_by_its_column_and_row() -> None:
    formset = ItemFormSet(prefix="item")
    second = formset.forms[1]
    attrs = second.fields["quantity"].widget.attrs
    assert attrs["aria-labelledby"] == "item-col-quantity item-1-no"
    template = formset.empty_form.fields["name"].widget.attrs["aria-labelledby"]
    assert template == "item-col-name item-__prefix__-no"


class _Choice(forms.Form):
    verdict = forms.ChoiceField(
        label="审批意见", choices=[("yes", "同意"), ("no", "不同意")], widget=forms.RadioSelect
    )


def test_a_group_of_radio_buttons_is_a_fieldset_named_by_its_legend() -> None:
    form = _Choice(data={})
    html = str(form["verdict"].as_field_group())
    assert re.search(
        r'<fieldset class="field has-error" aria-describedby="id_verdict_error">', html
    )
    assert "<legend>审批意见" in html and 'id="id_verdict_error"' in html
    assert '<label for="">' not in html
