"""Recognising a full disk, so that a page can say plainly that nothing was saved."""

from __future__ import annotations

import errno

# SQLite: SQLITE_FULL; PostgreSQL: class 53 (insufficient resources), 53100 disk_full.
_SQLITE_FULL = "database or disk is full"
_PG_DISK_FULL = "53100"


def storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the disk or the database's storage is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(current, "sqlstate", None) == _PG_DISK_FULL:
            return True
        if _SQLITE_FULL in str(current) or "No space left on device" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False
