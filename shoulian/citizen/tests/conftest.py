from __future__ import annotations

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
def empty_page_cache() -> None:
    """Each test starts without pages rendered by an earlier one (primary keys repeat)."""
    from django.core.cache import cache

    cache.clear()
