"""Chinese first, English as the second locale, gettext throughout."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from shoulian.accounts.models import User
from shoulian.conftest import login_as

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _po_entries() -> dict[str, str]:
    entries: dict[str, str] = {}
    for block in PO.read_text().split("\n\n"):
        msgid = re.search(r'^msgid ((?:"[^\n]*"\n?)+)', block, re.M)
        if not msgid:
            continue
        key = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        if not key:
            continue
        assert "#, fuzzy" not in block, f"fuzzy translation for {key!r}"
        strs = re.findall(r'^msgstr(?:\[0\])? ((?:"[^\n]*"\n?)+)', block, re.M)
        entries[key] = "".join(re.findall(r'"(.*)"', strs[0])) if strs else ""
    return entries


def test_every_english_message_is_translated() -> None:
    untranslated = [k for k, v in _po_entries().items() if not v]
    assert not untranslated, f"Translate these in {PO}: {untranslated}"


def test_compiled_catalog_matches_the_po_file() -> None:
    catalog = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))
    stale = [
        k
        for k, v in _po_entries().items()
        if catalog.gettext(k.replace('\\"', '"')) != v.replace('\\"', '"')
    ]
    assert not stale, f"Run `manage.py compilemessages -l en`: {stale[:5]}"


@pytest.mark.django_db
def test_the_interface_is_chinese_even_for_an_english_browser() -> None:
    page = (
        Client()
        .get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        .content.decode()
    )
    assert "用户名" in page and "Username" not in page


@pytest.mark.django_db
def test_a_user_can_switch_to_english_and_back(officer: User) -> None:
    client = login_as(Client(), officer)
    response = client.post(
        reverse("core:set_language"), {"language": "en", "next": reverse("core:home")}
    )
    assert response.status_code == 302
    page = client.get(reverse("core:home")).content.decode()
    assert "Hello," in page and "Handling officer" in page and "Duties" in page
    client.post(reverse("core:set_language"), {"language": "zh-hans", "next": reverse("core:home")})
    assert "岗位职责" in client.get(reverse("core:home")).content.decode()
