from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Evidence written by registrations goes to the test's own directory."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


# A day of a year whose State Council arrangement ships with chinese-calendar: the rules raise an
# overdue finding only on a real due time (a provisional one is a warning), so tests that count
# towards "overdue" from now must not drift into a year nobody has entered yet.
FIXED_NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def known_calendar_year(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("browser"):
        # The live server shares this process's clock; Chromium keeps the real one, and cookies
        # dated in the past would be dropped.
        return
    request.getfixturevalue("time_machine").move_to(FIXED_NOW)
