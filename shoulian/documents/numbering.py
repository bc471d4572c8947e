"""Document numbers: the 发文字号 (``沙公受〔2026〕12号``, ``沙公（刑）立字〔2026〕00012号``) and a
periodical's issue (``第12期``), allocated gap-free on ``core.counters``.

A user of this module keeps its own counter model (the series key plus ``last``, unique on the
key, as ``core.counters`` describes) and calls :func:`next_number` inside the transaction that
issues the document: two concurrent issues never get the same number, and a rollback gives the
number back (R6).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from shoulian.core.counters import next_in_series


def default_prefix(organ_name: str) -> str:
    """The organ's short form in a number: the first character of its (short) name followed by
    公 — 沙县公安分局 → 沙公. Bureaus configure their own where this guess is wrong."""
    name = organ_name.strip()
    return f"{name[:1]}公" if name else "公"


def issue_number(
    prefix: str, year: int, sequence: int, *, word: str = "", tag: str = "", width: int = 0
) -> str:
    """``{prefix}（{tag}）{word}〔{year}〕{sequence}号``. GB/T 9704-2012 7.2.4: the year in full
    inside 六角括号 〔〕 and the sequence without padding (``width=0``); the 公安机关法律文书
    number pads to a fixed width."""
    bracket = f"（{tag}）" if tag else ""
    return f"{prefix}{bracket}{word}〔{year}〕{sequence:0{width}d}号"


def periodical_issue(sequence: int) -> str:
    """The issue line of a periodical document (简报, 通报): 第12期."""
    return f"第{sequence}期"


def next_number(counter: type[models.Model], **key: Any) -> int:
    """The next number of the series ``key`` of ``counter``; inside the issuing transaction."""
    return next_in_series(
        counter, "document numbers are allocated inside the issuing transaction", **key
    )
