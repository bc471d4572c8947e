"""Which version of the 考核办法 is in force for a bureau on a day: the published defaults and the
bureau's own, the same reading as deadline and patrol rules (``core.versioning``). Drafts are never
in force; a draft under replay is passed in as ``candidate``."""

from __future__ import annotations

import datetime as dt

from shoulian.assessment.choices import SchemeStatus
from shoulian.assessment.models import Scheme
from shoulian.core import versioning


def published(bureau_id: int | None) -> list[Scheme]:
    return list(versioning.chain(Scheme, bureau_id, status=SchemeStatus.PUBLISHED))


class Chain:
    """The published versions of one bureau, read once, optionally with a candidate draft taken as
    published (what publishing it would give)."""

    def __init__(self, bureau_id: int | None, candidate: Scheme | None = None) -> None:
        rows = published(bureau_id)
        if candidate is not None:
            rows = sorted([*rows, candidate], key=lambda s: (s.effective_from, s.pk or 0))
        self.rows = rows

    def on(self, day: dt.date) -> Scheme | None:
        return versioning.pick(self.rows, day)


def in_force(bureau_id: int | None, on: dt.date) -> Scheme | None:
    return Chain(bureau_id).on(on)


def next_version_number(bureau_id: int | None) -> int:
    return max(versioning.chain(Scheme, bureau_id).values_list("version", flat=True), default=0) + 1
