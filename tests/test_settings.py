"""Settings: production is locked down and refuses to start half-configured; development just works."""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections

from wrekin.core import checks

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "wrekin" / "settings.py"
WREKIN = Path(sys.executable).parent / "wrekin"


def _production_env(tmp_path, **overrides) -> dict[str, str]:
    # Neither Wrekin's own settings nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (set when they are
    # collected in the same run) belong in the environment of a production check.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("WREKIN_") and name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(WREKIN_ENV="production", WREKIN_SECRET_KEY=secrets.token_urlsafe(64),
               WREKIN_ALLOWED_HOSTS="wrekin.example.org", WREKIN_VAR_DIR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="wrekin.settings")
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Evaluate settings.py afresh under a given environment, without touching the live settings."""

    def _load(**env) -> dict:
        for name in list(os.environ):
            if name.startswith("WREKIN_") or name == "DATABASE_URL":
                monkeypatch.delenv(name)
        monkeypatch.setenv("WREKIN_VAR_DIR", str(tmp_path))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return _load


def _wrekin(args, env):
    # Our own command with fixed arguments.
    return subprocess.run([str(WREKIN), *args], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=120)


# --- Production -------------------------------------------------------------------------------

def test_production_passes_the_deployment_checks_with_no_warnings(tmp_path):
    result = _wrekin(["check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_the_deployment_checks_do_catch_a_weak_secret_key(tmp_path):
    result = _wrekin(["check", "--deploy", "--fail-level", "WARNING"],
                     _production_env(tmp_path, WREKIN_SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _wrekin(["check"], _production_env(tmp_path, WREKIN_SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "WREKIN_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("env, message", [
    ({"WREKIN_ALLOWED_HOSTS": "wrekin.example.org"}, "WREKIN_SECRET_KEY"),
    ({"WREKIN_SECRET_KEY": "x" * 60}, "WREKIN_ALLOWED_HOSTS"),
    ({"WREKIN_SECRET_KEY": "x" * 60, "WREKIN_ALLOWED_HOSTS": " , "}, "WREKIN_ALLOWED_HOSTS"),
    ({"WREKIN_SECRET_KEY": "x" * 60, "WREKIN_ALLOWED_HOSTS": "w.example", "WREKIN_MFA": "off"},
     "WREKIN_MFA=off"),
])
def test_production_refuses_to_start_half_configured(load_settings, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(WREKIN_ENV="production", **env)


def test_production_settings(load_settings):
    s = load_settings(WREKIN_ENV="production", WREKIN_SECRET_KEY="x" * 60,
                      WREKIN_ALLOWED_HOSTS="wrekin.example.org, other.example.org")
    assert s["DEBUG"] is False and s["PRODUCTION"] is True
    assert s["ALLOWED_HOSTS"] == ["wrekin.example.org", "other.example.org"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-") and s["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["MFA_REQUIRED"] is True
    static_backend = s["STORAGES"]["staticfiles"]["BACKEND"]
    assert static_backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.parametrize("env, message", [
    ({"WREKIN_ENV": "staging"}, "WREKIN_ENV"),
    ({"WREKIN_LOCKOUT_HOURS": "0"}, "WREKIN_LOCKOUT_HOURS"),
    ({"WREKIN_LOCKOUT_HOURS": "-1"}, "WREKIN_LOCKOUT_HOURS"),
    ({"WREKIN_TRUSTED_PROXY_COUNT": "-1"}, "WREKIN_TRUSTED_PROXY_COUNT"),
    ({"WREKIN_TRUSTED_PROXY_COUNT": "9"}, "WREKIN_TRUSTED_PROXY_COUNT"),
    ({"WREKIN_SETUP_LINK_HOURS": "0"}, "WREKIN_SETUP_LINK_HOURS"),
    ({"WREKIN_SETUP_LINK_HOURS": "10000"}, "WREKIN_SETUP_LINK_HOURS"),
])
def test_nonsense_is_refused(load_settings, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(**env)


def test_proxy_count_and_set_up_link_lifetime_come_from_the_environment(load_settings):
    s = load_settings(WREKIN_TRUSTED_PROXY_COUNT="1", WREKIN_SETUP_LINK_HOURS="24")
    assert s["WREKIN_TRUSTED_PROXY_COUNT"] == 1 and s["WREKIN_SETUP_LINK_HOURS"] == 24


# --- Development ------------------------------------------------------------------------------

def test_development_defaults(load_settings, tmp_path):
    s = load_settings()
    # No reverse proxy unless told: sign-in lockouts key on REMOTE_ADDR, X-Forwarded-For is ignored.
    assert s["WREKIN_TRUSTED_PROXY_COUNT"] == 0
    assert s["AXES_CLIENT_IP_CALLABLE"] == "wrekin.accounts.client_address.client_ip_address"
    assert s["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert s["WREKIN_SETUP_LINK_HOURS"] == 72
    assert s["PRODUCTION"] is False and s["DEBUG"] is True and s["MFA_REQUIRED"] is True
    assert s["SECRET_KEY"] and "testserver" in s["ALLOWED_HOSTS"]
    database = s["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "wrekin.sqlite3"
    init = database["OPTIONS"]["init_command"]
    assert "journal_mode=WAL" in init and "synchronous=FULL" in init and "foreign_keys=ON" in init
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert s["STORAGES"]["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_a_database_url_selects_postgresql(load_settings):
    s = load_settings(DATABASE_URL="postgres://wrekin@db.example:5432/wrekin")
    database = s["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql" and database["NAME"] == "wrekin"
    assert "init_command" not in database.get("OPTIONS", {})


def test_development_can_switch_mfa_off_for_a_demonstration(load_settings):
    assert load_settings(WREKIN_MFA="off")["MFA_REQUIRED"] is False


@pytest.mark.django_db
def test_sqlite_connections_use_wal_and_full_synchronous(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite pragmas apply to the embedded database only")
    # The test database lives in memory, where WAL cannot apply: open a file with the same options.
    live = connections["default"]
    settings_dict = {**live.settings_dict, "NAME": str(tmp_path / "pragma.sqlite3")}
    wrapper = type(live)(settings_dict, alias="pragma-check")
    try:
        with wrapper.cursor() as cursor:
            pragmas = {}
            for name in ("journal_mode", "synchronous", "foreign_keys"):
                cursor.execute(f"PRAGMA {name}")
                pragmas[name] = cursor.fetchone()[0]
        assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}  # 2 is FULL
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()


# --- Wrekin's own system checks -------------------------------------------------------------------

def _ids(messages):
    return [message.id for message in messages]


def test_check_refuses_mfa_switched_off(settings):
    settings.MFA_REQUIRED = False
    assert _ids(checks.mfa_enforced(None)) == ["wrekin.E001"]


def test_check_refuses_permanent_lockouts(settings):
    settings.AXES_COOLOFF_TIME = None
    assert _ids(checks.lockouts_are_timed(None)) == ["wrekin.E002"]


def test_check_wants_the_session_middleware_after_authentication(settings):
    assert checks.session_middleware_in_place(None) == []
    middleware = [m for m in settings.MIDDLEWARE if m != "wrekin.accounts.middleware.SessionLimitMiddleware"]
    settings.MIDDLEWARE = ["wrekin.accounts.middleware.SessionLimitMiddleware", *middleware]
    messages = checks.session_middleware_in_place(None)
    assert _ids(messages) == ["wrekin.E003"] and isinstance(messages[0], Error)
    settings.MIDDLEWARE = middleware
    assert _ids(checks.session_middleware_in_place(None)) == ["wrekin.E003"]


def test_check_wants_argon2_first(settings):
    assert checks.password_hashing(None) == []
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert _ids(checks.password_hashing(None)) == ["wrekin.W001"]
