"""Huey's SQLite queue, opened lazily.

Huey's ``SqliteStorage`` creates its tables when the ``Huey`` object is built, which
``huey.contrib.djhuey`` does while Django loads its apps: every web worker would write to the var
directory at boot, and a read-only or full var directory would stop all of them (users get
"connection refused" instead of a page). Here the tables are created on the first connection,
which only enqueueing a task or running the consumer opens: a web worker boots and serves pages,
and what cannot be queued fails on its own (issue 13).
"""

from __future__ import annotations

from typing import Any

from huey import SqliteHuey
from huey.storage import SqliteStorage


class LazySqliteStorage(SqliteStorage):  # type: ignore[misc]  # huey has no type hints
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["create_tables"] = False
        self._schema_ready = False
        super().__init__(*args, **kwargs)

    def _create_connection(self) -> Any:
        conn = super()._create_connection()
        if not self._schema_ready:
            cursor = conn.cursor()
            try:
                cursor.execute(self.begin_sql)
                for statement in self.ddl:  # CREATE … IF NOT EXISTS: harmless when present
                    cursor.execute(statement)
                conn.commit()
            except Exception:
                conn.rollback()
                conn.close()
                raise
            finally:
                cursor.close()
            self._schema_ready = True
        return conn


class LazySqliteHuey(SqliteHuey):  # type: ignore[misc]  # huey has no type hints
    storage_class = LazySqliteStorage
