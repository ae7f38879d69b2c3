"""Sign-in with a password and a second factor (an authenticator app's code, or a passkey), the set-up
journey a one-time link opens (with a choice of app or passkey), step-up re-authentication, the page where
people manage their passkeys, and the administrators' Accounts pages (create, disable, enable, reset)."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts import actions, passkeys
from wrekin.accounts.forms import (
    MAX_CREDENTIAL_JSON,
    AccountForm,
    FirstPasswordForm,
    OneTimeCodeForm,
    PasskeyNameForm,
    ReasonForm,
    SecondFactorChoiceForm,
    SignInForm,
)
from wrekin.accounts.models import Agency, EnrolmentLink, Passkey, Role, User, role_of
from wrekin.accounts.step_up import (
    WRONG_CODE_MESSAGE,
    check_code,
    kept_form_data,
    mark_stepped_up,
    require_step_up,
    safe_next_url,
    step_up_required,
    step_up_seconds,
    wait_message,
)
from wrekin.audit.actions import record_event

ENROLMENT_DEVICE_NAME = "Authenticator app"
# The set-up link this session used: the session's right to set a first password and enrol (an id only).
ENROLMENT_LINK_SESSION_KEY = "wrekin_enrolment_link"


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


def _app_key_context(device: TOTPDevice) -> dict[str, str]:
    """The new app's key for accounts/_app_qr.html: as a QR code to scan, and as text to type."""
    return {"secret": base64.b32encode(device.bin_key).decode("ascii"),
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c")}


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


def _not_set_up(request: HttpRequest, reason: str = "no_link") -> HttpResponse:
    """A not-yet-enrolled account signed in without a usable set-up link: sign it out, say only that."""
    record_event("user.enrolment_refused", actor=request.user, details={"reason": reason})
    logout(request)  # also forgets any set-up link the session held
    return render(request, "accounts/not_set_up.html", {"page_title": "Your account is not set up yet"},
                  status=403)


def _enrolment_choice(request: HttpRequest) -> HttpResponse | None:
    """On the set-up journey, where passkeys can work here: ask "authenticator app or passkey?" first.

    A plain GET form (it changes nothing), so it works without JavaScript. None means: show the app.
    """
    if passkeys.relying_party(request) is None or request.method != "GET":
        return None
    # Bound once submitted: with no radio chosen a browser sends only the hidden `chosen` field.
    submitted = "method" in request.GET or "chosen" in request.GET
    form = SecondFactorChoiceForm(request.GET if submitted else None)
    if form.is_bound and form.is_valid():
        if form.cleaned_data["method"] == "app":
            return None
        return redirect(f"{reverse('accounts:set_up_passkey')}?{urlencode({'next': safe_next_url(request)})}")
    return render(request, "accounts/set_up_choose.html", {
        "form": form, "next": safe_next_url(request), "page_title": "Choose how to confirm it’s you",
    })


def mfa(request: HttpRequest) -> HttpResponse:
    """Enrol a second factor at first sign-in, or check a code from the app (or a passkey).

    Enrolling needs the set-up link this session used: the password alone is not enough to plant
    someone's own authenticator on a new account. Where passkeys can work, the person first chooses
    an authenticator app or a passkey; an account enrolled with a passkey only is offered just that.
    """
    if request.user.is_verified():
        return redirect(safe_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    enrolling = device is None and not actions.has_enrolled(request.user)
    link_id = request.session.get(ENROLMENT_LINK_SESSION_KEY)
    if enrolling:
        if actions.live_enrolment_link(link_id, request.user) is None:
            # No link used in this session, or it stopped working (superseded, lapsed, account disabled).
            return _not_set_up(request, "no_link" if link_id is None else "link_ended")
        if (choice := _enrolment_choice(request)) is not None:
            return choice
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

    # An account enrolled with a passkey only has no app: there is no code to ask for.
    form = (OneTimeCodeForm(request.POST if request.method == "POST" and answer is None else None)
            if device is not None else None)
    if form is not None and form.is_bound and form.is_valid():
        with transaction.atomic():
            # Lock the device row: two requests racing with the same code must not both pass.
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            allowed, throttle = device.verify_is_allowed()
            # verify_token refuses a code already used (it records the last time step) and
            # counts failures, which makes each further attempt wait twice as long.
            link_refused = False
            if allowed and device.verify_token(form.cleaned_data["code"]):
                if enrolling:
                    try:
                        actions.enrol_authenticator(actor=request.user, device=device, link_id=link_id)
                    except actions.EnrolmentLinkRefused:
                        # Superseded, or the account disabled, since the page was shown.
                        link_refused = True
                if not link_refused:
                    record_event("user.mfa_verified", actor=request.user)
                verified = not link_refused
            else:
                record_event("user.mfa_failed", actor=request.user,
                             details={"reason": "wrong_code" if allowed else "throttled"})
                verified = False
        if link_refused:
            return _not_set_up(request, "link_ended")
        if verified:
            request.session.pop(ENROLMENT_LINK_SESSION_KEY, None)
            return _verified(request, device)
        if not allowed and (throttle or {}).get("locked_until"):
            form.add_error("code", wait_message(throttle["locked_until"]))
        else:
            form.add_error("code", WRONG_CODE_MESSAGE)

    context = {"form": form, "enrolling": enrolling, "next": safe_next_url(request),
               "passkey_error": passkey_error}
    if enrolling:
        context |= _app_key_context(device)
        context["passkey_possible"] = passkeys.relying_party(request) is not None
    else:
        context["passkey_options"] = passkeys.begin_authentication(request, purpose="sign_in")
    return render(request, "accounts/mfa.html", context)


@require_http_methods(["GET", "POST"])
def set_up_passkey(request: HttpRequest) -> HttpResponse:
    """The passkey option of the set-up journey: register a passkey as the account's second factor.

    Reached after the password step, by a session holding a live set-up link (as for the app). Enrolling
    the passkey uses the link up and signs the person in, verified, exactly as a first app code does.
    """
    user = request.user
    if user.is_verified():
        return redirect(safe_next_url(request))
    if actions.has_enrolled(user):
        return redirect("accounts:mfa")
    link_id = request.session.get(ENROLMENT_LINK_SESSION_KEY)
    if actions.live_enrolment_link(link_id, user) is None:
        return _not_set_up(request, "no_link" if link_id is None else "link_ended")
    if passkeys.relying_party(request) is None:
        # Browsers refuse passkeys at a numeric address: the app is the way here.
        return redirect(f"{reverse('accounts:mfa')}?{urlencode({'method': 'app', 'next': safe_next_url(request)})}")
    form = PasskeyNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data["credential"]
        if not answer:
            form.add_error(None, "Your browser did not create a passkey. Choose “Create passkey” again and follow "
                                 "your browser’s instructions, or go back and use an authenticator app.")
        else:
            try:
                passkey = passkeys.finish_enrolment(request, answer, name=form.cleaned_data["name"], link_id=link_id)
            except passkeys.PasskeyError as refused:
                form.add_error(None, refused.message)
            except actions.EnrolmentLinkRefused:
                return _not_set_up(request, "link_ended")
            else:
                request.session.pop(ENROLMENT_LINK_SESSION_KEY, None)
                messages.success(request, f"“{passkey.name}” is set up. Use it each time you sign in.")
                return _verified(request, passkey)
    return render(request, "accounts/set_up_passkey.html", {
        "form": form, "options": passkeys.begin_registration(request, purpose="enrol"),
        "next": safe_next_url(request), "page_title": "Create a passkey",
    })


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
        "form": form, "next": next_url,
        "has_app": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
        "passkey_error": passkey_error, "minutes": step_up_seconds() // 60,
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
def add_authenticator_app(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app to an account set up with a passkey only. Step-up first, like a passkey."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        messages.info(request, "You already have an authenticator app")
        return redirect("accounts:passkeys")
    if (detour := step_up_required(request)) is not None:
        return detour
    device = _enrolment_device(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Lock the device row: two requests racing with the same code must not both pass.
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            allowed, throttle = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["code"]):
                actions.add_authenticator_app(actor=request.user, device=device)
                added = True
            else:
                record_event("user.mfa_failed", actor=request.user,
                             details={"reason": "wrong_code" if allowed else "throttled", "purpose": "add_app"})
                added = False
        if added:
            messages.success(request, "Your authenticator app is set up. You can use it or a passkey.")
            return redirect("accounts:passkeys")
        if not allowed and (throttle or {}).get("locked_until"):
            form.add_error("code", wait_message(throttle["locked_until"]))
        else:
            form.add_error("code", WRONG_CODE_MESSAGE)
    return render(request, "accounts/add_app.html", {
        "form": form, **_app_key_context(device), "page_title": "Add an authenticator app",
    })


@require_http_methods(["GET", "POST"])
def remove_passkey(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a passkey. Needs a fresh confirmation, like adding one. Only your own passkeys."""
    passkey = Passkey.objects.filter(pk=pk, user=request.user).first()
    if passkey is None:
        raise Http404("No passkey found")
    if (detour := step_up_required(request)) is not None:
        return detour
    error = ""
    if request.method == "POST":
        try:
            actions.remove_passkey(actor=request.user, passkey_id=passkey.pk)
        except actions.LastSecondFactor as refused:
            error = str(refused)
        else:
            messages.success(request, f"“{passkey.name}” has been removed")
            return redirect("accounts:passkeys")
    return render(request, "accounts/remove_passkey.html", {
        "passkey": passkey, "error": error, "page_title": f"Remove {passkey.name}",
    })


# --- One-time set-up links ---------------------------------------------------------------------------

def _link_refused(request: HttpRequest) -> HttpResponse:
    # One message whatever the reason (unknown, used, expired, superseded, disabled): the reason is on
    # the trail for the administrator; the holder of a dead link learns nothing about the account.
    return render(request, "accounts/set_up_refused.html", {"page_title": "This set-up link cannot be used"},
                  status=410)


@require_http_methods(["GET"])
def set_up_start(request: HttpRequest) -> HttpResponse:
    """Where someone lands who has lost the token from their link: what to do next."""
    return render(request, "accounts/set_up_start.html", {"page_title": "Set up your account"})


@login_not_required
@require_http_methods(["GET", "POST"])
def set_up(request: HttpRequest, token: str) -> HttpResponse:
    """Where a set-up link leads. GET only shows the page (mail scanners fetch links); the button uses it."""
    if request.user.is_authenticated:
        # Someone else's session (or this person's, half signed in): never mix two people's sign-ins.
        return render(request, "accounts/set_up_signed_in.html", {"page_title": "Sign out first"})
    if request.method == "GET":
        try:
            link = actions.check_enrolment_link(token)
        except actions.EnrolmentLinkRefused:
            return _link_refused(request)
        return render(request, "accounts/set_up.html", {
            "link": link, "page_title": "Set up your account",
            "needs_password": not link.user.has_usable_password(),
        })
    try:
        link = actions.use_enrolment_link(token=token)
    except actions.EnrolmentLinkRefused:
        return _link_refused(request)
    # The session gains a right: give it a new key, and remember only the link's id.
    request.session.cycle_key()
    request.session[ENROLMENT_LINK_SESSION_KEY] = link.pk
    if not link.user.has_usable_password():
        return redirect("accounts:set_up_password")
    messages.success(request, "Your set-up link has been accepted. Sign in with your username and password to "
                              "set up your authenticator app.")
    return redirect("accounts:login")


@login_not_required
@require_http_methods(["GET", "POST"])
def set_up_password(request: HttpRequest) -> HttpResponse:
    """A new account with no password chooses one, straight after using its set-up link."""
    if request.user.is_authenticated:
        return redirect("accounts:mfa")
    link_id = request.session.get(ENROLMENT_LINK_SESSION_KEY)
    link = (EnrolmentLink.objects.select_related("user").filter(pk=link_id).first()
            if isinstance(link_id, int) else None)
    user = link.user if link else None
    if link is None or actions.live_enrolment_link(link_id, user) is None:
        return _link_refused(request)
    if user.has_usable_password():
        return redirect("accounts:login")
    form = FirstPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.set_first_password(actor=user, link_id=link.pk, password=form.cleaned_data["new_password1"])
        except actions.EnrolmentLinkRefused:
            return _link_refused(request)
        # The password step is done: sign in (this keeps the session's set-up link) and go on to enrol.
        auth_login(request, user, backend="wrekin.accounts.backends.MembershipModelBackend")
        return redirect("accounts:mfa")
    return render(request, "accounts/set_up_password.html", {
        "form": form, "username": user.username, "page_title": "Choose a password",
    })


# --- Administrators: accounts of the partnership, and re-issuing set-up links ------------------------

def _require_administrator(request: HttpRequest) -> None:
    if role_of(request.user) != Role.ADMINISTRATOR:
        raise PermissionDenied("Only system administrators manage accounts")


def _partnership_accounts(request: HttpRequest):
    """Accounts an administrator may manage: members of agencies in their own partnership."""
    # Set up: an authenticator app or a passkey (the set-up journey offers either), as actions.has_enrolled.
    app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    passkey = Passkey.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (User.objects.filter(membership__agency__partnership=request.user.partnership)
            .select_related("membership__agency").annotate(enrolled=Exists(app) | Exists(passkey)))


def account_list(request: HttpRequest) -> HttpResponse:
    """Every account of the administrator's partnership and whether it has set up its sign-in."""
    _require_administrator(request)
    accounts = list(_partnership_accounts(request).order_by("username"))
    links = {}
    for link in EnrolmentLink.objects.filter(user__in=[a.pk for a in accounts]).order_by("created_at", "pk"):
        links[link.user_id] = link  # the newest link of each account
    now = timezone.now()
    rows = [{"account": account, "link": links.get(account.pk),
             "link_status": links[account.pk].status_at(now) if account.pk in links else None}
            for account in accounts]
    with transaction.atomic():
        # Staff names, e-mail addresses and sign-in state: a read like any other, on the trail.
        record_event("user.accounts_viewed", actor=request.user, details={"accounts": len(accounts)})
    return render(request, "accounts/account_list.html", {"rows": rows, "page_title": "Accounts"})


@require_http_methods(["GET", "POST"])
def issue_set_up_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a new one-time set-up link for an account that has not set up its sign-in.

    A change to who can get into an account: the administrator confirms it is them first (step-up).
    The link is shown once, on the response to the POST, and stored only as a hash.
    """
    _require_administrator(request)
    account = _partnership_accounts(request).filter(pk=pk).first()
    if account is None or account.pk == request.user.pk:
        raise Http404("No account found")
    if (detour := step_up_required(request)) is not None:
        return detour
    error = ""
    if request.method == "POST":
        try:
            issued = actions.issue_enrolment_link(actor=request.user, user=account)
        except actions.EnrolmentRefused as refused:
            error = str(refused)
        else:
            return _link_issued(request, account, issued, title="Set-up link issued")
    return render(request, "accounts/issue_set_up_link.html", {
        "account": account, "error": error, "hours": actions.enrolment_link_lifetime().total_seconds() / 3600,
        "page_title": f"Issue a set-up link for {account.username}",
    })


def _managed_account(request: HttpRequest, pk: int) -> User:
    """An account of the administrator's partnership other than their own; 404 for anything else.

    Another partnership's account and one that does not exist answer alike, so ids leak nothing.
    """
    _require_administrator(request)
    account = _partnership_accounts(request).filter(pk=pk).first()
    if account is None or account.pk == request.user.pk:
        raise Http404("No account found")
    return account


def _link_issued(request: HttpRequest, account: User, issued: actions.IssuedEnrolmentLink, *,
                 title: str) -> HttpResponse:
    """The one page that ever shows a new set-up link: the response to the POST that issued it."""
    return render(request, "accounts/set_up_link_issued.html", {
        "account": account, "url": request.build_absolute_uri(issued.path), "link": issued.link,
        "panel_title": title, "page_title": f"{title}: {account.username}",
    })


@require_http_methods(["GET", "POST"])
def create_account(request: HttpRequest) -> HttpResponse:
    """Create an account in one of the partnership's agencies; its first set-up link is shown once.

    A change to who can get in: step-up first. Administrators give only GRANTABLE_ROLES; operators
    create administrators and auditors at the command line.
    """
    _require_administrator(request)
    if (detour := step_up_required(request)) is not None:
        return detour
    agencies = Agency.objects.filter(partnership=request.user.partnership, is_active=True).order_by("name")
    form = AccountForm(request.POST or None, initial=kept_form_data(request), agencies=agencies,
                       roles=actions.GRANTABLE_ROLES)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = actions.create_user(actor=request.user, username=data["username"], agency=data["agency"],
                                          role=data["role"], first_name=data["first_name"],
                                          last_name=data["last_name"], email=data["email"])
        except ValueError:  # the username was taken between the check and the save
            form.add_error("username", "That username is taken: choose another")
        else:
            return _link_issued(request, account, account.issued_enrolment_link, title="Account created")
    return render(request, "accounts/create_account.html", {"form": form, "page_title": "Create an account"})


def _account_change(request: HttpRequest, pk: int, *, change: str) -> HttpResponse:
    """The confirmation page, and its POST, for disabling, enabling or resetting an account's sign-in."""
    account = _managed_account(request, pk)
    if (detour := step_up_required(request)) is not None:
        return detour
    form = ReasonForm(request.POST or None, initial=kept_form_data(request))
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if change == "disable":
                actions.disable_user(actor=request.user, user=account, reason=reason)
                messages.success(request, f"{account.username}’s account is disabled and signed out everywhere")
                return redirect("accounts:users")
            if change == "enable":
                issued = actions.enable_user(actor=request.user, user=account, reason=reason)
                return _link_issued(request, account, issued, title="Account enabled")
            issued = actions.reset_authenticator(actor=request.user, user=account, reason=reason)
            return _link_issued(request, account, issued, title="Sign-in reset")
        except actions.EnrolmentRefused as refused:
            form.add_error(None, str(refused))
    titles = {"disable": "Disable", "enable": "Enable", "reset": "Reset the sign-in of"}
    return render(request, "accounts/account_change.html", {
        "account": account, "form": form, "change": change,
        "apps": TOTPDevice.objects.filter(user=account, confirmed=True).count(),
        "passkeys": Passkey.objects.filter(user=account).count(),
        "hours": actions.enrolment_link_lifetime().total_seconds() / 3600,
        "page_title": f"{titles[change]} {account.username}",
    })


@require_http_methods(["GET", "POST"])
def disable_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Disable an account, with a reason: it cannot sign in and every session it has ends now."""
    return _account_change(request, pk, change="disable")


@require_http_methods(["GET", "POST"])
def enable_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Enable a disabled account: its old second factors are removed and a new set-up link is shown."""
    return _account_change(request, pk, change="enable")


@require_http_methods(["GET", "POST"])
def reset_authenticator(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset a lost authenticator: remove the account's apps and passkeys, end its sessions, new link."""
    return _account_change(request, pk, change="reset")
