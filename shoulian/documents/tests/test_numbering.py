"""Document numbers: the 发文字号 forms and gap-free allocation on ``core.counters``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from shoulian.documents import numbering


def test_official_number_has_the_full_year_in_hexagonal_brackets_and_no_padding() -> None:
    assert numbering.issue_number("沙公受", 2026, 12) == "沙公受〔2026〕12号"


def test_legal_document_number_carries_its_tag_word_and_padding() -> None:
    number = numbering.issue_number("沙公", 2026, 12, word="立字", tag="刑", width=5)
    assert number == "沙公（刑）立字〔2026〕00012号"


def test_periodical_issue_and_default_prefix() -> None:
    assert numbering.periodical_issue(21) == "第21期"
    assert numbering.default_prefix(" 沙县公安分局 ") == "沙公"
    assert numbering.default_prefix("") == "公"


def test_numbers_are_allocated_in_sequence_inside_the_issuing_transaction(bureau_a: Any) -> None:
    from shoulian.workflow.models import DocumentCounter

    key = {"bureau": bureau_a.bureau, "kind": "filing_decision", "year": 2026}
    with transaction.atomic():
        assert [numbering.next_number(DocumentCounter, **key) for _ in range(3)] == [1, 2, 3]
    # A rolled-back issue gives its number back: the series stays gap-free.
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        numbering.next_number(DocumentCounter, **key)
        _ = 1 / 0
    with transaction.atomic():
        assert numbering.next_number(DocumentCounter, **key) == 4
