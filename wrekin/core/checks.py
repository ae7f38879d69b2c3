"""System checks that `wrekin check --deploy` runs on top of Django's own."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def mfa_enforced(app_configs, **kwargs):
    if not settings.MFA_REQUIRED:
        return [Error("Multi-factor sign-in is switched off (WREKIN_MFA=off).", id="wrekin.E001")]
    return []
