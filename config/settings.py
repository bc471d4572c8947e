"""The one settings module. Everything that differs between machines comes from the environment.

Variables (all optional on a developer machine):
    SHOULIAN_SECRET_KEY      required when SHOULIAN_DEBUG is off
    SHOULIAN_DEBUG           "1" for development pages with tracebacks
    SHOULIAN_DEMO_MODE       "1" lets the demo bureau exist and waives TOTP for it only
    SHOULIAN_ALLOWED_HOSTS   comma-separated
    DATABASE_URL             postgres://... ; SQLite under var/ when unset
    REDIS_URL                redis://... ; Huey uses SQLite storage when unset
    SHOULIAN_PASSWORD_PROFILE  "mlps" (default) or "cjis"
    SHOULIAN_IDLE_TIMEOUT_MINUTES  idle session timeout, at most 30 (default 15)
    SHOULIAN_PII_KEYS        "id:base64key,..." encryption keys for personal data (first encrypts)
    SHOULIAN_PII_INDEX_KEY   base64 key (>= 32 bytes) of the keyed-hash search index
    SHOULIAN_PII_CIPHER      "sm4-gcm" (default) or "aes-256-gcm"
    SHOULIAN_AUDIT_SIGNING_KEY_FILE  Ed25519 key that signs journal checkpoints (docs/audit.md)
    SHOULIAN_AUDIT_HASH_KEY  key of the journal's keyed hashes of personal data (set in production)
    SHOULIAN_PUBLIC_BASE_URL address citizens use for the progress query (QR code on receipts)
    SHOULIAN_SMS_GATEWAY     "console" (default: JSON lines in var/sms-outbox.jsonl) or "http"
    SHOULIAN_SMS_URL         the HTTP gateway's send endpoint (https://...)
    SHOULIAN_SMS_KEY         the HTTP gateway's app key (sent in X-Sms-Key)
    SHOULIAN_SMS_SECRET      the HTTP gateway's secret (HMAC-SHA256 request signature)
    SHOULIAN_SMS_SIGN_NAME   the registered SMS signature sent to the gateway (default: the bureau's name)
    SHOULIAN_SMS_TIMEOUT_SECONDS  HTTP timeout per send (default 10)
    SHOULIAN_SMS_MAX_ATTEMPTS     attempts after which an unsent SMS raises the alert (default 8)
    SHOULIAN_SMS_BACKOFF_SECONDS  first retry delay, doubled per attempt with jitter (default 30)
    SHOULIAN_SMS_BACKOFF_MAX_SECONDS  longest retry delay (default 3600)
    SHOULIAN_SMS_LEASE_SECONDS    a worker's claim on a message; must exceed the timeout (default 120)
    SHOULIAN_SMS_MAX_AGE_HOURS    a message not sent within this age is expired (default 72)
    SHOULIAN_SMS_SWEEP_MAX_SECONDS  longest a sweep keeps sending full batches (default 50)
    SHOULIAN_SMS_ALERT_AGE_SECONDS  outbox alert when the oldest unsent SMS is older (default 300)
    SHOULIAN_SMS_ALERT_FAILED_SWEEPS  outbox alert after this many failed sweeps in a row (default 3)
    SHOULIAN_SMS_RETENTION_DAYS   sent and expired SMS older than this lose mobile and text (default 180)
    SHOULIAN_HEALTH_SEALER_SECONDS / _OUTBOX_SECONDS / _QUEUE_SECONDS / _DATABASE_SECONDS
                                  /healthz and `manage.py health` fail above these (120/600/120/5)
    SHOULIAN_FOLLOW_UP_DAYS       days the center has for the follow-up call of a closed alert (7)
    SHOULIAN_FOLLOW_UP_MAX_ATTEMPTS  unanswered calls after which a follow-up closes (default 3)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOULIAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


DEBUG = env_bool("SHOULIAN_DEBUG")
DEMO_MODE = env_bool("SHOULIAN_DEMO_MODE")

SECRET_KEY = os.environ.get("SHOULIAN_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE):
        raise ImproperlyConfigured("SHOULIAN_SECRET_KEY must be set outside debug and demo mode")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SHOULIAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django's widget templates, found through TEMPLATES by the form renderer below.
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "huey.contrib.djhuey",
    "shoulian.core",
    "shoulian.audit",
    "shoulian.org",
    "shoulian.accounts",
    "shoulian.privacy",
    "shoulian.intake",
    "shoulian.deadlines",
    "shoulian.workflow",
    "shoulian.notify",
    "shoulian.feedback",
    "shoulian.supervision",
    "shoulian.review",
    "shoulian.assessment",
    "shoulian.bulletins",
    "shoulian.citizen",
    "shoulian.assistant",
    "shoulian.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shoulian.core.middleware.RequestContextMiddleware",
    "shoulian.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shoulian.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "shoulian.accounts.middleware.SessionOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shoulian.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shoulian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shoulian.core.context_processors.shoulian",
            ],
        },
    },
]

# One field template for every form (``includes/field.html``, ``{{ field.as_field_group }}``).
FORM_RENDERER = "shoulian.core.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # an unwritable var dir: opening the database says so, not the settings
    DATABASES = {
        "default": {
            # Django's SQLite backend, with writers queued on a lock file (shoulian/core/db).
            "ENGINE": "shoulian.core.db",
            "NAME": os.environ.get("SHOULIAN_SQLITE_PATH", str(VAR_DIR / "shoulian.sqlite3")),
            # Keep each thread's connection between requests: opening one runs the pragmas below
            # every time, about a millisecond of every page.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # BEGIN IMMEDIATE takes the write lock at the start of every transaction, so two
                # writers never both read and then fail to upgrade (SQLITE_BUSY mid-transaction).
                "transaction_mode": "IMMEDIATE",
                # Seconds a writer waits for the lock before raising "database is locked".
                "timeout": 20,
                "init_command": (
                    # WAL lets readers proceed while one writer commits.
                    "PRAGMA journal_mode=WAL;"
                    # In WAL mode NORMAL is durable against application crashes (kill -9); only
                    # an OS crash can lose the last commits. FULL is used when SHOULIAN_SQLITE_FULL_SYNC=1.
                    f"PRAGMA synchronous={'FULL' if env_bool('SHOULIAN_SQLITE_FULL_SYNC') else 'NORMAL'};"
                    # Same as "timeout", set in milliseconds for connections opened by SQLite itself.
                    "PRAGMA busy_timeout=20000;"
                    # Foreign keys are enforced by Django's backend already; kept explicit.
                    "PRAGMA foreign_keys=ON;"
                    # Keep temporary b-trees in memory; sorts for lists stay off the disk.
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work (Huey) -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",  # task priorities (Redis >= 5): seal_journal first
        "name": "shoulian",
        "url": REDIS_URL,
        "immediate": False,
        "utc": True,
    }
else:
    # Tables on first use (shoulian.core.queue): a read-only var dir must not stop web workers.
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # the worker reports it when it opens the queue; the web side still serves pages
    HUEY = {
        "huey_class": "shoulian.core.queue.LazySqliteHuey",
        "name": "shoulian",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "utc": True,
    }
HUEY["consumer"] = {"workers": 2, "worker_type": "thread", "periodic": True}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["shoulian.accounts.backends.StaffBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

PASSWORD_PROFILE = os.environ.get("SHOULIAN_PASSWORD_PROFILE", "mlps")
if PASSWORD_PROFILE not in {"mlps", "cjis"}:
    raise ImproperlyConfigured("SHOULIAN_PASSWORD_PROFILE must be 'mlps' or 'cjis'")
# The validator list is derived from the profile in shoulian.accounts.passwords; Django reads it here.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "shoulian.accounts.passwords.ProfileValidator"},
]

# A1: LOCKOUT_THRESHOLD wrong one-time codes inside LOCKOUT_WINDOW_MINUTES lock the account until an
# administrator unlocks it; wrong passwords throttle the (name, address) with a doubling delay
# instead (docs/security.md, "Login throttling"). ENROLMENT_CODE_HOURS: how long the one-time code
# for binding a second factor stays good (two-person rule).
LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW_MINUTES = 15
ENROLMENT_CODE_HOURS = env_int("SHOULIAN_ENROLMENT_CODE_HOURS", 72)
# A8: accounts with no login for this many days are disabled by the daily job.
DORMANT_ACCOUNT_DAYS = 90

# A5 session lifetime.
IDLE_TIMEOUT_MINUTES = env_int("SHOULIAN_IDLE_TIMEOUT_MINUTES", 15)
if not 1 <= IDLE_TIMEOUT_MINUTES <= 30:
    raise ImproperlyConfigured("SHOULIAN_IDLE_TIMEOUT_MINUTES must be between 1 and 30")
ABSOLUTE_SESSION_HOURS = 12
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = ABSOLUTE_SESSION_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = "受立案管理系统"

# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted.
TRUSTED_PROXY_COUNT = env_int("SHOULIAN_TRUSTED_PROXY_COUNT", 0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS: list[Any] = [BASE_DIR / "shoulian" / "static"]
if (BASE_DIR / "node_modules" / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG and env_bool("SHOULIAN_HTTPS", default=not DEMO_MODE):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SHOULIAN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a deployment decision, not ours

# --- Logging: no personal data, ids or secrets (U7) -----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "shoulian.core.logging.RequestIdFilter"},
        "redact": {"()": "shoulian.core.logging.RedactFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SHOULIAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # 403/404 are journalled as audit events; the log keeps only real errors.
        "django.request": {"level": "ERROR"},
        # run_huey adds its own unfiltered handler to a logger that has none (U7).
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Personal data at rest (P2, docs/privacy.md). In debug/demo mode keys derive from SECRET_KEY.
PII_KEYS = os.environ.get("SHOULIAN_PII_KEYS", "")
PII_INDEX_KEY = os.environ.get("SHOULIAN_PII_INDEX_KEY", "")
PII_CIPHER = os.environ.get("SHOULIAN_PII_CIPHER", "sm4-gcm")
PII_INDEX_HASH = os.environ.get("SHOULIAN_PII_INDEX_HASH", "sm3")

# Audit journal (docs/audit.md). The signing key is created by `manage.py audit_keygen`.
AUDIT_SIGNING_KEY_FILE = Path(
    os.environ.get("SHOULIAN_AUDIT_SIGNING_KEY_FILE", VAR_DIR / "audit" / "signing-key.pem")
)
AUDIT_LOG_ORIGIN = os.environ.get("SHOULIAN_AUDIT_LOG_ORIGIN", "shoulian.local/audit")
# Keyed hashes of personal data in journal bodies; falls back to SECRET_KEY when unset, so set it
# explicitly in production or rotating SECRET_KEY makes old and new hashes incomparable.
AUDIT_HASH_KEY = os.environ.get("SHOULIAN_AUDIT_HASH_KEY", "")
AUDIT_TRUSTED_PUBLIC_KEYS = [
    p for p in os.environ.get("SHOULIAN_AUDIT_TRUSTED_PUBLIC_KEYS", "").split(",") if p.strip()
]
AUDIT_RETENTION_DAYS = max(365, env_int("SHOULIAN_AUDIT_RETENTION_DAYS", 365))  # U6 floor

# Intake desk (docs/intake.md).
SHOULIAN_PUBLIC_BASE_URL = os.environ.get("SHOULIAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
SHOULIAN_PDF_FONT = os.environ.get("SHOULIAN_PDF_FONT", "")  # TrueType; default from node_modules
SHOULIAN_PDF_FONT_BOLD = os.environ.get("SHOULIAN_PDF_FONT_BOLD", "")
# Official documents (公文): Noto Serif SC from node_modules, 楷体 from Debian's fonts-arphic-ukai.
SHOULIAN_PDF_SERIF_FONT = os.environ.get("SHOULIAN_PDF_SERIF_FONT", "")
SHOULIAN_PDF_SERIF_FONT_BOLD = os.environ.get("SHOULIAN_PDF_SERIF_FONT_BOLD", "")
SHOULIAN_PDF_KAI_FONT = os.environ.get("SHOULIAN_PDF_KAI_FONT", "")
SHOULIAN_INTAKE_MAX_FILE_MB = env_int("SHOULIAN_INTAKE_MAX_FILE_MB", 200)
SHOULIAN_INTAKE_MAX_DOCUMENT_MB = env_int("SHOULIAN_INTAKE_MAX_DOCUMENT_MB", 30)
SHOULIAN_INTAKE_MAX_FILES = env_int("SHOULIAN_INTAKE_MAX_FILES", 20)

# SMS outbox (docs/notify.md).
SHOULIAN_SMS_GATEWAY = os.environ.get("SHOULIAN_SMS_GATEWAY", "console")
if SHOULIAN_SMS_GATEWAY not in {"console", "http"}:
    raise ImproperlyConfigured("SHOULIAN_SMS_GATEWAY must be 'console' or 'http'")
SHOULIAN_SMS_URL = os.environ.get("SHOULIAN_SMS_URL", "")
SHOULIAN_SMS_KEY = os.environ.get("SHOULIAN_SMS_KEY", "")
SHOULIAN_SMS_SECRET = os.environ.get("SHOULIAN_SMS_SECRET", "")
SHOULIAN_SMS_SIGN_NAME = os.environ.get("SHOULIAN_SMS_SIGN_NAME", "")
SHOULIAN_SMS_OUTBOX_FILE = str(VAR_DIR / "sms-outbox.jsonl")
SHOULIAN_SMS_TIMEOUT_SECONDS = float(os.environ.get("SHOULIAN_SMS_TIMEOUT_SECONDS", "10"))
SHOULIAN_SMS_MAX_ATTEMPTS = env_int("SHOULIAN_SMS_MAX_ATTEMPTS", 8)
SHOULIAN_SMS_BACKOFF_SECONDS = float(os.environ.get("SHOULIAN_SMS_BACKOFF_SECONDS", "30"))
SHOULIAN_SMS_BACKOFF_MAX_SECONDS = float(os.environ.get("SHOULIAN_SMS_BACKOFF_MAX_SECONDS", "3600"))
SHOULIAN_SMS_LEASE_SECONDS = float(os.environ.get("SHOULIAN_SMS_LEASE_SECONDS", "120"))
SHOULIAN_SMS_MAX_AGE_HOURS = env_int("SHOULIAN_SMS_MAX_AGE_HOURS", 72)
# The outbox's sweeps and operator alert, and the health probes' thresholds (issue 13 §4–5).
SHOULIAN_SMS_SWEEP_MAX_SECONDS = float(os.environ.get("SHOULIAN_SMS_SWEEP_MAX_SECONDS", "50"))
SHOULIAN_SMS_ALERT_AGE_SECONDS = float(os.environ.get("SHOULIAN_SMS_ALERT_AGE_SECONDS", "300"))
SHOULIAN_SMS_ALERT_FAILED_SWEEPS = env_int("SHOULIAN_SMS_ALERT_FAILED_SWEEPS", 3)
# Retention (docs/notify.md): at least a week, so a 复议 reminder is never cleared before its
# delivery can be looked into.
SHOULIAN_SMS_RETENTION_DAYS = max(7, env_int("SHOULIAN_SMS_RETENTION_DAYS", 180))
SHOULIAN_HEALTH_SEALER_SECONDS = float(os.environ.get("SHOULIAN_HEALTH_SEALER_SECONDS", "120"))
SHOULIAN_HEALTH_OUTBOX_SECONDS = float(os.environ.get("SHOULIAN_HEALTH_OUTBOX_SECONDS", "600"))
SHOULIAN_HEALTH_QUEUE_SECONDS = float(os.environ.get("SHOULIAN_HEALTH_QUEUE_SECONDS", "120"))
SHOULIAN_HEALTH_DATABASE_SECONDS = float(os.environ.get("SHOULIAN_HEALTH_DATABASE_SECONDS", "5"))

# Follow-up visits (docs/feedback.md).
SHOULIAN_FOLLOW_UP_DAYS = env_int("SHOULIAN_FOLLOW_UP_DAYS", 7)
SHOULIAN_FOLLOW_UP_MAX_ATTEMPTS = env_int("SHOULIAN_FOLLOW_UP_MAX_ATTEMPTS", 3)

SHOULIAN_PRODUCT_NAME = _("受立案管理系统")
