"""The one settings module: databases, queue and guards driven by the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory

from shoulian.core.views import server_error


def _settings_in_subprocess(**env: str) -> dict[str, object]:
    code = (
        "import json, config.settings as s;"
        "print(json.dumps({'huey': s.HUEY['huey_class'], 'db': s.DATABASES['default']['ENGINE'],"
        " 'debug': s.DEBUG}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, "SHOULIAN_SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    settings_seen: dict[str, object] = json.loads(result.stdout)
    return settings_seen


def test_defaults_are_sqlite_and_the_sqlite_queue() -> None:
    assert _settings_in_subprocess() == {
        # Huey's SQLite queue, its tables created on first use (shoulian.core.queue).
        "huey": "shoulian.core.queue.LazySqliteHuey",
        # Django's SQLite backend with writers queued on a lock file.
        "db": "shoulian.core.db",
        "debug": False,
    }


def test_database_url_and_redis_url_switch_to_postgresql_and_redis() -> None:
    got = _settings_in_subprocess(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert got["db"] == "django.db.backends.postgresql" and got["huey"] == "huey.PriorityRedisHuey"


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOULIAN_")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0 and "SHOULIAN_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas apply to the SQLite backend only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_server_error_page_shows_a_correlation_id_and_no_traceback() -> None:
    request = RequestFactory().get("/boom")
    request.request_id = "abc123def456"  # type: ignore[attr-defined]
    response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and "abc123def456" in body and "Traceback" not in body


def test_huey_runs_immediately_in_tests() -> None:
    assert settings.HUEY["immediate"] is True
