from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from shoulian.privacy.tests.sample_models import Sample

# Fixed test keys: deterministic, never used anywhere else.
KEY_1 = base64.b64encode(bytes(range(16))).decode()
KEY_2 = base64.b64encode(bytes(range(16, 32))).decode()
INDEX_KEY = base64.b64encode(bytes(range(100, 132))).decode()


@pytest.fixture(autouse=True)
def pii_keys(settings: Any) -> Any:
    settings.PII_KEYS = f"t1:{KEY_1}"
    settings.PII_INDEX_KEY = INDEX_KEY
    settings.PII_CIPHER = "sm4-gcm"
    settings.PII_INDEX_HASH = "sm3"
    return settings


@pytest.fixture(scope="session")
def sample_table(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # Outside any test transaction: SQLite's schema editor refuses to run inside one.
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(Sample)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(Sample)
