"""Two agencies, two children, one car: the link alert raised, seen, opened and actioned, through the real pages.

Bob (school) refers Daniel, naming the car "ab12cde"; Alice (police) refers Kayleigh, and her
narrative says "AB12 CDE". The second referral raises a link alert. Alice, who can see only
Kayleigh, is told that a link exists and whom to contact. Erin (exploitation coordinator) finds
the alert on her home page's work list, opens it, opens the network around the car, comes back
and marks it actioned. Every page visited is checked with axe-core (WCAG 2.2 AA).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot, sign_in
from wrekin.intelligence.models import LinkAlert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def _visit(page: Page, shot: str | None = None) -> None:
    check_accessibility(page)
    if shot:
        screenshot(page, shot)


def _refer(page: Page, base: str, child, *, narrative: str, vehicle: str = "") -> None:
    page.goto(f"{base}/referrals/people/{child.pk}/refer/")
    expect(_heading(page)).to_have_text(f"Referral about {child.full_name}")
    _visit(page)
    page.get_by_label("When did it happen?").fill("01/05/2026")
    page.get_by_label("What happened?").fill(narrative)
    if vehicle:
        page.locator("#id_mentions-0-kind").select_option("vehicle")
        page.locator("#id_mentions-0-value").fill(vehicle)
        page.locator("#id_mentions-0-relationship").fill("child was picked up in")
    page.get_by_label("Public task — UK GDPR Article 6(1)(e)").check()
    page.get_by_label("Consent given").check()
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent for triage")
    _visit(page)


def test_a_shared_car_raises_a_link_alert_the_coordinator_actions(new_context, live_server, personas, people):
    base = live_server.url

    # --- The school names the car about Daniel ---------------------------------------------------
    bob = new_context().new_page()
    sign_in(bob, base, personas["bob"], check=False)
    _refer(bob, base, people["daniel"], vehicle="ab12cde",
           narrative="Daniel was collected from the school gates by an adult in a silver car.")
    assert not LinkAlert.objects.exists()

    # --- The police mention it, in another format, about Kayleigh ---------------------------------
    alice = new_context().new_page()
    sign_in(alice, base, personas["alice"], check=False)
    _refer(alice, base, people["kayleigh"],
           narrative="Kayleigh was found at 01:30 in a silver Audi, AB12 CDE, with an adult male.")
    alert = LinkAlert.objects.get()
    assert alert.anchor_entity.key == "AB12CDE" and alert.child_count == 2 and alert.agency_count == 2

    # Alice can see Kayleigh, so she learns that a link exists and whom to contact: nothing more.
    alice.goto(f"{base}/intelligence/alerts/")
    expect(_heading(alice)).to_have_text("Link alerts")
    _visit(alice)
    alice.get_by_role("link", name=f"Link alert {alert.pk}").click()
    expect(_heading(alice)).to_have_text("A link exists")
    expect(alice.locator("main")).not_to_contain_text("AB12")
    expect(alice.locator("main")).not_to_contain_text("Daniel")
    _visit(alice, "intelligence-alert-limited")

    # --- Erin sees it on her work list and opens it -------------------------------------------------
    erin = new_context().new_page()
    sign_in(erin, base, personas["erin"], check=False)
    erin.goto(f"{base}/")
    work = erin.locator("table", has_text="Link alerts to triage")
    expect(work).to_contain_text("Vehicle AB12 CDE")
    expect(work).to_contain_text("2 records about 2 children from 2 agencies")
    expect(work).to_contain_text("Unconfirmed")
    _visit(erin, "intelligence-alert-worklist")
    work.get_by_role("link", name="Vehicle AB12 CDE").click()
    expect(_heading(erin)).to_have_text("Vehicle AB12 CDE")
    expect(erin.locator("#explanation")).to_contain_text(
        "Vehicle AB12 CDE is mentioned in 2 records about 2 children from 2 agencies")
    expect(erin.locator("main")).to_contain_text("recorded as “ab12cde”, which is AB12 CDE after normalisation")
    expect(erin.get_by_role("link", name="Daniel Smyth")).to_be_visible()
    expect(erin.get_by_role("link", name="Kayleigh Smith")).to_be_visible()
    _visit(erin, "intelligence-alert-detail")

    # The network around the car: both children, joined by it.
    erin.get_by_role("link", name="Open the network around AB12 CDE").click()
    expect(_heading(erin)).to_have_text("Network")
    nodes = erin.locator("#network-nodes")
    for name in ("AB12 CDE", "Daniel Smyth (known as Danny)", "Kayleigh Smith"):
        expect(nodes.get_by_role("cell", name=name, exact=True)).to_be_visible()
    _visit(erin)
    erin.go_back()
    expect(_heading(erin)).to_have_text("Vehicle AB12 CDE")

    # The entity: every mention Erin may see, and the machine-found one can be reviewed.
    erin.get_by_role("link", name="Vehicle AB12 CDE").first.click()
    expect(_heading(erin)).to_have_text("AB12 CDE")
    expect(erin.locator("main")).to_contain_text("Found in the narrative")
    _visit(erin, "intelligence-entity")
    erin.go_back()

    # A dismissal needs a reason: the error is shown and the choice kept.
    erin.get_by_label("Dismissed").check()
    erin.get_by_role("button", name="Save").click()
    summary = erin.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Explain why this link needs no action")
    _visit(erin)

    erin.get_by_label("Actioned").check()
    erin.get_by_label("Note").fill("Strategy discussion arranged for both children; car details passed to police.")
    erin.get_by_role("button", name="Save").click()
    expect(erin.locator(".govuk-notification-banner")).to_contain_text("Alert marked actioned")
    expect(erin.locator("main")).to_contain_text("This alert is actioned")
    _visit(erin)
    alert.refresh_from_db()
    assert alert.status == "actioned"

    erin.goto(f"{base}/")
    expect(erin.locator("main")).not_to_contain_text("Link alerts to triage")
    _visit(erin)
    erin.goto(f"{base}/intelligence/alerts/?status=actioned")
    expect(erin.locator("main")).to_contain_text("Vehicle AB12 CDE")
    _visit(erin, "intelligence-alerts")
