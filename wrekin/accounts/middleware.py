"""Every signed-in session must have passed a second factor before it sees anything."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Paths a password-only session may reach: the second-factor pages and signing out.
_ALLOWED_NAMES = ("accounts:mfa", "accounts:logout")


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
            and not request.path.startswith("/api/")
            and request.path not in {reverse(name) for name in _ALLOWED_NAMES}
        ):
            return redirect("accounts:mfa")
        return self.get_response(request)
