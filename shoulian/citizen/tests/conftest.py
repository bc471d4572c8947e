from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Registrations write to the test's own media directory."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def commit_callbacks_run(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-case transactions never commit, so work queued "on commit" (the code SMS, its
    delivery) would never run. Run it at once, as the commit would; browser tests really commit."""
    if request.node.get_closest_marker("browser"):
        return
    from django.db import transaction

    def run_now(func: Any, using: Any = None, robust: bool = False) -> None:
        if not robust:
            func()
            return
        try:
            func()
        except Exception:  # what Django does with a robust callback: log, carry on
            logging.getLogger("django.db.backends.base").exception("on_commit callback failed")

    monkeypatch.setattr(transaction, "on_commit", run_now)


@pytest.fixture(autouse=True)
def empty_page_cache() -> None:
    """Each test starts without pages rendered by an earlier one (primary keys repeat)."""
    from django.core.cache import cache

    cache.clear()
