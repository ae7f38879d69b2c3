"""Sign-in with a password and a second factor (TOTP, or a passkey once one is registered),
step-up re-authentication, and the page where people manage their passkeys and security keys."""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts import actions, passkeys
from wrekin.accounts.forms import MAX_CREDENTIAL_JSON, OneTimeCodeForm, PasskeyNameForm, SignInForm
from wrekin.accounts.models import Passkey
from wrekin.accounts.step_up import (
    WRONG_CODE_MESSAGE,
    check_code,
    mark_stepped_up,
    require_step_up,
    safe_next_url,
    step_up_required,
    step_up_seconds,
    wait_message,
)
from wrekin.audit.actions import record_event

ENROLMENT_DEVICE_NAME = "Authenticator app"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def _enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device shown at enrolment; the same one (same key) on every visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=ENROLMENT_DEVICE_NAME)
    return device


def _passkey_answer(request: HttpRequest) -> str | None:
    """The browser's passkey answer when this POST carries one (sent by frontend/js/webauthn.js)."""
    if request.method == "POST" and request.POST.get("method") == "passkey":
        return request.POST.get("credential", "")[:MAX_CREDENTIAL_JSON]
    return None


def _verified(request: HttpRequest, device) -> HttpResponse:
    otp_login(request, device)
    # The session has gained a privilege: give it a new key, as Django does at sign-in.
    request.session.cycle_key()
    # Both factors were just given: that is a fresh confirmation for step-up too.
    mark_stepped_up(request)
    return redirect(safe_next_url(request))


def mfa(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator at first sign-in, or check a code from it (or a passkey)."""
    if request.user.is_verified():
        return redirect(safe_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    enrolling = device is None
    if enrolling:
        device = _enrolment_device(request.user)

    passkey_error = ""
    answer = None if enrolling else _passkey_answer(request)
    if answer is not None:
        try:
            passkey = passkeys.finish_authentication(request, answer, purpose="sign_in")
        except passkeys.PasskeyError as refused:
            passkey_error = refused.message
        else:
            return _verified(request, passkey)

    form = OneTimeCodeForm(request.POST if request.method == "POST" and answer is None else None)
    if form.is_bound and form.is_valid():
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
                record_event("user.mfa_verified", actor=request.user)
                verified = True
            else:
                record_event("user.mfa_failed", actor=request.user,
                             details={"reason": "wrong_code" if allowed else "throttled"})
                verified = False
        if verified:
            return _verified(request, device)
        if not allowed and (throttle or {}).get("locked_until"):
            form.add_error("code", wait_message(throttle["locked_until"]))
        else:
            form.add_error("code", WRONG_CODE_MESSAGE)

    context = {"form": form, "enrolling": enrolling, "next": safe_next_url(request),
               "passkey_error": passkey_error}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c")
    else:
        context["passkey_options"] = passkeys.begin_authentication(request, purpose="sign_in")
    return render(request, "accounts/mfa.html", context)


@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    """Confirm it is you: a new code from the authenticator app, or a passkey. Then back to `next`."""
    next_url = safe_next_url(request)
    passkey_error = ""
    answer = _passkey_answer(request)
    if answer is not None:
        try:
            passkeys.finish_authentication(request, answer, purpose="step_up")
        except passkeys.PasskeyError as refused:
            passkey_error = refused.message
        else:
            mark_stepped_up(request)
            return redirect(next_url)

    form = OneTimeCodeForm(request.POST if request.method == "POST" and answer is None else None)
    if form.is_bound and form.is_valid():
        check = check_code(request, form.cleaned_data["code"], purpose="step_up")
        if check.ok:
            return redirect(next_url)
        form.add_error("code", check.message)
    return render(request, "accounts/step_up.html", {
        "form": form, "next": next_url, "passkey_error": passkey_error, "minutes": step_up_seconds() // 60,
        "passkey_options": passkeys.begin_authentication(request, purpose="step_up"),
        "page_title": "Confirm it’s you",
    })


def passkey_list(request: HttpRequest) -> HttpResponse:
    """Your security keys and passkeys: what is registered, when it was last used, add and remove."""
    return render(request, "accounts/passkeys.html", {
        "passkeys": Passkey.objects.filter(user=request.user),
        "authenticator": TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first(),
        "available": passkeys.relying_party(request) is not None,
        "page_title": "Your security keys and passkeys",
    })


@require_step_up
@require_http_methods(["GET", "POST"])
def add_passkey(request: HttpRequest) -> HttpResponse:
    """Register a passkey. Needs a fresh confirmation: a hijacked session must not add its own key."""
    if passkeys.relying_party(request) is None:
        return redirect("accounts:passkeys")  # the list page explains why passkeys cannot be added here
    form = PasskeyNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data["credential"]
        if not answer:
            form.add_error(None, "Your browser did not create a passkey. Choose “Add passkey” again and follow "
                                 "your browser’s instructions.")
        else:
            try:
                passkey = passkeys.finish_registration(request, answer, name=form.cleaned_data["name"])
            except passkeys.PasskeyError as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, f"“{passkey.name}” has been added. You can use it to sign in.")
                return redirect("accounts:passkeys")
    return render(request, "accounts/add_passkey.html", {
        "form": form, "options": passkeys.begin_registration(request),
        "page_title": "Add a passkey or security key",
    })


@require_http_methods(["GET", "POST"])
def remove_passkey(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a passkey. Needs a fresh confirmation, like adding one. Only your own passkeys."""
    passkey = Passkey.objects.filter(pk=pk, user=request.user).first()
    if passkey is None:
        raise Http404("No passkey found")
    if (detour := step_up_required(request)) is not None:
        return detour
    if request.method == "POST":
        actions.remove_passkey(actor=request.user, passkey_id=passkey.pk)
        messages.success(request, f"“{passkey.name}” has been removed")
        return redirect("accounts:passkeys")
    return render(request, "accounts/remove_passkey.html", {
        "passkey": passkey, "page_title": f"Remove {passkey.name}",
    })
