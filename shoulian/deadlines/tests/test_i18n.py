"""The app's English catalogue (shoulian/deadlines/locale): complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries() -> dict[tuple[str, str], list[str]]:
    entries: dict[tuple[str, str], list[str]] = {}
    for block in PO.read_text().split("\n\n"):
        msgid = re.search(r'^msgid ((?:"[^\n]*"\n?)+)', block, re.M)
        if not msgid:
            continue
        key = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        if not key:
            continue
        assert "#, fuzzy" not in block, f"fuzzy translation for {key!r}"
        context = re.search(r'^msgctxt "(.*)"', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:"[^\n]*"\n?)+)', block, re.M)
        entries[(context.group(1) if context else "", key)] = [
            "".join(re.findall(r'"(.*)"', s)) for s in strs
        ]
    return entries


def test_every_english_message_of_the_deadline_engine_is_translated() -> None:
    untranslated = [k for k, v in _entries().items() if not v or not all(v)]
    assert not untranslated, f"Translate these in {PO}: {untranslated}"


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    catalog = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))
    stale = []
    for (context, key), values in _entries().items():
        msgid = key.replace('\\"', '"')
        if len(values) > 1:
            continue
        got = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        if got != values[0].replace('\\"', '"'):
            stale.append(key)
    assert not stale, f"Run `django-admin compilemessages` in shoulian/deadlines: {stale[:5]}"
