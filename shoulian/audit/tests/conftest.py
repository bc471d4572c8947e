"""Fixtures for the journal's tests: a throwaway signing key and a way to act as a rogue DBA."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from shoulian.audit import signing, triggers


@pytest.fixture
def signing_key(settings: Any, tmp_path: Path) -> Ed25519PrivateKey:
    """Each test signs with its own key; the production key is never touched."""
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "signing-key.pem")
    settings.AUDIT_TRUSTED_PUBLIC_KEYS = []
    return signing.generate_key()


@contextlib.contextmanager
def as_dba() -> Iterator[Any]:
    """What a database administrator can do: drop the append-only triggers, write raw SQL, put the
    triggers back. Inside a test transaction the DDL is rolled back with everything else."""
    editor = SimpleNamespace(connection=connection)
    triggers.uninstall(None, editor)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        triggers.install(None, editor)
        triggers.install_insert_guard(None, editor)


@pytest.fixture
def dba() -> Any:
    return as_dba


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-only behaviour"
)
