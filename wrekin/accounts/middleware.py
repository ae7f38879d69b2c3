"""Session rules: every signed-in session has passed a second factor before it sees anything,
lasts at most SESSION_ABSOLUTE_SECONDS, and ends as soon as its account may no longer sign in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

# Where the sign-in time is kept in the session (seconds since the epoch), set at sign-in.
SIGNED_IN_AT_SESSION_KEY = "wrekin_signed_in_at"

# Paths a password-only session may reach: the second-factor pages and signing out, and where a
# set-up link leads (it tells a signed-in session to sign out first).
_ALLOWED_NAMES = ("accounts:mfa", "accounts:logout")
_ALLOWED_PREFIX_NAME = "accounts:set_up_start"


def record_sign_in_time(session) -> None:
    session[SIGNED_IN_AT_SESSION_KEY] = int(timezone.now().timestamp())


class SessionLimitMiddleware:
    """Runs just after AuthenticationMiddleware.

    - A session signed in longer ago than SESSION_ABSOLUTE_SECONDS is signed out, whatever its
      activity (idle expiry is SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST).
    - A session whose account can no longer sign in (disabled or deleted: the authentication
      backend refuses it, so request.user is anonymous) is destroyed, not merely ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            if not request.user.is_authenticated:
                session.flush()
            else:
                signed_in_at = session.get(SIGNED_IN_AT_SESSION_KEY)
                age = timezone.now().timestamp() - signed_in_at if signed_in_at is not None else None
                if age is None or age > settings.SESSION_ABSOLUTE_SECONDS:
                    request.wrekin_sign_out_reason = "session_time_limit"
                    logout(request)
                    return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths: frozenset[str] | None = None
        self._allowed_prefix = ""

    def _is_allowed(self, path: str) -> bool:
        if self._allowed_paths is None:
            self._allowed_paths = frozenset(reverse(name) for name in _ALLOWED_NAMES)
            self._allowed_prefix = reverse(_ALLOWED_PREFIX_NAME)
        return (path in self._allowed_paths or path.startswith(settings.STATIC_URL)
                or path.startswith(self._allowed_prefix))

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self._is_allowed(request.path)
        ):
            if request.path.startswith("/api/"):
                # A password-only browser session must not reach data through the API either.
                return JsonResponse({"detail": "Complete the second sign-in step first."}, status=403)
            target = reverse("accounts:mfa")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)
