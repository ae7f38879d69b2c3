"""Sign-in with a password and a second factor (TOTP)."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts.forms import OneTimeCodeForm, SignInForm
from wrekin.audit.actions import record_event

ENROLMENT_DEVICE_NAME = "Authenticator app"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device shown at enrolment; the same one (same key) on every visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=ENROLMENT_DEVICE_NAME)
    return device


def _wait_message(locked_until) -> str:
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    if seconds < 120:
        return f"Too many wrong codes. Wait {seconds} seconds, then enter a new code."
    return f"Too many wrong codes. Wait {(seconds + 59) // 60} minutes, then enter a new code."


def mfa(request):
    """Enrol an authenticator at first sign-in, or check a code from the enrolled one."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    enrolling = device is None
    if enrolling:
        device = _enrolment_device(request.user)

    form = OneTimeCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Lock the device row: two requests racing with the same code must not both pass.
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            allowed, throttle = device.verify_is_allowed()
            # verify_token refuses a code already used (it records the last time step) and
            # counts failures, which makes each further attempt wait twice as long.
            if allowed and device.verify_token(form.cleaned_data["code"]):
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    record_event("user.mfa_enrolled", actor=request.user)
                otp_login(request, device)
                record_event("user.mfa_verified", actor=request.user)
                verified = True
            else:
                record_event("user.mfa_failed", actor=request.user,
                             details={"reason": "wrong_code" if allowed else "throttled"})
                verified = False
        if verified:
            # The session has gained a privilege: give it a new key, as Django does at sign-in.
            request.session.cycle_key()
            return redirect(_next_url(request))
        if not allowed and (throttle or {}).get("locked_until"):
            form.add_error("code", _wait_message(throttle["locked_until"]))
        else:
            form.add_error("code", "That code is wrong or has already been used. Wait for a new code.")

    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c")
    return render(request, "accounts/mfa.html", context)
