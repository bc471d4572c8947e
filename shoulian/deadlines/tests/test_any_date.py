"""The suite's clock code holds on any day it runs: the tests that count periods are run again in a
separate pytest process whose clock starts at a year end (next year's holiday arrangement not yet
published) and in a year the installed chinese-calendar does not carry at all.

``SHOULIAN_TEST_NOW`` (shoulian/conftest.py) moves that whole session, Django's test database
set-up included, to the instant; the clock ticks on from there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from shoulian.conftest import TEST_NOW_ENV

ROOT = Path(__file__).resolve().parents[3]

# What counts a period or a window and starts from "now": the engine, the workflow's clocks, the
# follow-up's 复议/复核 windows, the citizen's 复议 date and the rectification periods. (The decision, complaint and SMS
# suites use these same functions; running them twice more costs minutes of CI for no new code.)
CLOCK_SUITES = [
    "shoulian/deadlines",
    "shoulian/workflow/tests/test_clock.py",
    "shoulian/feedback/tests/test_follow_ups.py",
    "shoulian/citizen/tests/test_query.py",
    "shoulian/supervision/tests/test_rectification.py",
]


def _own_database(url: str, suffix: str) -> str:
    """The same server, another database name, so the inner run's test database never collides
    with the one this session is using."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{suffix}"))


@pytest.mark.parametrize(
    "instant",
    [
        pytest.param("2026-12-28T10:00:00+08:00", id="year-end"),
        pytest.param("2027-06-01T10:00:00+08:00", id="unpublished-year"),
    ],
)
def test_the_clock_suites_pass_on_any_date(instant: str, tmp_path: Path) -> None:
    env = {**os.environ, TEST_NOW_ENV: instant, "SHOULIAN_VAR_DIR": str(tmp_path)}
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = _own_database(
            env["DATABASE_URL"], "at_" + instant[:10].replace("-", "")
        )
    result = subprocess.run(  # noqa: S603 - our own interpreter and our own test files
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not browser",
            f"--ignore={Path(__file__).relative_to(ROOT)}",
            *CLOCK_SUITES,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, (
        f"at {instant}: {summary}\n{result.stdout[-4000:]}{result.stderr[-2000:]}"
    )
    assert " passed" in summary and "failed" not in summary
