"""Signing in for the first time, and what an administrator and an auditor can reach."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.support import (
    check_accessibility,
    code_for_device,
    key_from_secret,
    screenshot,
    sign_in,
    submit_password,
)
from wrekin.accounts.actions import create_user, issue_enrolment_link
from wrekin.accounts.models import EnrolmentLink, Role
from wrekin.accounts.step_up import STEPPED_UP_AT_SESSION_KEY
from wrekin.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_enrols_an_authenticator_app(page, live_server, personas):
    bob = personas["bob"]
    TOTPDevice.objects.filter(user=bob).delete()  # a new account: no authenticator yet
    issued = issue_enrolment_link(actor=None, user=bob)

    # The set-up link the administrator passed on: a page with a button (opening it uses nothing up).
    page.goto(live_server.url + issued.path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account")
    check_accessibility(page)
    screenshot(page, "set-up-link")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your set-up link has been accepted")

    submit_password(page, live_server.url, "bob")
    # At a named address passkeys can work: the first question is app or passkey.
    choose_an_authenticator_app(page, screenshot_name="set-up-choose")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(page.locator(".wrekin-qr svg")).to_be_visible()
    # Nothing but the enrolment is reachable yet: no service navigation.
    expect(page.locator(".govuk-service-navigation")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "mfa-enrolment")

    # A wrong code is refused with a GOV.UK error, and the same key is still offered.
    secret = page.locator("#totp-secret").inner_text()
    right = f"{totp(key_from_secret(secret)):06d}"
    page.get_by_label("Code from your authenticator app").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("#totp-secret")).to_have_text(secret)
    check_accessibility(page)
    # django-otp then makes the next attempt wait a second (OTP_TOTP_THROTTLE_FACTOR).
    page.wait_for_timeout(1_100)

    # Type the key into "the app" and enter the code it shows.
    code = f"{totp(key_from_secret(secret)):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Bob")
    assert TOTPDevice.objects.get(user=bob).confirmed
    assert EnrolmentLink.objects.get(user=bob).enrolled_at is not None
    check_accessibility(page)


def test_without_a_set_up_link_the_password_alone_sets_nothing_up(page, live_server, personas):
    bob = personas["bob"]
    TOTPDevice.objects.filter(user=bob).delete()
    submit_password(page, live_server.url, "bob", check=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is not set up yet")
    expect(page.locator("main")).to_contain_text(
        "Your account is not set up yet. Ask your administrator for a new set-up link.")
    expect(page.locator(".wrekin-qr")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # signed out again
    check_accessibility(page)
    screenshot(page, "not-set-up")
    assert not TOTPDevice.objects.filter(user=bob).exists()


def choose_an_authenticator_app(page, *, screenshot_name: str | None = None) -> None:
    """The set-up journey's question (app or passkey), answered "app"; a missing answer is explained first."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose how to confirm it’s you")
    if screenshot_name:
        check_accessibility(page)
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Choose an authenticator app or a passkey")
        check_accessibility(page)
        screenshot(page, screenshot_name)
    page.get_by_label("Authenticator app").check()
    page.get_by_role("button", name="Continue").click()


def enrol_an_app(page) -> None:
    """On the app's set-up page: type the key into "the app" and enter the code it shows."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(f"{totp(key_from_secret(secret)):06d}")
    page.get_by_role("button", name="Continue").click()


def _as_if_confirmed_minutes_ago(page, minutes: int) -> None:
    """Make the session look as if its owner last proved themselves `minutes` ago (step-up goes stale)."""
    from django.contrib.sessions.backends.db import SessionStore

    from wrekin.accounts.middleware import SIGNED_IN_AT_SESSION_KEY

    [cookie] = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    for key in (SIGNED_IN_AT_SESSION_KEY, STEPPED_UP_AT_SESSION_KEY):
        if key in session:
            session[key] = session[key] - minutes * 60
    session.save()


def test_an_administrator_issues_a_set_up_link_and_the_newcomer_sets_up(new_context, live_server, personas,
                                                                        agencies):
    nadia = create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER, first_name="Nadia",
                        last_name="Price", enrolment_link=False)  # created at the command line; link lost
    ivan = personas["ivan"]

    admin = new_context().new_page()
    sign_in(admin, live_server.url, ivan, check=False)
    _as_if_confirmed_minutes_ago(admin, 10)
    admin.get_by_role("navigation", name="Menu").get_by_role("link", name="Accounts").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Accounts")
    expect(admin.locator("tbody")).to_contain_text("Not set up")
    check_accessibility(admin)
    screenshot(admin, "accounts")
    admin.get_by_role("link", name="Issue a set-up link for nadia").click()
    # A change to who can get into an account: Ivan confirms it is him first.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Confirm it’s you")
    admin.get_by_label("Code from your authenticator app").fill(
        code_for_device(TOTPDevice.objects.get(user=ivan, confirmed=True)))
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Issue a set-up link for nadia")
    check_accessibility(admin)
    admin.get_by_role("button", name="Issue a new set-up link").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Set-up link issued")
    link = admin.locator("#set-up-link").inner_text().strip()
    assert link.startswith(live_server.url + "/accounts/set-up/")
    check_accessibility(admin)
    screenshot(admin, "set-up-link-issued")

    newcomer = new_context().new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Set up your account")
    newcomer.get_by_role("button", name="Continue").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Choose a password")
    newcomer.get_by_label("Choose a password").fill("kettle-orchard-lantern-42")
    newcomer.get_by_label("Type the password again").fill("kettle-orchard-lantern-43")
    newcomer.get_by_role("button", name="Continue").click()
    expect(newcomer.locator(".govuk-error-summary")).to_contain_text("type the same one twice")
    check_accessibility(newcomer)
    newcomer.get_by_label("Choose a password").fill("kettle-orchard-lantern-42")
    newcomer.get_by_label("Type the password again").fill("kettle-orchard-lantern-42")
    newcomer.get_by_role("button", name="Continue").click()
    choose_an_authenticator_app(newcomer)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    secret = newcomer.locator("#totp-secret").inner_text()
    newcomer.get_by_label("Code from your authenticator app").fill(f"{totp(key_from_secret(secret)):06d}")
    newcomer.get_by_role("button", name="Continue").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Hello, Nadia")

    # The same link again, in another browser, is refused.
    again = new_context().new_page()
    response = again.goto(link)
    assert response.status == 410
    expect(again.get_by_role("heading", level=1)).to_have_text("This set-up link cannot be used")
    check_accessibility(again)
    nadia.refresh_from_db()
    assert nadia.check_password("kettle-orchard-lantern-42")


def test_an_administrator_creates_an_account_then_resets_its_lost_authenticator(new_context, live_server, personas,
                                                                                agencies):
    ivan = personas["ivan"]
    admin = new_context().new_page()
    sign_in(admin, live_server.url, ivan, check=False)
    _as_if_confirmed_minutes_ago(admin, 10)
    admin.get_by_role("navigation", name="Menu").get_by_role("link", name="Accounts").click()
    admin.get_by_role("link", name="Create an account").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Confirm it’s you")
    admin.get_by_label("Code from your authenticator app").fill(
        code_for_device(TOTPDevice.objects.get(user=ivan, confirmed=True)))
    admin.get_by_role("button", name="Continue").click()

    # The form: mistakes are explained and what was typed stays.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Create an account")
    check_accessibility(admin)
    admin.get_by_label("Username").fill("nadia")
    admin.get_by_label("First name").fill("Nadia")
    admin.get_by_label("Work e-mail address").fill("nadia.price@police")
    admin.get_by_role("button", name="Create account").click()
    summary = admin.locator(".govuk-error-summary")
    for message in ("Enter their last name", "Enter an e-mail address like", "Choose their agency",
                    "Choose their role"):
        expect(summary).to_contain_text(message)
    expect(admin.get_by_label("Username")).to_have_value("nadia")
    check_accessibility(admin)
    screenshot(admin, "create-account-errors")
    admin.get_by_label("Last name").fill("Price")
    admin.get_by_label("Work e-mail address").fill("nadia.price@police.example")
    admin.get_by_label("Agency").select_option(label="Test Constabulary")
    admin.get_by_label("Practitioner").check()
    admin.get_by_role("button", name="Create account").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Account created")
    link = admin.locator("#set-up-link").inner_text().strip()
    check_accessibility(admin)

    # Nadia sets up her account with the link.
    nadia_page = new_context().new_page()
    nadia_page.goto(link)
    nadia_page.get_by_role("button", name="Continue").click()
    nadia_page.get_by_label("Choose a password").fill("kettle-orchard-lantern-42")
    nadia_page.get_by_label("Type the password again").fill("kettle-orchard-lantern-42")
    nadia_page.get_by_role("button", name="Continue").click()
    choose_an_authenticator_app(nadia_page)
    enrol_an_app(nadia_page)
    expect(nadia_page.get_by_role("heading", level=1)).to_have_text("Hello, Nadia")

    # She loses her phone. Ivan resets her sign-in, with a reason.
    admin.get_by_role("link", name="Back to accounts").click()
    expect(admin.locator("tbody")).to_contain_text("nadia")
    admin.get_by_role("link", name="Reset sign-in of nadia").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Reset the sign-in of nadia?")
    expect(admin.locator(".govuk-summary-list")).to_contain_text("1 authenticator app, 0 passkeys")
    check_accessibility(admin)
    screenshot(admin, "reset-sign-in")
    admin.get_by_role("button", name="Reset sign-in").click()
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Give the reason")
    check_accessibility(admin)
    admin.get_by_label("Reason").fill("Lost her phone; confirmed with her manager")
    admin.get_by_role("button", name="Reset sign-in").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Sign-in reset")
    new_link = admin.locator("#set-up-link").inner_text().strip()
    assert new_link != link
    check_accessibility(admin)
    assert not TOTPDevice.objects.filter(user__username="nadia").exists()

    # Her old session has ended; the new link lets her set up a new app with her password.
    nadia_page.reload()
    expect(nadia_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    nadia_page.goto(new_link)
    nadia_page.get_by_role("button", name="Continue").click()
    expect(nadia_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    nadia_page.get_by_label("Username").fill("nadia")
    nadia_page.get_by_label("Password").fill("kettle-orchard-lantern-42")
    nadia_page.get_by_role("button", name="Continue").click()
    choose_an_authenticator_app(nadia_page)
    enrol_an_app(nadia_page)
    expect(nadia_page.get_by_role("heading", level=1)).to_have_text("Hello, Nadia")

    # Later she leaves: Ivan disables the account.
    admin.get_by_role("link", name="Back to accounts").click()
    admin.get_by_role("link", name="Disable nadia").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Disable nadia?")
    check_accessibility(admin)
    admin.get_by_label("Reason").fill("Left the service")
    admin.get_by_role("button", name="Disable account").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("nadia’s account is disabled")
    expect(admin.get_by_role("link", name="Enable nadia")).to_be_visible()
    check_accessibility(admin)
    nadia_page.reload()
    expect(nadia_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert AuditEvent.objects.filter(event_type="user.second_factors_reset", actor=ivan,
                                     reason="Lost her phone; confirmed with her manager").count() == 1


def test_administrator_sees_no_case_records(page, live_server, personas, people):
    sign_in(page, live_server.url, personas["ivan"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ivan")
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Home")).to_be_visible()
    expect(navigation.get_by_role("link", name="People")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Record a person")).to_have_count(0)
    check_accessibility(page)

    for path in (f"/people/{people['kayleigh'].pk}/", "/people/", "/people/new/", "/audit/"):
        response = page.goto(live_server.url + path)
        assert response.status in (403, 404), (path, response.status)
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(Page not found|You cannot do this)$"))
        expect(page.locator("main")).not_to_contain_text("Kayleigh")
        check_accessibility(page)


def test_auditor_sees_who_opened_a_record(new_context, live_server, personas, people):
    kayleigh = people["kayleigh"]

    alice = new_context().new_page()
    sign_in(alice, live_server.url, personas["alice"], check=False)
    alice.goto(f"{live_server.url}/people/{kayleigh.pk}/")
    expect(alice.get_by_role("heading", level=1)).to_contain_text("Kayleigh Smith")

    heidi = new_context().new_page()
    sign_in(heidi, live_server.url, personas["heidi"])
    expect(heidi.get_by_role("heading", level=1)).to_have_text("Hello, Heidi")
    check_accessibility(heidi)
    heidi.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit trail").click()
    expect(heidi.get_by_role("heading", level=1)).to_have_text("Audit trail")
    opened = heidi.locator("tbody tr", has_text="Opened a person's record")
    expect(opened.first).to_contain_text("alice")
    expect(opened.first).to_contain_text("Test Constabulary")
    expect(opened.first).to_contain_text(str(kayleigh.pk))
    check_accessibility(heidi)
    screenshot(heidi, "audit-trail")

    # Filter to that record's events (a plain GET form).
    heidi.get_by_label("Person reference").fill(str(kayleigh.pk))
    heidi.get_by_role("button", name="Filter").click()
    rows = heidi.locator("tbody tr")
    expect(rows.first).to_contain_text("Opened a person's record")
    for text in rows.all_inner_texts():
        assert str(kayleigh.pk) in text
    check_accessibility(heidi)
