"""Signing in for the first time, and what an administrator and an auditor can reach."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.support import check_accessibility, key_from_secret, screenshot, sign_in, submit_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_enrols_an_authenticator_app(page, live_server, personas):
    bob = personas["bob"]
    TOTPDevice.objects.filter(user=bob).delete()  # a new account: no authenticator yet

    submit_password(page, live_server.url, "bob")
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
    check_accessibility(page)


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
