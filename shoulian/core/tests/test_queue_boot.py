"""Issue 13 item 6: a var directory the web worker cannot write must not stop it at boot (Huey's
SQLite queue created its tables while Django loaded the apps); only queueing fails."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from huey import SqliteHuey

from shoulian.core.queue import LazySqliteHuey

ROOT = Path(__file__).resolve().parents[3]


def _unwritable(tmp_path: Path) -> Path:
    # Tests may run as root, for whom no permission bit is read-only: a path under a regular file
    # cannot be created by anybody.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    return blocker / "var"


def test_hueys_own_sqlite_queue_fails_at_construction(tmp_path: Path) -> None:
    """What the web workers did before: building the Huey object wrote the schema."""
    with pytest.raises(sqlite3.OperationalError):
        SqliteHuey("t", filename=str(_unwritable(tmp_path) / "huey.sqlite3"))


def test_the_lazy_queue_builds_without_touching_the_disk_and_fails_only_when_used(
    tmp_path: Path,
) -> None:
    path = _unwritable(tmp_path) / "huey.sqlite3"
    huey = LazySqliteHuey("t", filename=str(path))
    with pytest.raises(sqlite3.OperationalError):
        huey.pending()


def test_the_lazy_queue_creates_its_tables_on_first_use(tmp_path: Path) -> None:
    huey = LazySqliteHuey("t", filename=str(tmp_path / "huey.sqlite3"))
    assert not (tmp_path / "huey.sqlite3").exists()

    @huey.task()  # type: ignore[untyped-decorator]
    def add(a: int, b: int) -> int:
        return a + b

    add(1, 2)
    assert len(huey.pending()) == 1


def test_a_web_worker_boots_with_an_unwritable_var_dir(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SHOULIAN_VAR_DIR": str(_unwritable(tmp_path)),
        "SHOULIAN_SECRET_KEY": "boot-test",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHOULIAN_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    env.pop("REDIS_URL", None)
    code = (
        "from config.wsgi import application\n"
        "from huey.contrib.djhuey import HUEY\n"
        "print(type(HUEY).__name__)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "LazySqliteHuey" in result.stdout
