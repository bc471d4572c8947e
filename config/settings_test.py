"""Test settings: the production module with a throwaway database location and fast hashing."""

import os
import tempfile

os.environ.setdefault("SHOULIAN_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SHOULIAN_VAR_DIR", tempfile.mkdtemp(prefix="shoulian-test-"))
# pytest-xdist: each worker process gets a directory of its own under it (SQLite test database,
# media, static files, the console SMS gateway's file). Subprocesses of a worker inherit both
# variables and must land in the same directory, not one level deeper.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.path.basename(os.environ["SHOULIAN_VAR_DIR"].rstrip("/")) != _worker:
    os.environ["SHOULIAN_VAR_DIR"] = os.path.join(os.environ["SHOULIAN_VAR_DIR"], _worker)

from config.settings import *  # noqa: E402,F403
from config.settings import HUEY  # noqa: E402

# Real hashing is slow on purpose; tests create hundreds of accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
DEMO_MODE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing

# Live-server threads must not keep PostgreSQL connections open past a test (teardown drops the DB).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Fixed test keys for personal data (never used outside tests).
PII_KEYS = "test:AAECAwQFBgcICQoLDA0ODw=="
PII_INDEX_KEY = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM="

# Every test runs inside a transaction that is rolled back. A refusal journalled through
# PostgreSQL's second connection (audit.journal.record_surviving outside an entry point) would
# commit for real and leak into the next tests' counts; in tests it joins the test's transaction,
# as it always does on SQLite. Entry points (durable_atomic) keep their after-rollback write.
AUDIT_AUTONOMOUS_WRITES = False

# Browser (transactional) tests flush the database between tests, journal included.
AUDIT_ALLOW_FLUSH = True

# A file, not SQLite's in-memory database: concurrency tests (R6) need real locking and the busy
# timeout, which an in-memory database with its table-level shared cache does not give.
if not DATABASE_URL:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
