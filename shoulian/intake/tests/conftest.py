from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shoulian.intake import services


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Each test writes evidence into its own directory, so orphan checks see only its files."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def categories(db: Any) -> None:
    # Transactional tests flush the data migration's rows; the service puts them back.
    services.category_seed_standard()
