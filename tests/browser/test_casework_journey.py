"""Casework in a real browser: a coordinator opens a case for Kayleigh, builds the team and the
plan, records a strategy discussion and sees its clocks, reads and exports the chronology and
asks for closure; a team manager approves it. Every page visited is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot, sign_in
from wrekin.core.calendar import add_working_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def _on_case_page(page: Page) -> None:
    expect(page.get_by_role("heading", name="Team")).to_be_visible()
    check_accessibility(page)


def test_coordinator_runs_a_case_and_a_manager_approves_its_closure(new_context, live_server, personas, people):
    today = timezone.localdate()
    page = new_context().new_page()
    sign_in(page, live_server.url, personas["erin"], check=False)

    # The case list, then find the child to open a case for.
    page.goto(f"{live_server.url}/cases/")
    expect(_heading(page)).to_have_text("Cases")
    check_accessibility(page)
    page.get_by_role("link", name="Open a case for a child").click()
    expect(_heading(page)).to_have_text("Find the child")
    check_accessibility(page)
    page.get_by_label("Name, and date of birth or age if known").fill("Kayleigh Smith 2010")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 possible match")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Casework for Kayleigh Smith").click()
    expect(_heading(page)).to_have_text("Casework")
    check_accessibility(page)
    page.get_by_role("link", name="Open a case").click()
    expect(_heading(page)).to_have_text("Open a case")
    check_accessibility(page)

    # Without a reason the form comes back with its error, keeping the chosen lead.
    page.get_by_label("Lead professional").select_option(label="Erin — Wrekin Children's Services")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the case is being opened")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Lead professional")).to_have_value(str(personas["erin"].pk))
    check_accessibility(page)
    page.get_by_label("Why is the case being opened?").fill(
        "Two missing episodes this month; seen getting into cars driven by older men near the taxi rank.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case opened for Kayleigh Smith")
    _on_case_page(page)

    # Alice joins the team: police can already see Kayleigh.
    page.get_by_role("link", name="Add someone to the team").click()
    check_accessibility(page)
    page.get_by_label("Professional").select_option(label="Alice — Test Constabulary")
    page.get_by_label("Role in the team").fill("Police exploitation officer")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#team").locator("xpath=following-sibling::table[1]")).to_contain_text("Alice")
    _on_case_page(page)

    # A plan action owned by Alice.
    page.get_by_role("link", name="Add a plan action").click()
    check_accessibility(page)
    page.get_by_label("Action").fill("Return home interview after each missing episode")
    page.get_by_label("Owner").select_option(label="Alice — Test Constabulary")
    page.get_by_label("Due date").fill((today + timedelta(days=7)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Plan action added")
    _on_case_page(page)

    # A strategy discussion, and its working-day clocks on the case page.
    page.get_by_role("link", name="Record a strategy discussion").click()
    check_accessibility(page)
    page.get_by_label("Date of the discussion").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Test Constabulary").check()
    page.get_by_label("Wrekin Children's Services").check()
    page.get_by_label("Section 47 enquiry", exact=True).check()
    page.get_by_label("Rationale").fill("Reasonable cause to suspect Kayleigh is suffering significant harm.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Strategy discussion recorded")
    clocks = page.locator(".govuk-summary-card")
    follow_up = add_working_days(today, 5)
    expect(clocks).to_contain_text("Follow-up strategy meeting")
    expect(clocks).to_contain_text(f"{follow_up:%-d %B %Y}")
    expect(clocks).to_contain_text(f"{add_working_days(today, 15):%-d %B %Y}")
    expect(clocks).to_contain_text(f"{add_working_days(today, 45):%-d %B %Y}")
    expect(clocks).to_contain_text("working days left")
    _on_case_page(page)
    screenshot(page, "casework-case")

    # The chronology: every source on one timeline, filtered by type, exported as CSV.
    page.get_by_role("link", name="Chronology").click()
    expect(_heading(page)).to_have_text("Chronology")
    expect(page.locator(".moj-timeline")).to_contain_text("Case opened")
    expect(page.locator(".moj-timeline")).to_contain_text("Test Constabulary became involved")
    check_accessibility(page)
    screenshot(page, "casework-chronology")
    page.get_by_label("Type of event").select_option(label="Strategy discussion")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".moj-timeline__item")).to_have_count(1)
    assert "Kayleigh" not in page.url  # filters are codes
    check_accessibility(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    content = open(download.path(), encoding="utf-8").read()  # noqa: SIM115
    assert content.startswith("date,time,agency,event_type,event,title,summary,source")
    assert "strategy_discussion" in content and "case_opened" not in content

    # Closing needs the plan finished, then a manager's decision.
    page.get_by_role("link", name=re.compile("^Casework for Kayleigh Smith")).click()
    page.get_by_role("link", name=re.compile(r"^\d+ \w+ \d{4}$")).first.click()
    _on_case_page(page)
    page.get_by_role("link", name=re.compile("^Complete")).click()
    check_accessibility(page)
    page.get_by_label("Done").check()
    page.get_by_label("Note").fill("Interview held by Alice.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Ask for the case to be closed").click()
    check_accessibility(page)
    page.get_by_label("Why should the case close?").fill(
        "No missing episodes for twelve weeks; attending school; risk now low.")
    page.get_by_role("button", name="Ask a manager to decide").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("Closure requested")
    _on_case_page(page)
    case_url = page.url

    dana_page = new_context().new_page()
    sign_in(dana_page, live_server.url, personas["dana"], check=False)
    dana_page.goto(case_url)
    _on_case_page(dana_page)
    dana_page.get_by_role("link", name="Approve or return the request").click()
    expect(_heading(dana_page)).to_have_text("Decide on closing the case")
    expect(dana_page.locator(".govuk-summary-list")).to_contain_text("risk now low")
    check_accessibility(dana_page)
    screenshot(dana_page, "casework-closure-decision")
    dana_page.get_by_label("Approve: close the case").check()
    dana_page.get_by_label("Reasons for your decision").fill("Agreed at supervision.")
    dana_page.get_by_role("button", name="Record decision").click()
    expect(dana_page.locator(".govuk-notification-banner").first).to_contain_text("Decision recorded")
    expect(dana_page.locator(".govuk-tag").first).to_have_text("Closed")
    expect(dana_page.locator("#closure").locator("xpath=following-sibling::ul[1]")).to_contain_text(
        "Approved by Dana")
    _on_case_page(dana_page)

    dana_page.goto(f"{live_server.url}/cases/?state=closed&scope=all")
    expect(dana_page.get_by_role("link", name="Kayleigh Smith")).to_be_visible()
    check_accessibility(dana_page)
    screenshot(dana_page, "casework-list")
