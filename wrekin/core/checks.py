"""System checks that `wrekin check --deploy` runs on top of Django's own."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

_AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
# Wrekin's session rules, each of which must run after AuthenticationMiddleware.
_REQUIRED_MIDDLEWARE = (
    "wrekin.accounts.middleware.SessionLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wrekin.accounts.middleware.MfaRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
)


@register(Tags.security, deploy=True)
def mfa_enforced(app_configs, **kwargs):
    if not settings.MFA_REQUIRED:
        return [Error("Multi-factor sign-in is switched off (WREKIN_MFA=off).", id="wrekin.E001")]
    return []


@register(Tags.security)
def lockouts_are_timed(app_configs, **kwargs):
    if not getattr(settings, "AXES_COOLOFF_TIME", None):
        return [Error("Sign-in lockouts would be permanent: set AXES_COOLOFF_TIME (WREKIN_LOCKOUT_HOURS).",
                      id="wrekin.E002")]
    return []


@register(Tags.security)
def session_middleware_in_place(app_configs, **kwargs):
    middleware = list(settings.MIDDLEWARE)
    auth_at = middleware.index(_AUTH_MIDDLEWARE) if _AUTH_MIDDLEWARE in middleware else None
    errors = []
    for name in _REQUIRED_MIDDLEWARE:
        if name not in middleware:
            errors.append(Error(f"{name} is missing from MIDDLEWARE.", id="wrekin.E003"))
        elif auth_at is None or middleware.index(name) < auth_at:
            errors.append(Error(f"{name} must come after {_AUTH_MIDDLEWARE} in MIDDLEWARE.",
                                id="wrekin.E003"))
    if not getattr(settings, "SESSION_ABSOLUTE_SECONDS", 0) > 0:
        errors.append(Error("SESSION_ABSOLUTE_SECONDS must be a positive number of seconds.",
                            id="wrekin.E004"))
    return errors


@register(Tags.security, deploy=True)
def password_hashing(app_configs, **kwargs):
    if not settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher"):
        return [Warning("Passwords are not hashed with Argon2 first.", id="wrekin.W001")]
    return []
