"""Django settings, read from the environment (and an optional .env file).

Every variable is documented in .env.example and the README's configuration table;
`sixdegrees/ops/tests/test_settings_docs.py` fails when one is missing there.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from sixdegrees.lib.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent

# An optional .env in the working directory; real environment variables win.
ENV_FILE = Path(os.environ.get("SIXDEGREES_ENV_FILE", ".env"))
_ENVIRON_BEFORE_DOTENV = frozenset(os.environ)
if ENV_FILE.is_file() and os.environ.get("SIXDEGREES_ENV") != "test":
    load_dotenv(ENV_FILE, override=False)
# Names (never values) the .env file supplied, so `sixdegrees secrets` can say where each came from.
ENV_FILE_VARIABLES = frozenset(os.environ) - _ENVIRON_BEFORE_DOTENV

SIXDEGREES_ENV = env_choice("SIXDEGREES_ENV", ("development", "production", "test"), "development")
PRODUCTION = SIXDEGREES_ENV == "production"

DATA_DIR = Path(env_str("SIXDEGREES_DATA_DIR", "data")).expanduser().resolve()
LOG_DIR = DATA_DIR / "logs"
OUTBOX_DIR = DATA_DIR / "outbox"
# Backups belong on another disk than the database when there is one (see `sixdegrees backup`).
BACKUP_DIR = Path(env_str("SIXDEGREES_BACKUP_DIR") or DATA_DIR / "backups").expanduser().resolve()
ARCHIVE_DIR = DATA_DIR / "archives"  # `sixdegrees db archive` and `db prune-orphans` write here
STATIC_ROOT = DATA_DIR / "static"
for _folder in (DATA_DIR, LOG_DIR, OUTBOX_DIR, BACKUP_DIR, STATIC_ROOT):
    _folder.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("SIXDEGREES_DEBUG", default=False)

_INSECURE_KEY_PREFIX = "django-insecure-"


def _secret_key() -> str:
    key = env_str("SIXDEGREES_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        return ""  # refused below with a clear message
    # Development: one random key per data dir, so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

_DEFAULT_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("SIXDEGREES_ALLOWED_HOSTS", [] if PRODUCTION else _DEFAULT_HOSTS)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

if PRODUCTION:
    _problems = []
    if DEBUG:
        _problems.append("SIXDEGREES_DEBUG must be off")
    if not SECRET_KEY:
        _problems.append("SIXDEGREES_SECRET_KEY must be set")
    elif SECRET_KEY.startswith(_INSECURE_KEY_PREFIX) or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        _problems.append("SIXDEGREES_SECRET_KEY must be a random value of at least 50 characters")
    if not ALLOWED_HOSTS:
        _problems.append("SIXDEGREES_ALLOWED_HOSTS must list the host names the service answers to")
    if not SITE_URL.startswith("https://"):
        _problems.append("SITE_URL must be an https:// address")
    if _problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(_problems) + ".")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "huey.contrib.djhuey",
    "ninja",
    "sixdegrees.accounts",
    "sixdegrees.campaigns",
    "sixdegrees.strategy",
    "sixdegrees.outreach",
    "sixdegrees.network",
    "sixdegrees.billing",
    "sixdegrees.ops",
    "sixdegrees.mail",
    "sixdegrees.web",
]

MIDDLEWARE = [
    "sixdegrees.ops.request_log.RequestLogMiddleware",
    # Before anything that can answer on its own (SSL redirect, WhiteNoise, CommonMiddleware).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sixdegrees.web.middleware.ContentSecurityPolicyMiddleware",
    # Refuses an oversized body (413) before any view works on it; its answer still gets the headers above.
    "sixdegrees.ops.hardening.BodySizeLimitMiddleware",
    # Writes wait seconds, not the worker's 30 s, for SQLite's lock; a locked database answers 503.
    "sixdegrees.ops.hardening.DatabaseBusyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Rate limit on every write, and CSRF on the JSON API too (before Django's CSRF check, so a
    # flood of forged posts is counted as well).
    "sixdegrees.ops.hardening.WriteGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sixdegrees.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sixdegrees.ops.audit.AdminActionLogMiddleware",
    "sixdegrees.ops.hardening.RetryAfterMiddleware",
]

ROOT_URLCONF = "sixdegrees.urls"
WSGI_APPLICATION = "sixdegrees.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite in the data dir by default, PostgreSQL (or any URL) when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
SQLITE_PATH = DATA_DIR / "sixdegrees.sqlite3"
SQLITE_OPTIONS = {
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so concurrent writers queue on busy_timeout instead of failing with "database is locked".
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,  # the worker and the CLI wait this long for the write lock
}
# Web requests wait only this long, then answer 503 with Retry-After (lib/dblock.py).
SQLITE_REQUEST_TIMEOUT = 3
DATABASE_BUSY_RETRY_AFTER = 5
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Backups: the worker takes one every hour (RPO < 1 h) and deletes those older than the keep days.
BACKUP_HOURLY = env_bool("SIXDEGREES_BACKUP_HOURLY", default=True)
BACKUP_KEEP_DAYS = env_int("SIXDEGREES_BACKUP_KEEP_DAYS", 30, minimum=1)

# --- Cache: Redis when configured; otherwise a file cache shared by the web and worker processes.
REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

# --- Background tasks: Huey on SQLite in the data dir, or on Redis.
HUEY_WORKERS = env_int("SIXDEGREES_WORKERS", 2, minimum=1, maximum=64)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "sixdegrees",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "sixdegrees",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": False,
        # SQLite cannot block on an empty queue, so each idle thread polls it. Huey's own backoff
        # (to the worker's 1 s cap) left a new intake waiting ~0.5 s for its plan; a poll is one
        # indexed read (~20 µs), so polling every 10–25 ms costs a fraction of a percent of a core.
        "consumer": {
            "workers": HUEY_WORKERS,
            "worker_type": "thread",
            "initial_delay": 0.01,
            "backoff": 1.15,
            "max_delay": 0.025,
        },
    }
# The worker writes a heartbeat this often; health calls the worker dead past WORKER_STALE_SECONDS.
WORKER_HEARTBEAT_SECONDS = 15
WORKER_STALE_SECONDS = 60

# --- Strategy (the planner that turns an intake into paths and drafts).
ANTHROPIC_API_KEY = env_str("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = env_str("ANTHROPIC_BASE_URL")  # empty = Anthropic's own endpoint
# A drafting call writes every hop at once (Chinese drafts are long); 60 s leaves it room.
ANTHROPIC_TIMEOUT_SECONDS = env_int("ANTHROPIC_TIMEOUT_SECONDS", 60, minimum=1, maximum=600)
ANTHROPIC_MAX_RETRIES = env_int("ANTHROPIC_MAX_RETRIES", 3, minimum=0, maximum=10)
STRATEGY_PLANNER = env_choice("STRATEGY_PLANNER", ("auto", "offline", "anthropic"), "auto")
STRATEGY_MODEL = env_str("STRATEGY_MODEL", "claude-sonnet-4-6")
# A plan still `processing` this long after it started is re-run by the watchdog (at most 3 times).
PLAN_DEADLINE_SECONDS = env_int("SIXDEGREES_PLAN_DEADLINE_SECONDS", 300, minimum=30)
# A claimed plan's lease; the worker renews it every third of this while the planner runs, so a
# plan whose worker died is re-run by the watchdog (every PLAN_WATCHDOG_SECONDS) within a minute.
PLAN_LEASE_SECONDS = 45
PLAN_WATCHDOG_SECONDS = 10
PLAN_MAX_ATTEMPTS = 3

# --- Mail the service sends to people (sign-in codes, notices): sixdegrees/mail/service.py.
GMAIL_ADDRESS = env_str("GMAIL_ADDRESS")
GMAIL_APP_PASSWORD = env_str("GMAIL_APP_PASSWORD")
SMTP_HOST = env_str("SMTP_HOST", "smtp.gmail.com")
SMTP_PORT = env_int("SMTP_PORT", 587, minimum=1, maximum=65535)
SMTP_SECURITY = env_choice("SMTP_SECURITY", ("starttls", "ssl", "none"), "starttls")
DEFAULT_FROM_EMAIL = env_str("SIXDEGREES_FROM_EMAIL") or GMAIL_ADDRESS or "SixDegrees <no-reply@localhost>"
# How sixdegrees/mail/service.py hands them over: the SMTP server with a mailbox, else a file in
# the local outbox folder (the test settings keep them in memory).
SERVICE_MAIL_TRANSPORT = "smtp" if GMAIL_ADDRESS and GMAIL_APP_PASSWORD else "folder"

# --- Outreach sender (outreach/sender.py). The operator's default mailbox is GMAIL_ADDRESS on the
# SMTP_* server above; people connect their own mailboxes (outreach.Mailbox), used first.
SMTP_CAFILE = env_str("SMTP_CAFILE")  # extra CA bundle, e.g. for a self-hosted server
_GMAIL = SMTP_HOST == "smtp.gmail.com"
IMAP_HOST = env_str("IMAP_HOST", "imap.gmail.com" if _GMAIL else "")  # empty: no Sent-folder check
IMAP_PORT = env_int("IMAP_PORT", 993, minimum=1, maximum=65535)
IMAP_SECURITY = env_choice("IMAP_SECURITY", ("starttls", "ssl", "none"), "ssl")
IMAP_CAFILE = env_str("IMAP_CAFILE")
# Fernet keys for mailbox passwords at rest, comma-separated, the first encrypts. Development
# generates one into the data dir; production refuses to store a password without one.
ENCRYPTION_KEYS = env_list("SIXDEGREES_ENCRYPTION_KEYS")
# A claimed email not finished within this many seconds is taken back (its worker died).
OUTBOX_LEASE_SECONDS = env_int("SIXDEGREES_OUTBOX_LEASE_SECONDS", 300, minimum=1, maximum=3600)
# Defaults for each mailbox (each can have its own): messages per UTC day, seconds between messages.
OUTBOX_DAILY_CAP = env_int("SIXDEGREES_DAILY_CAP", 400, minimum=1)
OUTBOX_MIN_INTERVAL_SECONDS = env_int("SIXDEGREES_SEND_INTERVAL_SECONDS", 30, minimum=0, maximum=3600)
# Approval wakes the sender at once (the minute sweeper would find the email anyway). The test
# settings run tasks inline, inside the approving request, so there it is off by default.
OUTBOX_SEND_ON_APPROVE = env_bool("SIXDEGREES_SEND_ON_APPROVE", default=SIXDEGREES_ENV != "test")
OUTBOX_MAX_ATTEMPTS = 8  # transient failures before an email is marked failed
OUTBOX_RETRY_BASE_SECONDS = 60  # backoff: 1, 2, 4 … minutes (capped at an hour), with jitter
OUTBOX_SMTP_TIMEOUT = 30
# The chain (outreach/chain/): one follow-up after this many hours without a reply, and the
# next-best path offered this many days after the follow-up if still nobody answered.
OUTREACH_FOLLOW_UP_HOURS = 48
OUTREACH_NEXT_PATH_DAYS = 5

# --- Payments (billing/): Stripe Payment Links and a signed webhook. Without a webhook secret and
# links the plans are still shown, with purchases off and a note saying so.
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_LINK_STARTER = env_str("STRIPE_LINK_STARTER")
STRIPE_LINK_PRO = env_str("STRIPE_LINK_PRO")
# Price ids (price_…) of the two plans, so invoices and checkouts map to a plan without metadata.
STRIPE_PRICE_STARTER = env_str("STRIPE_PRICE_STARTER")
STRIPE_PRICE_PRO = env_str("STRIPE_PRICE_PRO")
# The plans (billing/plans.py reads them): campaigns_per_month None = unlimited.
BILLING_PLANS = [
    {"code": "free", "name": "Free", "price": "$0", "campaigns_per_month": 1, "api": False, "payment_link": ""},
    {
        "code": "starter",
        "name": "Starter",
        "price": env_str("SIXDEGREES_PRICE_LABEL_STARTER", "$19"),
        "campaigns_per_month": 10,
        "api": False,
        "payment_link": STRIPE_LINK_STARTER,
        "stripe_price": STRIPE_PRICE_STARTER,
    },
    {
        "code": "pro",
        "name": "Pro",
        "price": env_str("SIXDEGREES_PRICE_LABEL_PRO", "$49"),
        "campaigns_per_month": None,
        "api": True,
        "payment_link": STRIPE_LINK_PRO,
        "stripe_price": STRIPE_PRICE_PRO,
    },
]
BILLING_GUARANTEE_HOURS = 48  # no reply within this long after the first email: the credit goes back
BILLING_PRO_GRACE_HOURS = 72  # Pro stays unlimited this long past a period's end while Stripe retries
BILLING_UPGRADE_URL = "/dashboard?tab=credits"

# --- Rate limits on public endpoints ("count/period", period s, m, h or d).
RATE_LIMIT_INTAKE = env_str("SIXDEGREES_RATE_LIMIT_INTAKE", "20/h")
RATE_LIMIT_SIGNIN = env_str("SIXDEGREES_RATE_LIMIT_SIGNIN", "10/h")
RATE_LIMIT_SEND = env_str("SIXDEGREES_RATE_LIMIT_SEND", "60/h")
RATE_LIMIT_WEBHOOK = env_str("SIXDEGREES_RATE_LIMIT_WEBHOOK", "600/m")
# Sign-in codes emailed to one address, whatever asks (sign-in page or API, intake).
RATE_LIMIT_SIGNIN_CODES = env_str("SIXDEGREES_RATE_LIMIT_SIGNIN_CODES", "5/h")
# Password attempts at /admin/login/, per IP address and per username.
RATE_LIMIT_ADMIN_LOGIN = env_str("SIXDEGREES_RATE_LIMIT_ADMIN_LOGIN", "10/h")
# Every other state-changing request (any POST, PUT, PATCH, DELETE), per IP address and URL pattern.
RATE_LIMIT_WRITE = env_str("SIXDEGREES_RATE_LIMIT_WRITE", "60/m")
RATELIMIT_ENABLE = env_bool("SIXDEGREES_RATE_LIMITS", default=True)
# django-ratelimit's "ip" key is the same client address /metrics and the logs use.
RATELIMIT_IP_META_KEY = "sixdegrees.lib.client_ip.client_ip"
LOGIN_CODE_MINUTES = 15

# --- Auth, i18n, time
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files, shipped with the package and served by WhiteNoise.
STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = not PRODUCTION  # development serves straight from the package
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "sixdegrees.lib.static_storage.StaticStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Request limits and security headers (clean under `manage.py check --deploy` in production).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "sixdegrees.web.errors.csrf_failure"  # JSON for the API
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# CORS (django-cors-headers): the API answers only its own origin unless others are listed here,
# e.g. "https://app.example.com,https://partner.example.org". No cookies cross origins.
CORS_ALLOWED_ORIGINS = env_list("SIXDEGREES_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
# Behind a reverse proxy: the header it writes the caller's address into (e.g. X-Forwarded-For or
# X-Real-IP), believed only on requests from the proxies listed. Empty: the socket peer is the client.
TRUSTED_PROXY_HEADER = env_str("SIXDEGREES_TRUSTED_PROXY_HEADER")
if TRUSTED_PROXY_HEADER and not re.fullmatch(r"[A-Za-z0-9-]+", TRUSTED_PROXY_HEADER):
    raise ImproperlyConfigured(
        f"SIXDEGREES_TRUSTED_PROXY_HEADER must be a header name like X-Forwarded-For, not {TRUSTED_PROXY_HEADER!r}"
    )
TRUSTED_PROXIES = env_list("SIXDEGREES_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"SIXDEGREES_TRUSTED_PROXIES must list addresses or networks (10.0.0.0/8), not {_proxy!r}"
        ) from None
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SIXDEGREES_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SIXDEGREES_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]
    # /api/health answers plain HTTP so a load balancer can probe it behind TLS termination.
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]

# --- Metrics: /metrics in Prometheus text format, from this machine, or from anywhere with
# `Authorization: Bearer <SIXDEGREES_METRICS_TOKEN>`.
METRICS_TOKEN = env_str("SIXDEGREES_METRICS_TOKEN")
# prometheus-client's multiprocess mode: each web process writes its counters into files here and
# a scrape adds them up, so all gunicorn workers count. `sixdegrees serve` empties it at start.
# Set before prometheus_client is first imported (it reads the variable once, at import).
METRICS_DIR = DATA_DIR / "metrics"
METRICS_DIR.mkdir(exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)

# --- Logging: JSON lines to stdout and to a rotating file in the data dir, secrets redacted.
LOG_LEVEL = env_choice("SIXDEGREES_LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOG_FILE = LOG_DIR / "sixdegrees.log"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "sixdegrees.lib.logs.RedactSecretsFilter"},
        "context": {"()": "sixdegrees.lib.logs.RequestContextFilter"},
    },
    "formatters": {"json": {"()": "sixdegrees.lib.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["context", "redact"],
        },
        "file": {
            # Several processes share this file; RotatingFileHandler would lose lines there.
            "class": "sixdegrees.lib.logs.SharedRotatingFileHandler",
            "filename": str(LOG_FILE),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "encoding": "utf-8",
            "formatter": "json",
            "filters": ["context", "redact"],
        },
    },
    "root": {"handlers": ["stdout", "file"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log line replaces Django's own per-request lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "huey": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},
    },
}
