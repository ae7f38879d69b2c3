"""Wrekin settings: one module, driven by environment variables.

Development (the default) runs on an embedded SQLite database with no set-up.
`WREKIN_ENV=production` switches on every production protection and refuses to
start without a secret key and allowed hosts from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WREKIN_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("WREKIN_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("WREKIN_ENV must be 'development' or 'production'")


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


if PRODUCTION:
    try:
        SECRET_KEY = os.environ["WREKIN_SECRET_KEY"]
        ALLOWED_HOSTS = _env_list("WREKIN_ALLOWED_HOSTS")
    except KeyError as missing:
        raise ImproperlyConfigured(f"{missing} must be set when WREKIN_ENV=production") from None
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("WREKIN_ALLOWED_HOSTS must be set when WREKIN_ENV=production")
    DEBUG = False
else:
    # A fixed development key: development data is synthetic and never leaves the machine.
    SECRET_KEY = os.environ.get("WREKIN_SECRET_KEY", "development-only-key-not-for-production-use-0123456789")
    ALLOWED_HOSTS = _env_list("WREKIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    DEBUG = os.environ.get("WREKIN_DEBUG", "1") == "1"

CSRF_TRUSTED_ORIGINS = _env_list("WREKIN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "wrekin.core",
    "wrekin.accounts",
    "wrekin.audit",
    "wrekin.access",
    "wrekin.people",
    "wrekin.referrals",
    "wrekin.casework",
    "wrekin.missing",
    "wrekin.mace",
    "wrekin.intelligence",
    "wrekin.linkage",
    "wrekin.api",
    "wrekin.synthetic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wrekin.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wrekin.accounts.middleware.SessionLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "wrekin.accounts.middleware.MfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wrekin.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wrekin.urls"
WSGI_APPLICATION = "wrekin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "wrekin.core.context_processors.service",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default; DATABASE_URL selects PostgreSQL (or another SQLite file).
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wrekin.sqlite3'}"),
        conn_max_age=int(os.environ.get("WREKIN_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers continue while a writer commits; FULL makes each commit durable.
        # IMMEDIATE takes the write lock at BEGIN, so audited reads never deadlock on upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if os.environ.get("WREKIN_TEST_DATABASE_NAME"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["WREKIN_TEST_DATABASE_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication -------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "wrekin.accounts.backends.MembershipModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# MFA is required for every account. WREKIN_MFA=off exists only for local development
# demonstrations and is refused in production.
MFA_REQUIRED = os.environ.get("WREKIN_MFA", "on") != "off"
if PRODUCTION and not MFA_REQUIRED:
    raise ImproperlyConfigured("WREKIN_MFA=off is not allowed in production")
OTP_TOTP_ISSUER = os.environ.get("WREKIN_SERVICE_NAME", "Wrekin")
# After n wrong codes in a row the next attempt must wait 2**(n-1) seconds (django-otp's throttle).
OTP_TOTP_THROTTLE_FACTOR = 1
# A new account enrols its second factor only through a one-time set-up link, valid this long.
WREKIN_SETUP_LINK_HOURS = float(os.environ.get("WREKIN_SETUP_LINK_HOURS", "72"))
if not 0 < WREKIN_SETUP_LINK_HOURS <= 24 * 30:
    raise ImproperlyConfigured("WREKIN_SETUP_LINK_HOURS must be more than 0 and at most 720 (30 days)")
# The service's address as people reach it, for links printed by commands (set-up links).
WREKIN_BASE_URL = os.environ.get("WREKIN_BASE_URL", "").rstrip("/")

# Lockouts are timed, never permanent: a locked-out social worker must be able to work again.
AXES_FAILURE_LIMIT = int(os.environ.get("WREKIN_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("WREKIN_LOCKOUT_HOURS", "0.25"))
if not 0 < AXES_COOLOFF_TIME <= 24:
    raise ImproperlyConfigured("WREKIN_LOCKOUT_HOURS must be more than 0 and at most 24")
# The pair, not either alone: by username alone anyone could lock a social worker out from anywhere;
# by address alone one guesser would lock out a whole office behind the council's one outgoing address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind reverse proxies the connecting address is the proxy's. WREKIN_TRUSTED_PROXY_COUNT says how many
# proxies in front of Wrekin append to X-Forwarded-For; the client is the entry the outermost one added.
# Default 0: no proxy, REMOTE_ADDR, and the header (which anyone can send) is ignored.
WREKIN_TRUSTED_PROXY_COUNT = int(os.environ.get("WREKIN_TRUSTED_PROXY_COUNT", "0"))
if not 0 <= WREKIN_TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured("WREKIN_TRUSTED_PROXY_COUNT must be between 0 and 5")
AXES_CLIENT_IP_CALLABLE = "wrekin.accounts.client_address.client_ip_address"
AXES_RESET_ON_SUCCESS = True
# Trying again while paused does not restart the clock: the pause ends when the page says it will.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions end after 15 idle minutes; the absolute 12-hour limit is enforced by middleware.
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("WREKIN_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-wrekin-session"
    CSRF_COOKIE_NAME = "__Host-wrekin-csrf"

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("WREKIN_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Outside production, serve straight from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Logging: no personal data ----------------------------------------------
# Logs carry request ids and event types, never names or narratives; the audit
# trail in the database is the place for who-saw-what.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WREKIN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs the full URL of 4xx/5xx requests; our URLs carry ids, not names, but
        # keep request logging at WARNING so query strings from searches are never written.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # axes logs every sign-in at INFO; the audit trail already records them.
        "axes": {"level": "WARNING"},
    },
}

# --- Background work ----------------------------------------------------------
# Imports of agency extracts run outside requests as django-tasks tasks. By default they are queued in the
# database (django-tasks-db) and run by the worker, `wrekin db_worker`, which must be running alongside the web
# server (`make demo` starts one). WREKIN_TASKS_BACKEND=immediate runs each task in the web process straight after
# the request that queued it commits: no worker, but the request waits for the whole import.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
WREKIN_TASKS_BACKEND = os.environ.get("WREKIN_TASKS_BACKEND", "database")
if WREKIN_TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"WREKIN_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[WREKIN_TASKS_BACKEND]}}

# --- Wrekin -------------------------------------------------------------------
WREKIN_SERVICE_NAME = os.environ.get("WREKIN_SERVICE_NAME", "Wrekin")
WREKIN_PARTNERSHIP_CODE = os.environ.get("WREKIN_PARTNERSHIP_CODE", "")
