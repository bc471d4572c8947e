"""Django's SQLite backend with writers queued on a lock file instead of SQLite's busy handler.

Every transaction here is ``BEGIN IMMEDIATE`` (settings: one writer at a time, no lock upgrade
failures). A second writer then waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15,
20, 25 … ms between retries: when the first writer commits after 3 ms, the second may sleep on
until 8 or 18 ms with the CPU idle, and under a burst of registrations most of the time goes
there. Here a writer first takes an exclusive lock on ``<database>.writelock`` and only then
begins; waiting writers retry that lock every few hundred microseconds, so the next one starts
as soon as the previous one has committed. The lock is released on commit, rollback or close, and
by the kernel if the process dies. Readers never take it (WAL lets them read during a write).
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Retry delays in seconds: short first (the usual wait is one transaction of a few ms), then
# capped so that a long writer costs the waiters little CPU.
_FIRST_DELAY = 0.0002
_MAX_DELAY = 0.002


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock_fd: int | None = None
    _write_locked = False

    def _write_lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}.writelock"

    def _acquire_write_lock(self) -> None:
        path = self._write_lock_path()
        if path is None or self._write_locked:
            return
        if self._write_lock_fd is None:
            self._write_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        delay = _FIRST_DELAY
        while True:
            try:
                fcntl.flock(self._write_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    # What SQLite itself says when its busy timeout runs out.
                    raise OperationalError("database is locked") from None
                time.sleep(delay)
                delay = min(delay * 2, _MAX_DELAY)
            else:
                self._write_locked = True
                return

    def _release_write_lock(self) -> None:
        if self._write_locked and self._write_lock_fd is not None:
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)
        self._write_locked = False

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
            if self._write_lock_fd is not None:
                os.close(self._write_lock_fd)
                self._write_lock_fd = None
