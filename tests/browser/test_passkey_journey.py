"""Passkeys, end to end in Chromium: add one, sign in with it, confirm with it (step-up), remove it;
and set up a new account with a passkey instead of an authenticator app.

Chromium's virtual authenticator (DevTools protocol, WebAuthn domain) plays the passkey: a
platform authenticator with resident keys and user verification, as a laptop's would be. The
live server answers on http://localhost, a secure context whose host is a valid relying party
id (browsers refuse an IP address). Every page is checked with axe-core (WCAG 2.2 AA).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser import support
from tests.browser.support import (
    check_accessibility,
    code_for_device,
    code_for_key,
    javascript_disabled,
    key_from_secret,
    sign_in,
    submit_password,
)
from wrekin.accounts.actions import create_user
from wrekin.accounts.middleware import SIGNED_IN_AT_SESSION_KEY
from wrekin.accounts.models import EnrolmentLink, Passkey, Role
from wrekin.accounts.step_up import STEPPED_UP_AT_SESSION_KEY
from wrekin.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def viewport_screenshot(page: Page, name: str) -> None:
    page.evaluate(support._REMEMBER_STYLED)
    png = page.screenshot(full_page=False, animations="disabled", caret="hide")
    page.evaluate(support._FORGET_NEW_STYLES)
    support.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (support.SCREENSHOTS / f"{name}.png").write_bytes(support._smaller_png(png))


def add_virtual_authenticator(page: Page) -> tuple:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})
    return cdp, added["authenticatorId"]


def age_the_session(page: Page, minutes: int) -> None:
    """Make the browser's session look as if its owner last proved themselves `minutes` ago."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    for key in (SIGNED_IN_AT_SESSION_KEY, STEPPED_UP_AT_SESSION_KEY):
        if key in session:
            session[key] = session[key] - minutes * 60
    session.save()


def test_add_a_passkey_sign_in_with_it_confirm_with_it_and_remove_it(new_context, live_server, personas):
    assert live_server.url.startswith("http://localhost:"), live_server.url
    alice = personas["alice"]
    page = new_context().new_page()
    cdp, authenticator_id = add_virtual_authenticator(page)

    # 1. Signed in with the authenticator app, Alice adds a passkey.
    sign_in(page, live_server.url, alice)
    page.goto(f"{live_server.url}/accounts/security-keys/")
    expect(_heading(page)).to_have_text("Your security keys and passkeys")
    expect(page.locator("tbody")).to_contain_text("You have not added a passkey or security key")
    check_accessibility(page)
    page.get_by_role("link", name="Add a passkey or security key").click()
    # Signed in a moment ago: that counts as confirming it's her, so no step-up yet.
    expect(_heading(page)).to_have_text("Add a passkey or security key")
    expect(page.locator("[data-webauthn-fallback]")).to_be_hidden()  # the script runs: no fallback text
    check_accessibility(page)
    # A name is needed first: the server says so, and nothing is asked of the authenticator.
    page.get_by_role("button", name="Add passkey").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the passkey or security key")
    check_accessibility(page)
    page.get_by_label("Name this passkey or security key").fill("Work laptop")
    page.get_by_role("button", name="Add passkey").click()
    expect(_heading(page)).to_have_text("Your security keys and passkeys")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Work laptop” has been added")
    expect(page.locator("tbody")).to_contain_text("Work laptop")
    check_accessibility(page)
    page.reload()  # without the banner, for the user guide's picture
    page.get_by_role("table").scroll_into_view_if_needed()
    viewport_screenshot(page, "passkeys")
    passkey = Passkey.objects.get(user=alice)
    assert passkey.rp_id == "localhost" and "internal" in passkey.transports
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1

    # 2. Signing in again, the second step offers the passkey beside the code.
    page.get_by_role("button", name="Sign out").click()
    submit_password(page, live_server.url, "alice", check=False)
    expect(_heading(page)).to_have_text("Enter your code")
    expect(page.get_by_label("Code from your authenticator app")).to_be_visible()
    expect(page.get_by_role("button", name="Use a passkey")).to_be_visible()
    check_accessibility(page)
    viewport_screenshot(page, "sign-in-passkey")
    page.get_by_role("button", name="Use a passkey").click()
    expect(_heading(page)).to_have_text("Hello, Alice")
    check_accessibility(page)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert AuditEvent.objects.filter(event_type="user.passkey_verified", actor=alice,
                                     details__purpose="sign_in").count() == 1

    # 3. Without JavaScript the passkey button stays hidden and the code still works.
    no_js = javascript_disabled(new_context(java_script_enabled=False)).new_page()
    submit_password(no_js, live_server.url, "alice", check=False)
    expect(_heading(no_js)).to_have_text("Enter your code")
    expect(no_js.get_by_role("button", name="Use a passkey")).to_be_hidden()
    expect(no_js.get_by_label("Code from your authenticator app")).to_be_visible()
    check_accessibility(no_js)

    # 4. Ten minutes later, removing the passkey asks her to confirm it's her; she uses the passkey.
    age_the_session(page, minutes=10)
    page.goto(f"{live_server.url}/accounts/security-keys/")
    page.get_by_role("link", name="Remove Work laptop").click()
    expect(_heading(page)).to_have_text("Confirm it’s you")
    expect(page).to_have_url(re.compile(r"/accounts/confirm/\?next="))
    check_accessibility(page)
    viewport_screenshot(page, "step-up")
    page.get_by_role("button", name="Use a passkey").click()
    expect(_heading(page)).to_have_text("Remove “Work laptop”?")
    check_accessibility(page)
    page.get_by_role("button", name="Remove it").click()
    # She signed in with that passkey, so this session asks for a second factor again at once.
    expect(_heading(page)).to_have_text("Enter your code")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Work laptop” has been removed")
    expect(page.get_by_role("button", name="Use a passkey")).to_have_count(0)
    check_accessibility(page)
    assert not Passkey.objects.exists()
    assert AuditEvent.objects.filter(event_type="user.passkey_verified", details__purpose="step_up").count() == 1
    assert AuditEvent.objects.filter(event_type="user.passkey_removed", actor=alice).count() == 1
    device = TOTPDevice.objects.get(user=alice, confirmed=True)
    page.get_by_label("Code from your authenticator app").fill(code_for_device(device))
    page.get_by_role("button", name="Continue").click()
    expect(_heading(page)).to_have_text("Your security keys and passkeys")
    expect(page.locator("tbody")).to_contain_text("You have not added a passkey or security key")
    check_accessibility(page)


def test_a_newcomer_sets_up_their_account_with_a_passkey(new_context, live_server, agencies, personas):
    """The set-up link's journey with the passkey option: the passkey is the account's enrolment."""
    issued = create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER, first_name="Nadia",
                         last_name="Price").issued_enrolment_link
    page = new_context().new_page()
    add_virtual_authenticator(page)
    page.goto(live_server.url + issued.path)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Choose a password").fill("kettle-orchard-lantern-42")
    page.get_by_label("Type the password again").fill("kettle-orchard-lantern-42")
    page.get_by_role("button", name="Continue").click()

    expect(_heading(page)).to_have_text("Choose how to confirm it’s you")
    check_accessibility(page)
    page.get_by_label("Passkey or security key").check()
    page.get_by_role("button", name="Continue").click()
    expect(_heading(page)).to_have_text("Create a passkey")
    expect(page.locator("[data-webauthn-fallback]")).to_be_hidden()
    check_accessibility(page)
    viewport_screenshot(page, "set-up-passkey")
    page.get_by_label("Name this passkey or security key").fill("Work laptop")
    page.get_by_role("button", name="Create passkey").click()
    expect(_heading(page)).to_have_text("Hello, Nadia")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Work laptop” is set up")
    check_accessibility(page)
    passkey = Passkey.objects.get(user__username="nadia")
    assert passkey.rp_id == "localhost" and not TOTPDevice.objects.filter(user__username="nadia").exists()
    assert EnrolmentLink.objects.get(user__username="nadia").enrolled_at is not None

    # Next time: the password, then the passkey (there is no app, so no code is asked for).
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password").fill("kettle-orchard-lantern-42")  # the password she chose
    page.get_by_role("button", name="Continue").click()
    expect(_heading(page)).to_have_text("Use your passkey")
    expect(page.get_by_label("Code from your authenticator app")).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("button", name="Use a passkey").click()
    expect(_heading(page)).to_have_text("Hello, Nadia")

    # Without JavaScript the passkey cannot be used, and the page says what to do.
    no_js = javascript_disabled(new_context(java_script_enabled=False)).new_page()
    no_js.goto(f"{live_server.url}/accounts/sign-in/")
    no_js.get_by_label("Username").fill("nadia")
    no_js.get_by_label("Password").fill("kettle-orchard-lantern-42")
    no_js.get_by_role("button", name="Continue").click()
    expect(_heading(no_js)).to_have_text("Use your passkey")
    expect(no_js.locator("[data-webauthn-fallback]")).to_contain_text("ask your system administrator to reset")
    check_accessibility(no_js)

    # She adds an authenticator app beside the passkey, for when the passkey is not to hand.
    page.goto(f"{live_server.url}/accounts/security-keys/")
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(_heading(page)).to_have_text("Add an authenticator app")
    check_accessibility(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code_for_key(key_from_secret(secret)))
    page.get_by_role("button", name="Add the app").click()
    expect(_heading(page)).to_have_text("Your security keys and passkeys")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your authenticator app is set up")
    assert TOTPDevice.objects.get(user__username="nadia").confirmed
