"""Helpers that replay a check-then-insert race deterministically in one thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def false_once(original: Callable[..., bool]) -> Callable[..., bool]:
    """A replacement for a check such as ``QuerySet.exists`` whose first call answers False, as
    when another request's insert had not committed yet; later calls answer truthfully."""
    calls = {"n": 0}

    def check(self: Any, *args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        return False if calls["n"] == 1 else original(self, *args, **kwargs)

    return check
