"""Sign-in with a password and a second factor (TOTP)."""

from __future__ import annotations

import base64

import segno
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts.forms import OneTimeCodeForm, SignInForm
from wrekin.audit.actions import record_event


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def mfa(request):
    """Enrol an authenticator at first sign-in, or check a code from the enrolled one."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _ = TOTPDevice.objects.get_or_create(
            user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
        )

    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # verify_token refuses a code already used (it records the last time step).
            if device.verify_token(form.cleaned_data["code"]):
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    record_event("user.mfa_enrolled", actor=request.user)
                otp_login(request, device)
                record_event("user.mfa_verified", actor=request.user)
                return redirect(_next_url(request))
        record_event("user.mfa_failed", actor=request.user)
        form.add_error("code", "That code is wrong or has already been used. Wait for a new code.")

    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c")
    return render(request, "accounts/mfa.html", context, status=200 if form.is_bound is False else 200)
