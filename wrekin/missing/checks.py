"""System checks: a mistyped WREKIN_RHI_HOURS or WREKIN_MISSING_TRIGGER stops start-up, not a page."""

from __future__ import annotations

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from wrekin.missing import rules


@register()
def check_missing_rules(app_configs, **kwargs) -> list[Error]:
    errors = []
    for read, env, check_id in ((rules.rhi_hours, "WREKIN_RHI_HOURS", "missing.E001"),
                                (rules.missing_trigger, "WREKIN_MISSING_TRIGGER", "missing.E002")):
        try:
            read()
        except ImproperlyConfigured as problem:
            errors.append(Error(str(problem), hint=f"Correct or unset {env}", id=check_id))
    return errors
