"""A practitioner finds a child and opens the record; forms show their errors the GOV.UK way.

Every page visited is checked with axe-core (WCAG 2.2 AA). The search journey is walked twice:
with JavaScript (htmx enhances the search page) and without it (plain form posts).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_practitioner_searches_and_opens_a_record(page, live_server, personas, people):
    sign_in(page, live_server.url, personas["alice"], capture="sign-in")
    expect(_heading(page)).to_have_text("Hello, Alice")
    expect(page.locator(".moj-identity-bar")).to_contain_text("Test Constabulary")
    expect(page.locator(".wrekin-header__partnership")).to_have_text("Wrekin Test Partnership")
    check_accessibility(page)
    screenshot(page, "home")

    # Search from the home page: a plain form post to the search page.
    page.get_by_label("Find a person").fill("Kayleigh Smith 2010")
    page.get_by_role("button", name="Search").click()
    expect(_heading(page)).to_have_text("Find a person")
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", level=2)).to_have_text(re.compile(r"^\d+ possible match(es)?$"))
    # The Kayleigh Smith recorded in another partnership is never shown.
    expect(results.get_by_role("link", name="Kayleigh Smith")).to_have_count(1)
    expect(results).to_contain_text("Why it matched")
    expect(page.get_by_label("Name, and date of birth or age if known")).to_have_value("Kayleigh Smith 2010")
    check_accessibility(page)
    screenshot(page, "search-results")

    # Search again on the search page: htmx replaces the search region without reloading the page,
    # and moves focus to the new results' heading so screen readers announce them.
    page.evaluate("() => { window.wrekinSamePage = true }")
    page.get_by_label("Name, and date of birth or age if known").fill("Kayleigh Smyth 04/03/2010")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Name, and date of birth or age if known")).to_have_value("Kayleigh Smyth 04/03/2010")
    expect(results.get_by_role("heading", level=2)).to_be_focused()
    expect(results.get_by_role("link", name="Kayleigh Smith")).to_have_count(1)
    assert page.evaluate("() => window.wrekinSamePage === true"), "the search reloaded the page"
    check_accessibility(page)

    results.get_by_role("link", name="Kayleigh Smith").click()
    expect(_heading(page)).to_contain_text("Kayleigh Smith")
    expect(page).to_have_title(re.compile(r"^Kayleigh Smith – Wrekin$"))
    expect(page.get_by_role("heading", name="Agencies involved")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("4 March 2010")
    check_accessibility(page)
    screenshot(page, "person-record")


def test_search_journey_works_without_javascript(page_without_js, live_server, personas, people):
    page = page_without_js
    sign_in(page, live_server.url, personas["alice"])
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    expect(_heading(page)).to_have_text("Hello, Alice")
    check_accessibility(page)

    page.get_by_label("Find a person").fill("Kayleigh Smith 2010")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results").get_by_role("link", name="Kayleigh Smith")).to_have_count(1)
    check_accessibility(page)

    # The search page's own form posts and renders the whole page when htmx cannot run.
    page.get_by_label("Name, and date of birth or age if known").fill("")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name to search for")
    check_accessibility(page)
    page.get_by_label("Name, and date of birth or age if known").fill("Kayleigh Smith 2010")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    page.locator("#search-results").get_by_role("link", name="Kayleigh Smith").click()
    expect(_heading(page)).to_contain_text("Kayleigh Smith")
    check_accessibility(page)

    # Signing out is a form post, so it works without JavaScript too.
    page.get_by_role("button", name="Sign out").click()
    expect(_heading(page)).to_have_text("Sign in")


def test_empty_search_shows_an_error(page, live_server, personas, people):
    sign_in(page, live_server.url, personas["alice"], check=False)
    page.get_by_role("link", name="People").click()
    expect(_heading(page)).to_have_text("Find a person")
    check_accessibility(page)

    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(page).to_have_title(re.compile(r"^Error: Find a person"))
    expect(page.locator(".govuk-error-message")).to_contain_text("Enter a name to search for")
    check_accessibility(page)

    summary.get_by_role("link", name="Enter a name to search for").click()
    expect(page.get_by_label("Name, and date of birth or age if known")).to_be_focused()

    # A good search afterwards clears the error.
    page.get_by_label("Name, and date of birth or age if known").fill("Kayleigh Smith")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results").get_by_role("link", name="Kayleigh Smith")).to_have_count(1)
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page).to_have_title(re.compile(r"^Find a person"))


def test_record_a_person_shows_errors_and_keeps_what_was_typed(page, live_server, personas, people):
    sign_in(page, live_server.url, personas["alice"], check=False)
    page.goto(f"{live_server.url}/people/new/")
    expect(_heading(page)).to_have_text("Record a person")
    check_accessibility(page)

    # No given name; a town without the first line of the address.
    page.get_by_label("Family name").fill("Brookes")
    page.get_by_label("Known as").fill("Ty")
    page.get_by_label("Town or city").fill("Telford")
    page.get_by_label("Why your agency is involved").fill("Seen getting into cars outside school.")
    page.get_by_role("button", name="Record this person").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Record a person"))
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter the person's given name", "Enter the first line of the address"]
    )
    # What was typed is still there.
    expect(page.get_by_label("Family name")).to_have_value("Brookes")
    expect(page.get_by_label("Known as")).to_have_value("Ty")
    expect(page.get_by_label("Town or city")).to_have_value("Telford")
    expect(page.get_by_label("Why your agency is involved")).to_have_value("Seen getting into cars outside school.")
    # Each field shows its own message, tied to it for screen readers.
    given = page.get_by_label("Given name", exact=True)
    expect(given).to_have_attribute("aria-describedby", re.compile(r"\bid_given_name-error\b"))
    expect(page.locator("#id_given_name-error")).to_have_text("Error: Enter the person's given name")
    check_accessibility(page)
    screenshot(page, "record-a-person-errors")

    # The summary's links move focus to the field.
    summary.get_by_role("link", name="Enter the first line of the address").click()
    expect(page.get_by_label("Address line 1")).to_be_focused()
    summary.get_by_role("link", name="Enter the person's given name").click()
    expect(given).to_be_focused()

    # Correct both and the person is recorded.
    given.fill("Tyler")
    page.get_by_label("Address line 1").fill("1 High Street")
    page.get_by_role("button", name="Record this person").click()
    expect(_heading(page)).to_contain_text("Tyler Brookes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Tyler Brookes has been recorded")
    check_accessibility(page)
