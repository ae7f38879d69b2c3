"""A MACE meeting from arrangement to addendum, and disruption of a person of concern, in a real browser.

Grace (MACE chair, children's social care) arranges a meeting, invites Alice (police) and Erin
(coordinator), puts Kayleigh and a person of concern on the agenda, records attendance, a decision
and an action, approves the minutes and then adds an addendum. Alice, invited, sees it all; Bob,
not invited, gets "Page not found". Then Alice completes the person of concern's details and
records a Child Abduction Warning Notice. Every page visited is checked with axe-core (WCAG 2.2 AA).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot, sign_in
from wrekin.mace.models import MaceMeeting
from wrekin.people.models import Involvement, InvolvementKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def _visit(page: Page, shot: str | None = None) -> None:
    check_accessibility(page)
    if shot:
        screenshot(page, shot)


def test_mace_meeting_from_arrangement_to_addendum(new_context, live_server, personas, people):
    base = live_server.url
    today = timezone.localdate()
    # Children's social care is working with the person of concern too, so Grace can put him on the agenda.
    Involvement.objects.create(person=people["poc"], agency=personas["grace"].agency,
                               kind=InvolvementKind.WORKING_WITH, started_on=date(2026, 2, 1))

    # --- Grace arranges the meeting ---------------------------------------------------------------
    grace = new_context().new_page()
    sign_in(grace, base, personas["grace"], check=False)
    grace.goto(f"{base}/mace/")
    expect(_heading(grace)).to_have_text("MACE meetings")
    _visit(grace)
    grace.get_by_role("button", name="Arrange a meeting").click()
    expect(_heading(grace)).to_have_text("Arrange a MACE meeting")
    _visit(grace)
    grace.get_by_label("Where").fill("Civic Offices, room 2")
    grace.get_by_label(re.compile(r"^Alice — Practitioner")).check()
    grace.get_by_label(re.compile(r"^Erin — Exploitation coordinator")).check()
    grace.get_by_role("button", name="Arrange meeting").click()
    # Without a date: the error is listed, and what was chosen is kept.
    summary = grace.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the date of the meeting")
    expect(grace.get_by_label("Where")).to_have_value("Civic Offices, room 2")
    expect(grace.get_by_label(re.compile(r"^Alice — Practitioner"))).to_be_checked()
    _visit(grace, "mace-new-meeting-errors")
    grace.get_by_label("Date of the meeting").fill(today.strftime("%d/%m/%Y"))
    grace.get_by_role("button", name="Arrange meeting").click()
    expect(_heading(grace)).to_have_text(f"{today:%-d %B %Y}")
    expect(grace.locator(".govuk-notification-banner")).to_contain_text("The meeting has been arranged")
    _visit(grace)
    meeting = MaceMeeting.objects.get()

    # --- The agenda: Kayleigh, found by name, then the person of concern -----------------------------
    for name, kind, summary_text in (
        ("Kayleigh Smith", "Child or young person",
         "Three missing episodes in February; seen getting into a grey Audi near the station."),
        ("Mohammed Khan", "Person of concern", "Named by two children as the driver of the grey Audi."),
    ):
        grace.get_by_role("link", name="Add an agenda item").click()
        expect(_heading(grace)).to_have_text("Add an agenda item")
        grace.get_by_label(kind, exact=True).check()
        grace.get_by_label("Summary").fill(summary_text)
        grace.get_by_label("Find the child or person of concern by name").fill(name)
        grace.get_by_role("button", name="Find").click()
        choice = grace.get_by_label(re.compile(rf"^{name} — "))
        expect(choice).to_have_count(1)
        expect(grace.get_by_label("Summary")).to_have_value(summary_text)  # finding keeps what was typed
        _visit(grace, "mace-add-item" if kind == "Child or young person" else None)
        choice.check()
        grace.get_by_role("button", name="Add to the agenda").click()
        expect(grace.locator(f"#agenda ~ .govuk-summary-card >> text={name}").first).to_be_visible()

    # --- Attendance, a decision, an action, the minutes ------------------------------------------------
    grace.get_by_role("link", name="Record attendance").click()
    expect(_heading(grace)).to_have_text("Record attendance")
    grace.get_by_role("group", name="Alice, Test Constabulary").get_by_label("Attended").check()
    grace.get_by_role("group", name="Erin, Wrekin Children's Services").get_by_label("Sent apologies").check()
    _visit(grace)
    grace.get_by_role("button", name="Save attendance").click()

    grace.get_by_role("link", name="Record a decision about Kayleigh Smith").click()
    grace.get_by_label("Decision").fill("Police to consider a Child Abduction Warning Notice.")
    _visit(grace)
    grace.get_by_role("button", name="Save decision").click()

    grace.get_by_role("link", name="Add an action about Kayleigh Smith").click()
    expect(_heading(grace)).to_have_text("Add an action")
    grace.get_by_label("Action", exact=True).fill("Research the registered keeper of the grey Audi.")
    grace.get_by_label("Owner").select_option(label="Alice — Practitioner, Test Constabulary")
    grace.get_by_label("Due date").fill((today + timedelta(days=7)).strftime("%d/%m/%Y"))
    _visit(grace)
    grace.get_by_role("button", name="Add action").click()

    grace.get_by_role("link", name="Draft the minutes").click()
    grace.get_by_label("Minutes").fill("Police, children's social care and the coordinator shared what they "
                                       "know about Kayleigh and the grey Audi.")
    _visit(grace)
    grace.get_by_role("button", name="Save draft").click()

    # --- Approval: after it, the record cannot change ------------------------------------------------
    grace.get_by_role("link", name="Approve the minutes").click()
    expect(_heading(grace)).to_have_text("Approve the minutes")
    _visit(grace, "mace-approve")
    grace.get_by_label(re.compile(r"^I have read the minutes")).check()
    grace.get_by_role("button", name="Approve minutes").click()
    expect(grace.locator(".govuk-notification-banner")).to_contain_text("Minutes approved")
    expect(grace.get_by_role("link", name="Add an agenda item")).to_have_count(0)
    expect(grace.get_by_role("link", name="Record attendance")).to_have_count(0)

    grace.get_by_role("link", name="Add an addendum").click()
    grace.get_by_label("Addendum").fill("Correction: the car was silver, not grey.")
    _visit(grace)
    grace.get_by_role("button", name="Add addendum").click()
    expect(grace.locator("#addenda ~ ol")).to_contain_text("Correction: the car was silver, not grey.")
    _visit(grace, "mace-meeting")

    # A decision form for the approved meeting says why it cannot be used.
    grace.goto(f"{base}/mace/{meeting.pk}/minutes/")
    expect(grace.locator(".govuk-inset-text")).to_contain_text("can no longer change")
    _visit(grace)

    # --- Alice, invited, sees the meeting and its addendum -------------------------------------------
    alice = new_context().new_page()
    sign_in(alice, base, personas["alice"], check=False)
    alice.goto(f"{base}/mace/")
    _visit(alice, "mace-meetings")
    alice.get_by_role("link", name=f"{today:%-d %B %Y}").click()
    expect(_heading(alice)).to_have_text(f"{today:%-d %B %Y}")
    expect(alice.locator("#addenda ~ ol")).to_contain_text("the car was silver")
    expect(alice.get_by_role("link", name="Complete or cancel action due")).to_be_visible()
    _visit(alice)

    # --- Bob, not invited, finds nothing ----------------------------------------------------------------
    bob = new_context().new_page()
    sign_in(bob, base, personas["bob"], check=False)
    response = bob.goto(f"{base}/mace/{meeting.pk}/")
    assert response.status == 404
    expect(_heading(bob)).to_have_text("Page not found")
    expect(bob.locator("main")).not_to_contain_text("Kayleigh")
    _visit(bob)


def test_disruption_of_a_person_of_concern(page, live_server, personas, people):
    base = live_server.url
    sign_in(page, base, personas["alice"], check=False)
    page.goto(f"{base}/intelligence/people/")
    expect(_heading(page)).to_have_text("Persons of concern")
    _visit(page)
    page.get_by_role("link", name="Mohammed Khan").click()
    expect(_heading(page)).to_contain_text("Mohammed Khan")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Disruption cannot be recorded")
    _visit(page)

    # Casey rec. 4: answer every question first; "not known" is an answer.
    page.get_by_role("link", name="Complete the details of Mohammed Khan").click()
    expect(_heading(page)).to_have_text("Details of a person of concern")
    page.get_by_label("Ethnicity (observed)").select_option("APKN")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the person's ethnicity")
    expect(page.get_by_label("Ethnicity (observed)")).to_have_value("APKN")
    _visit(page, "disruption-demographics-errors")
    page.get_by_label("Ethnicity (self-defined)").select_option("REFU")
    page.get_by_label("Nationality not known").check()
    page.get_by_role("group", name="Disability").get_by_label("Not known").check()
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Details saved")
    _visit(page)

    # A section 2 notice for Kayleigh, who turned 16 on 4 March 2026: refused with the reason.
    page.get_by_role("button", name="Record disruption").click()
    expect(_heading(page)).to_have_text("Record disruption")
    page.get_by_label(re.compile(r"^Child Abduction Warning Notice \(s2")).check()
    page.get_by_label("Date", exact=True).fill("10/03/2026")
    page.get_by_label(re.compile(r"^Done")).check()
    page.get_by_label("Outcome").fill("Served in person at his home address.")
    page.get_by_label("Find a child by name").fill("Kayleigh Smith")
    page.get_by_role("button", name="Find").click()
    page.get_by_label(re.compile(r"^Kayleigh Smith — ")).check()
    _visit(page, "disruption-record")
    page.get_by_role("button", name="Record disruption").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Kayleigh Smith was 16 on 10 March 2026")
    expect(page.get_by_label("Outcome")).to_have_value("Served in person at his home address.")
    _visit(page)
    page.get_by_label("Date", exact=True).fill("10/01/2026")
    page.get_by_role("button", name="Record disruption").click()
    expect(_heading(page)).to_have_text("Child Abduction Warning Notice (s2)")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Kayleigh Smith")
    _visit(page, "disruption-detail")
    page.get_by_role("link", name="Back to Mohammed Khan's disruption log").click()
    _visit(page, "disruption-log")


def test_completeness_report(page, live_server, personas, people):
    sign_in(page, live_server.url, personas["frank"], check=False)
    page.goto(f"{live_server.url}/intelligence/people/completeness/")
    expect(_heading(page)).to_have_text("Completeness of persons of concern's details")
    expect(page.locator("main")).to_contain_text("0 of 1 person of concern has all six questions answered")
    _visit(page, "disruption-completeness")
