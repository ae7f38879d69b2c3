"""Step-up re-authentication: the person, not just their session, before exports and access changes.

One mechanism for the whole of Wrekin:

- A session is *freshly confirmed* for STEP_UP_SECONDS (5 minutes) after its owner last proved
  themselves: signing in (password and second factor), the step-up page (a new code from the
  authenticator app, or a passkey), or an inline code on a form.
- Pages reached by GET (exports, the "add a passkey" page) use `@require_step_up` or
  `step_up_required(request)`: a session that is not fresh is sent to `accounts:step_up`, which
  returns it to the page asked for. A POST body cannot be replayed after a detour, so a POST that
  arrives unconfirmed is sent back to the form's own address (GET) after the step-up: the person
  sees the form again and submits it once more. Nothing is done on their behalf unseen.
- Forms that change access (break-glass, restricting a record) carry the code inline instead, with
  `StepUpCodeMixin`: every such change asks for its own code, the code is checked last and only
  when every other field is valid (a code is spent when checked), and a good code also counts as a
  fresh confirmation for the next 5 minutes.

Codes are checked with django-otp's `verify_token`, which refuses a code whose time step has
already been used (at sign-in or anywhere else) and throttles repeated wrong codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts.forms import normalise_code
from wrekin.accounts.middleware import SIGNED_IN_AT_SESSION_KEY
from wrekin.audit.actions import record_event

# How long a confirmation lasts. Settings may shorten it (WREKIN_STEP_UP_SECONDS); read on each use.
DEFAULT_STEP_UP_SECONDS = 5 * 60
# When the session's owner last proved themselves (seconds since the epoch).
STEPPED_UP_AT_SESSION_KEY = "wrekin_stepped_up_at"

WRONG_CODE_MESSAGE = "That code is wrong or has already been used. Wait for a new code."


# Where a form sent after its step-up lapsed waits for the person to come back (step_up_required), and the
# fields never kept: the CSRF token, and anything that is itself a proof.
KEPT_FORM_SESSION_KEY = "wrekin_step_up_kept_form"
NOT_KEPT_FIELDS = frozenset({"csrfmiddlewaretoken", "code", "credential", "password"})


def step_up_seconds() -> int:
    return int(getattr(settings, "WREKIN_STEP_UP_SECONDS", DEFAULT_STEP_UP_SECONDS))


def last_confirmed_at(request: HttpRequest) -> float | None:
    """When this session's owner last proved themselves, or None.

    Signing in counts: a session only reaches a page that asks for step-up after passing its
    second factor (MfaRequiredMiddleware), so a password step within the window means both
    factors were given within it.
    """
    session = request.session
    times = [t for t in (session.get(STEPPED_UP_AT_SESSION_KEY), session.get(SIGNED_IN_AT_SESSION_KEY))
             if isinstance(t, int | float)]
    return max(times) if times else None


def has_recent_step_up(request: HttpRequest, *, now=None) -> bool:
    if not getattr(request.user, "is_authenticated", False):
        return False
    confirmed = last_confirmed_at(request)
    if confirmed is None:
        return False
    now = now or timezone.now()
    return now.timestamp() - confirmed < step_up_seconds()


def mark_stepped_up(request: HttpRequest) -> None:
    request.session[STEPPED_UP_AT_SESSION_KEY] = timezone.now().timestamp()


def safe_next_url(request: HttpRequest, default: str | None = None) -> str:
    """The `next` address if it is a path on this site; anything else (another host, a scheme,
    `//host`, a backslash trick) falls back to `default` — never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                            require_https=request.is_secure())
    ):
        return target
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def step_up_url(next_path: str) -> str:
    return f"{reverse('accounts:step_up')}?{urlencode({'next': next_path})}"


def step_up_required(request: HttpRequest) -> HttpResponse | None:
    """None when the session is freshly confirmed; otherwise the redirect to the step-up page.

    Call it after the view's own permission checks, so someone who may not do the thing at all
    is told so rather than asked for a code.
    """
    if has_recent_step_up(request):
        return None
    # A POST body cannot be replayed after the detour: come back to the form (GET) and submit again. What
    # the form held is kept in the session so the view can put it back (`kept_form_data`) — nothing typed is
    # lost because the confirmation lapsed while the person was typing.
    if request.method == "POST":
        request.session[KEPT_FORM_SESSION_KEY] = {
            "path": request.path,
            "data": {name: values for name, values in request.POST.lists() if name not in NOT_KEPT_FIELDS},
        }
        back_to = request.path
    else:
        back_to = request.get_full_path()
    return HttpResponseRedirect(step_up_url(back_to))


def kept_form_data(request: HttpRequest) -> dict | None:
    """What a form on this page held when it was sent after its confirmation had lapsed, once: for the
    form's `initial`, so the person sees it again and sends it themselves (nothing is done unseen)."""
    kept = request.session.get(KEPT_FORM_SESSION_KEY)
    if request.method != "GET" or not isinstance(kept, dict) or kept.get("path") != request.path:
        return None
    del request.session[KEPT_FORM_SESSION_KEY]
    return {name: values if len(values) > 1 else values[0] for name, values in kept.get("data", {}).items()}


def passkey_step_up_required(request: HttpRequest, form: StepUpCodeMixin) -> HttpResponse | None:
    """For a form that changes access, opened by an account with a passkey only: the step-up page first.

    Such a form cannot take a code inline, so the person confirms with their passkey before filling it in.
    Only for GET: a form already filled in is sent back with its text and an error instead (full_clean).
    """
    if request.method not in ("GET", "HEAD") or not form.confirms_with_passkey:
        return None
    return step_up_required(request)


def require_step_up(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator form of `step_up_required`, for views with no permission check of their own."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return step_up_required(request) or view(request, *args, **kwargs)

    return wrapped


def wait_message(locked_until) -> str:
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    if seconds < 120:
        unit = "second" if seconds == 1 else "seconds"
        return f"Too many wrong codes. Wait {seconds} {unit}, then enter a new code."
    return f"Too many wrong codes. Wait {(seconds + 59) // 60} minutes, then enter a new code."


@dataclass
class CodeCheck:
    ok: bool
    message: str = ""


def check_code(request: HttpRequest, code: str, *, purpose: str) -> CodeCheck:
    """Check a code from the user's authenticator app for a step-up; the code is spent either way.

    `purpose` is a short code for the trail (e.g. "step_up", "break_glass", "restrict").
    A good code marks the session freshly confirmed.
    """
    user = request.user
    with transaction.atomic():
        # Lock the device row: two requests racing with the same code must not both pass.
        device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
                  .order_by("pk").first())
        if device is None:
            record_event("user.step_up_failed", actor=user,
                         details={"method": "totp", "purpose": purpose, "reason": "no_device"})
            # An account set up with a passkey only (the inline-code forms ask it for no code, and the
            # step-up page offers the passkey): a code typed anyway cannot be right.
            return CodeCheck(False, "Your account has no authenticator app, so there is no code to enter: "
                                    "use your passkey instead.")
        allowed, throttle = device.verify_is_allowed()
        verified = bool(allowed and device.verify_token(code))
        if verified:
            record_event("user.step_up_verified", actor=user, details={"method": "totp", "purpose": purpose})
        else:
            record_event("user.step_up_failed", actor=user, details={
                "method": "totp", "purpose": purpose, "reason": "wrong_code" if allowed else "throttled"})
    if verified:
        mark_stepped_up(request)
        return CodeCheck(True)
    if not allowed and (throttle or {}).get("locked_until"):
        return CodeCheck(False, wait_message(throttle["locked_until"]))
    return CodeCheck(False, WRONG_CODE_MESSAGE)


class StepUpCodeMixin(forms.Form):
    """A form that changes access asks for a new code from the authenticator app, inline.

    The code is checked after every other check has passed (in `full_clean`, after `clean()`),
    so a form sent back for another mistake does not spend it. Subclasses set `step_up_purpose`.
    """

    step_up_purpose = "step_up"

    code = forms.CharField(
        label="Code from your authenticator app", max_length=20,
        help_text="We ask again because this changes who can see a record",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app",
                        "max_length": "The code has 6 digits"},
    )

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        # An account set up with a passkey only has no code to type: it confirms on the step-up page with
        # its passkey (views send it there first, with `passkey_step_up_required`), and the form asks no code.
        self.confirms_with_passkey = not TOTPDevice.objects.filter(user=self.user, confirmed=True).exists()
        if self.confirms_with_passkey:
            del self.fields["code"]

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("The code has 6 digits")
        return code

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        if self.confirms_with_passkey:
            # Checked as the code is, last: what was typed is kept and sent back with a way to confirm.
            if not has_recent_step_up(self.request):
                self.add_error(None, "Confirm it is you with your passkey, then send this again")
            return
        if "code" not in self.cleaned_data:
            return
        check = check_code(self.request, self.cleaned_data["code"], purpose=self.step_up_purpose)
        if not check.ok:
            self.add_error("code", check.message)
