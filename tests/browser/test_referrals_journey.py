"""A concern from a school to an approved screening, through the real pages, checked with axe-core.

Bob (school practitioner) refers Daniel with indicators and a car, and confirms another car Wrekin
found in what he wrote; Erin (exploitation
coordinator, children's social care) triages it to screening and screens him as medium with a
rationale; Dana (children's social care manager), who can see Daniel because triage made her
agency part of his work, approves the screening. Every page visited is checked (WCAG 2.2 AA).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot, sign_in
from wrekin.referrals.actions import current_instrument
from wrekin.referrals.models import Referral, Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def _visit(page: Page, shot: str | None = None) -> None:
    check_accessibility(page)
    if shot:
        screenshot(page, shot)


def test_referral_to_approved_screening(new_context, live_server, personas, people):
    base = live_server.url
    instrument = current_instrument()

    # --- Bob, at the school, refers Daniel -------------------------------------------------------
    bob = new_context().new_page()
    sign_in(bob, base, personas["bob"], check=False)
    bob.goto(f"{base}/referrals/new/")
    expect(_heading(bob)).to_have_text("Make a referral")
    _visit(bob)
    bob.get_by_label("Child's name, and date of birth or age if known").fill("Danny Smyth 2010")
    bob.get_by_role("button", name="Search").click()
    expect(bob.locator("#child-search-results")).to_contain_text("1 possible match")
    _visit(bob, "referrals-find-child")
    bob.get_by_role("link", name="Refer Daniel Smyth").click()
    expect(_heading(bob)).to_have_text("Referral about Daniel Smyth")
    _visit(bob)

    # As he writes, Wrekin suggests what the narrative mentions; he confirms the car that dropped Daniel off.
    narrative = ("Seen getting into a silver car outside school at 15:30, twice. "
                 "Dropped off later by a blue car, CD15 XYZ.")
    bob.get_by_label("What happened?").fill(narrative)
    suggestions = bob.locator("#narrative-suggestions")
    expect(suggestions).to_contain_text("Wrekin found 1 thing this text mentions")
    vehicle = bob.get_by_role("group", name="Vehicle: CD15 XYZ")
    expect(vehicle).to_contain_text("Written as “CD15 XYZ”")
    vehicle.get_by_label("Yes, this is right").check()
    _visit(bob, "referrals-suggestions")

    # Sent too early: the errors are listed and nothing typed (nor the confirmation) is lost.
    bob.get_by_role("button", name="Send referral").click()
    summary = bob.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(bob).to_have_title(re.compile(r"^Error: Referral about Daniel Smyth"))
    expect(summary).to_contain_text("Enter the date it happened")
    expect(bob.get_by_label("What happened?")).to_have_value(narrative)
    expect(bob.get_by_role("group", name="Vehicle: CD15 XYZ").get_by_label("Yes, this is right")).to_be_checked()
    _visit(bob, "referrals-new-errors")

    bob.get_by_label("When did it happen?").fill("01/05/2026")
    bob.get_by_label("Seen getting into or out of cars driven by adults the family does not know").check()
    bob.get_by_label("Missing from home more than once, or out overnight with no explanation").check()
    bob.locator("#id_mentions-0-kind").select_option("vehicle")
    bob.locator("#id_mentions-0-value").fill("AB12 CDE")
    bob.locator("#id_mentions-0-relationship").fill("child was picked up in")
    bob.locator("#id_mentions-0-detail").fill("silver hatchback")
    # "Add another" keeps everything and adds a row, without JavaScript-only tricks.
    bob.get_by_role("button", name="Add another").click()
    expect(bob.locator("#id_mentions-3-value")).to_be_visible()
    expect(bob.locator("#id_mentions-0-value")).to_have_value("AB12 CDE")
    expect(bob.locator(".govuk-error-summary")).to_have_count(0)
    bob.get_by_label("Public task — UK GDPR Article 6(1)(e)").check()
    bob.get_by_label("Consent not sought — shared without consent").check()
    bob.get_by_label("Why are you sharing without consent?").fill("Asking the family could alert the driver.")
    _visit(bob, "referrals-new")
    bob.get_by_role("button", name="Send referral").click()
    expect(_heading(bob)).to_have_text("Referral about Daniel Smyth")
    expect(bob.locator(".govuk-notification-banner")).to_contain_text("sent for triage")
    expect(bob.get_by_role("cell", name="AB12 CDE")).to_be_visible()
    # The confirmed suggestion is on the referral beside what he typed in by hand.
    expect(bob.get_by_role("cell", name="CD15 XYZ")).to_be_visible()
    _visit(bob, "referrals-detail")
    referral = Referral.objects.get()

    # --- Erin triages it to screening and screens Daniel ------------------------------------------
    erin = new_context().new_page()
    sign_in(erin, base, personas["erin"], check=False)
    erin.goto(f"{base}/referrals/triage/")
    expect(_heading(erin)).to_have_text("Triage queue")
    _visit(erin, "referrals-triage-queue")
    erin.get_by_role("link", name="Daniel Smyth").click()
    expect(erin.locator(".govuk-caption-l")).to_contain_text("Triage")
    _visit(erin)
    erin.get_by_label("Screen for exploitation").check()
    erin.get_by_label("Reason for the decision").fill("Car seen twice and missing overnight: screen.")
    _visit(erin, "referrals-triage")
    erin.get_by_role("button", name="Record decision").click()
    expect(erin.locator(".govuk-notification-banner")).to_contain_text("screen for exploitation")
    _visit(erin)
    erin.get_by_role("button", name="Screen Daniel Smyth").click()
    expect(_heading(erin)).to_have_text("Screen Daniel Smyth")
    _visit(erin)

    positive = {"missing_repeat", "cars_unknown_adults", "school_absence"}
    for indicator in instrument.indicators:
        code = indicator["code"]
        if code in positive:
            erin.locator(f"#id_{code}-answer_0").check()       # present
            erin.locator(f"#id_{code}-window_0").check()       # in the last 3 months
            erin.locator(f"#id_{code}-basis_0").check()        # evidence
        else:
            erin.locator(f"#id_{code}-answer_2").check()       # not present
    erin.locator("#id_missing_repeat-note").fill("Reported missing twice since April")
    erin.get_by_label("Medium", exact=True).check()
    erin.get_by_label("Rationale for your judgement").fill(
        "Two missing episodes and an unknown adult driving him; no disclosure. A multi-agency plan is needed.")
    erin.get_by_role("button", name="Submit for approval").click()
    expect(_heading(erin)).to_have_text("Screening of Daniel Smyth")
    expect(erin.locator("#advisory-score")).to_contain_text("Advisory score: 8")
    expect(erin.locator("#score-parts")).to_contain_text("Missing from home more than once")
    _visit(erin, "referrals-screening-detail")
    screening = Screening.objects.get()
    assert screening.referral == referral and screening.grade == "medium"

    # --- Dana approves it ---------------------------------------------------------------------------
    dana = new_context().new_page()
    sign_in(dana, base, personas["dana"], check=False)
    dana.goto(f"{base}/referrals/screenings/awaiting-approval/")
    expect(_heading(dana)).to_have_text("Screenings awaiting approval")
    _visit(dana)
    dana.get_by_role("link", name="Daniel Smyth").click()
    expect(_heading(dana)).to_have_text("Screening of Daniel Smyth")
    _visit(dana, "referrals-screening-approval")
    dana.get_by_label("Approve the screening").check()
    dana.get_by_role("button", name="Record decision").click()
    expect(dana.locator(".govuk-notification-banner")).to_contain_text("Screening approved")
    expect(dana.locator(".govuk-summary-list").first).to_contain_text("Approved by Dana")
    _visit(dana)
    dana.get_by_role("link", name="Daniel Smyth").first.click()
    expect(_heading(dana)).to_have_text("Referrals and screenings")
    _visit(dana, "referrals-person-screenings")


def test_the_screening_form_without_javascript_keeps_answers_on_error(page_without_js, live_server, personas,
                                                                      people):
    page = page_without_js
    instrument = current_instrument()
    sign_in(page, live_server.url, personas["erin"], check=False)
    page.goto(f"{live_server.url}/referrals/people/{people['kayleigh'].pk}/screenings/new/")
    expect(_heading(page)).to_have_text("Screen Kayleigh Smith")
    for indicator in instrument.indicators:
        page.locator(f"#id_{indicator['code']}-answer_2").check()  # not present
    page.locator("#id_disclosure-answer_0").check()  # a disclosure, present, but not said when
    page.locator("#id_disclosure-basis_0").check()
    page.get_by_label("Low", exact=True).check()
    page.get_by_label("Rationale for your judgement").fill("Told her teacher about the older friend.")
    page.get_by_role("button", name="Submit for approval").click()

    summary = page.locator(".govuk-error-summary")
    expect(page).to_have_title(re.compile(r"^Error: Screen Kayleigh Smith"))
    expect(summary.get_by_role("link")).to_have_text([
        "Say when “Has told someone they are being exploited, harmed, or made or paid to do things” was seen",
        "The child has made a disclosure, so the grade cannot be “No risk identified” or “Low”: "
        "choose “Medium” or “High”",
    ])
    # Every answer and the judgement are still there.
    expect(page.locator("#id_disclosure-answer_0")).to_be_checked()
    expect(page.locator("#id_disclosure-basis_0")).to_be_checked()
    expect(page.locator("#id_self_harm-answer_2")).to_be_checked()
    expect(page.get_by_label("Low", exact=True)).to_be_checked()
    expect(page.get_by_label("Rationale for your judgement")).to_have_value("Told her teacher about the older friend.")
    check_accessibility(page)
    screenshot(page, "referrals-screening-errors")
    assert not Screening.objects.exists()


def test_without_javascript_the_narrative_is_checked_by_a_button(page_without_js, live_server, personas, people):
    page = page_without_js
    sign_in(page, live_server.url, personas["bob"], check=False)
    page.goto(live_server.url + reverse("referrals:create", args=[people["daniel"].pk]))
    expect(_heading(page)).to_have_text("Referral about Daniel Smyth")
    narrative = "Picked up from the school gates by a blue car, CD15 XYZ; a man on 07700 900123 calls him."
    page.get_by_label("What happened?").fill(narrative)
    page.get_by_label("Public task — UK GDPR Article 6(1)(e)").check()
    page.get_by_role("button", name="Check the narrative for vehicles, phones and places").click()
    # The same page again, nothing lost, no errors, and what Wrekin found to confirm or reject.
    expect(_heading(page)).to_have_text("Referral about Daniel Smyth")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_label("What happened?")).to_have_value(narrative)
    expect(page.get_by_label("Public task — UK GDPR Article 6(1)(e)")).to_be_checked()
    expect(page.locator("#narrative-suggestions")).to_contain_text("Wrekin found 2 things this text mentions")
    page.get_by_role("group", name="Vehicle: CD15 XYZ").get_by_label("Yes, this is right").check()
    page.get_by_role("group", name="Phone: +447700900123").get_by_label("No, reject this").check()
    check_accessibility(page)
    page.get_by_label("When did it happen?").fill("01/05/2026")
    page.get_by_label("Consent given").check()
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent for triage")
    expect(page.get_by_role("cell", name="CD15 XYZ")).to_be_visible()
    expect(page.get_by_role("cell", name="07700 900123")).to_have_count(0)
