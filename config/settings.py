"""Settings for the support desk, read from the environment (see docs/operations.md)."""

from __future__ import annotations

import re
import secrets
import warnings
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helpdesk.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HELPDESK_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
# In production a missing SECRET_KEY is an error; elsewhere one is generated once.
PRODUCTION = env_bool("HELPDESK_PRODUCTION", False)
# A demo desk (`rundesk` prints the demo login); DEBUG implies it, production never.
HELPDESK_DEMO = env_bool("HELPDESK_DEMO", False)
# The demo's local SMTP sink (config/mail_sink.py), on loopback, in dev and demo mode only.
HELPDESK_MAIL_SINK_PORT = env_int("HELPDESK_MAIL_SINK_PORT", 8025, minimum=1)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is required in production (set SECRET_KEY or SECRET_KEY_FILE)"
        )
    # Development: the run command writes var/secret_key.txt once, so sessions survive
    # restarts. Importing settings never writes a file (mypy, tests and tools import
    # it); without the file, this process gets a throwaway key.
    path = VAR_DIR / "secret_key.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return secrets.token_urlsafe(50)


# Keys copied from tutorials, generated project templates and this repository's docs.
_KNOWN_SECRET_KEYS = {
    "changeme",
    "change-me",
    "secret",
    "your-secret-key",
    "your-secret-key-here",
    "replace-me",
    "dev-secret-from-run",
}


def _check_production_secret(key: str) -> None:
    """Refuse a short or well-known SECRET_KEY when HELPDESK_PRODUCTION=1."""
    lowered = key.strip().lower()
    if lowered.startswith("django-insecure") or lowered in _KNOWN_SECRET_KEYS:
        raise ImproperlyConfigured(
            "SECRET_KEY is a well-known example value; generate a new one for production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    if len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY is too short or too simple for production: use at least 50 random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )


SECRET_KEY = _secret_key()
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured(
            "DEBUG=1 is refused with HELPDESK_PRODUCTION=1: debug pages show settings and code"
        )
    _check_production_secret(SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000") or ""

# The reports' covering indexes (INCLUDE columns) serve PostgreSQL's index-only scans;
# SQLite builds them as plain indexes, which is all it needs, so its warning about the
# ignored columns would only be noise on every embedded start.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "config.third_party_apps.AxesConfig",
    "channels",
    "django_htmx",
    # Serves Swagger UI's files for /api/v1/docs from /static/ninja/ (no CDN under the CSP).
    "ninja",
    "helpdesk",
    "helpdesk.sla",
    "helpdesk.followups",
    "helpdesk.macros",
    "helpdesk.outbound_webhooks",
    "helpdesk.surveys",
    "helpdesk.notifications",
    "helpdesk.reports",
    # After helpdesk, whose `db_worker` command (a loop that survives a lost database
    # connection) replaces this app's own.
    "config.third_party_apps.TasksConfig",
    "config",
    "agents",
    "channels_in",
    "channels_in.email",
    "channels_in.webchat",
    "channels_in.telegram",
    "channels_in.phone",
    "channels_in.webform",
    "channels_in.bale",
    "channels_in.whatsapp",
    "channels_in.sms",
    "channels_in.portal",
    "knowledge_base",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ (collected into STATIC_ROOT) from every web process, with
    # far-future caching and compression, so production needs no proxy rule for it.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # POSTs of the JSON API with an Idempotency-Key run once (docs/api.md).
    "helpdesk.api.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "agents.middleware.AgentTimezoneMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its refusal page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "config.dev_views.dev_tools",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": (
        parse_database_url(_database_url, base_dir=BASE_DIR)
        if _database_url
        else sqlite_database(VAR_DIR / "helpdesk.sqlite3")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", False
):
    # psycopg 3 binds parameters on the server and prepares a statement run twice
    # on a connection. Off by default: measured for per-message ingest (issue 22,
    # docs/BENCHMARKS.md), and server-side binding changes how every query binds.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],  # type: ignore[dict-item]
        "server_side_binding": True,
        "prepare_threshold": 2,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- channel layer and cache ----------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# The pub/sub layer is cheaper per message and never drops silently; helpdesk.fanout's
# subclass of it ("fanout") also writes a group frame to the local sockets without
# waking one consumer task each (bench/fanout.py). "pubsub" is channels-redis' own,
# "core" its list-based layer (twice the CPU, and out of Redis connections at scale).
_CHANNEL_LAYER_BACKENDS = {
    "fanout": "helpdesk.fanout.FanoutPubSubChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
_channel_layer = env_str("CHANNEL_LAYER_BACKEND", "fanout") or "fanout"
if _channel_layer not in _CHANNEL_LAYER_BACKENDS:
    raise ImproperlyConfigured(
        f"CHANNEL_LAYER_BACKEND={_channel_layer!r}: use one of {', '.join(_CHANNEL_LAYER_BACKENDS)}"
    )
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": _CHANNEL_LAYER_BACKENDS[_channel_layer],
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env_str("CHANNEL_LAYER_PREFIX", "helpdesk") or "helpdesk",
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CHANNEL_LAYER_PREFIX", "helpdesk") or "helpdesk",
        }
    }
else:
    # Channels' in-process layer, with helpdesk.fanout's frame writers (one process only).
    CHANNEL_LAYERS = {"default": {"BACKEND": "helpdesk.fanout_memory.FanoutMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- tasks ----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before any password
# is checked (docs/security.md). It watches every login form (the inbox's and the admin's).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("HELPDESK_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = env_int("HELPDESK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HELPDESK_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# Either one locks: N failures for one account (from anywhere), or N from one address
# (for any account). The address is REMOTE_ADDR: behind a proxy the ASGI server
# rewrites it from X-Forwarded-For (uvicorn --forwarded-allow-ips), never the client.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "agents/locked_out.html"
AXES_VERBOSE = False
# Attempts are stored with the address and user agent, never the password.
AXES_SENSITIVE_PARAMETERS = ["password"]

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# --- i18n and time --------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en") or "en"
LANGUAGES = [("en", _("English")), ("fa", _("Persian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored in UTC; each agent sees their own zone
DISPLAY_TIME_ZONE = env_str("DISPLAY_TIME_ZONE", "Asia/Tehran") or "Asia/Tehran"

# --- static and media -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")) or VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Development and tests serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
# Until `collectstatic` ran (development, tests) STATIC_ROOT does not exist yet.
warnings.filterwarnings("ignore", message="No directory at")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")

# --- security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy (docs/operations.md): redirect plain HTTP, send HSTS,
# and trust the proxy's X-Forwarded-Proto only when told to (a client could forge it).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'", "ws:", "wss:"],
    "frame-ancestors": ["'none'"],
}

# --- the desk -------------------------------------------------------------------
HELPDESK_ATTACHMENT_MAX_BYTES = env_int(
    "HELPDESK_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024, minimum=1
)
# JSON bodies carry attachments as base64 (4/3 of their size) plus the text.
DATA_UPLOAD_MAX_MEMORY_SIZE = HELPDESK_ATTACHMENT_MAX_BYTES * 4 // 3 + 1024 * 1024
HELPDESK_REOPEN_WINDOW_DAYS = env_int("HELPDESK_REOPEN_WINDOW_DAYS", 7, minimum=0)
# How long a survey link accepts (and lets the customer change) an answer (docs/surveys.md).
HELPDESK_SURVEY_LINK_DAYS = env_int("HELPDESK_SURVEY_LINK_DAYS", 7, minimum=1)
# A running SLA target this close to its due time is "due soon" (warned, listed; docs/sla.md).
HELPDESK_SLA_DUE_SOON_MINUTES = env_int("HELPDESK_SLA_DUE_SOON_MINUTES", 30, minimum=1)
# Channels agents may start a conversation on (docs/tasks.md), and when a missed
# call's call-back task is due.
HELPDESK_OUTBOUND_CHANNELS = ("email", "telegram")
HELPDESK_CALLBACK_DUE_MINUTES = env_int("HELPDESK_CALLBACK_DUE_MINUTES", 30, minimum=0)
HELPDESK_DELIVERY_MAX_ATTEMPTS = env_int("HELPDESK_DELIVERY_MAX_ATTEMPTS", 6, minimum=1)
HELPDESK_DELIVERY_BACKOFF_SECONDS = env_int("HELPDESK_DELIVERY_BACKOFF_SECONDS", 30, minimum=0)
# Notification mail during working hours waits this long to gather a burst into
# one mail (docs/notifications.md); outside working hours it waits for them.
HELPDESK_NOTIFICATION_MAIL_DELAY_SECONDS = env_int(
    "HELPDESK_NOTIFICATION_MAIL_DELAY_SECONDS", 60, minimum=0
)
# Outbound webhooks (docs/webhooks.md). Targets resolving to loopback, private,
# link-local or metadata addresses are refused unless named here (host names, addresses
# or networks in CIDR form, comma-separated).
HELPDESK_WEBHOOK_ALLOWED_HOSTS = env_list("HELPDESK_WEBHOOK_ALLOWED_HOSTS", [])
HELPDESK_WEBHOOK_BACKOFF_SECONDS = env_int("HELPDESK_WEBHOOK_BACKOFF_SECONDS", 10, minimum=0)
HELPDESK_WEBHOOK_RETRY_HOURS = env_int("HELPDESK_WEBHOOK_RETRY_HOURS", 24, minimum=0)
HELPDESK_WEBHOOK_DISABLE_AFTER = env_int("HELPDESK_WEBHOOK_DISABLE_AFTER", 10, minimum=1)
HELPDESK_WEBHOOK_LOG_DAYS = env_int("HELPDESK_WEBHOOK_LOG_DAYS", 30, minimum=1)
HELPDESK_WEBHOOK_SECRET_GRACE_HOURS = env_int("HELPDESK_WEBHOOK_SECRET_GRACE_HOURS", 24, minimum=0)


def _secrets_key() -> str:
    """The key channel secrets are encrypted with (helpdesk/crypto.py).

    Production requires its own key: rotating SECRET_KEY (sessions) must not make
    every stored mailbox password and bot token unreadable, nor the reverse.
    """
    key = env_str("HELPDESK_SECRETS_KEY")
    if key:
        if PRODUCTION and len(key) < 32:
            raise ImproperlyConfigured("HELPDESK_SECRETS_KEY must be at least 32 characters")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "HELPDESK_SECRETS_KEY is required in production (set HELPDESK_SECRETS_KEY or "
            "HELPDESK_SECRETS_KEY_FILE); it encrypts mailbox passwords and bot tokens"
        )
    return SECRET_KEY


HELPDESK_SECRETS_KEY = _secrets_key()


def _env_rate(name: str, default: str) -> str:
    """A rate such as "600/m" ("<count>/<s|m|h|d>"); empty turns the limit off."""
    raw = (env_str(name, default) or "").strip().lower()
    if raw and not re.fullmatch(r"[1-9][0-9]*/(s|m|h|d|sec|min|hour|day)", raw):
        raise ImproperlyConfigured(f"{name} must look like 600/m (count/s, m, h or d), got {raw!r}")
    return raw


HELPDESK_API_PAGE_MAX = env_int("HELPDESK_API_PAGE_MAX", 100, minimum=1)
# A weekly summary mailed to each team's leads (docs/reports.md); off unless asked for.
HELPDESK_REPORTS_WEEKLY_MAIL = env_bool("HELPDESK_REPORTS_WEEKLY_MAIL", False)
# JSON API rate limits ("<requests>/<s|m|h|d>", empty turns one off; docs/security.md):
# per token, and per client address over every request (failed ones too).
HELPDESK_API_RATE_PER_TOKEN = _env_rate("HELPDESK_API_RATE_PER_TOKEN", "600/m")
HELPDESK_API_RATE_PER_IP = _env_rate("HELPDESK_API_RATE_PER_IP", "1200/m")
# django-ninja's throttles identify the client by REMOTE_ADDR only: X-Forwarded-For
# from a client is not trusted (the ASGI server rewrites REMOTE_ADDR behind a proxy).
NINJA_NUM_PROXIES = 0
# Live-chat flood limits per client address and per inbox, per window (docs/webchat.md);
# 0 turns one off. The per-conversation message limit is each inbox's own setting.
HELPDESK_WEBCHAT_LIMIT_WINDOW_SECONDS = env_int(
    "HELPDESK_WEBCHAT_LIMIT_WINDOW_SECONDS", 3600, minimum=1
)
HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_IP = env_int(
    "HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_IP", 20, minimum=0
)
HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_INBOX = env_int(
    "HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_INBOX", 500, minimum=0
)
HELPDESK_WEBCHAT_UPLOADS_PER_IP = env_int("HELPDESK_WEBCHAT_UPLOADS_PER_IP", 60, minimum=0)
HELPDESK_WEBCHAT_UPLOADS_PER_INBOX = env_int("HELPDESK_WEBCHAT_UPLOADS_PER_INBOX", 1000, minimum=0)
# The Bot API root (a local telegram-bot-api server, or the tests' fake one).
TELEGRAM_API_URL = env_str("TELEGRAM_API_URL", "https://api.telegram.org") or ""

# Paths whose next segment is a secret (the CTI token, the widget's signed file links):
# helpdesk.log_redaction replaces it, and any bearer token, in every log line.
HELPDESK_LOG_REDACT_PATHS = ["/api/v1/cti/", "/chat/files/"]
_REDACT = ["redact_secrets"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "helpdesk.log_redaction.RedactSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": _REDACT}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO") or "INFO"},
    "loggers": {
        # Also on the loggers that write request paths and headers, so every handler
        # (an error mailer, a test's capture) gets the redacted line.
        "django": {"filters": _REDACT},
        "django.request": {"filters": _REDACT},
        "django.server": {"filters": _REDACT},
        "daphne": {"filters": _REDACT},
        "uvicorn.access": {"filters": _REDACT},
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request URL at INFO, and a Bot API URL contains the bot token.
        "httpx": {"level": "WARNING"},
    },
}
