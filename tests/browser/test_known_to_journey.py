""""Known to" flags, end to end: a health practitioner searches for a child with an open case led by
children's social care, sees only the flag and whom to contact; the lead professional is told;
the auditor sees both the search and the flag on the trail.

Every page visited is checked with axe-core (WCAG 2.2 AA).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import support
from tests.browser.support import check_accessibility, sign_in
from wrekin.casework import actions as casework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def viewport_screenshot(page: Page, name: str) -> None:
    """A screenshot of what is on screen (not the whole page), kept small for the user guide."""
    page.evaluate(support._REMEMBER_STYLED)
    png = page.screenshot(full_page=False, animations="disabled", caret="hide")
    page.evaluate(support._FORGET_NEW_STYLES)
    support.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (support.SCREENSHOTS / f"{name}.png").write_bytes(support._smaller_png(png))


def test_outsider_sees_the_flag_lead_is_told_auditor_sees_both(new_context, live_server, personas, people):
    kayleigh = people["kayleigh"]
    # Kayleigh's case is open, led by Dana of children's social care.
    casework.open_case(actor=personas["erin"], person_id=kayleigh.pk, lead_professional_id=personas["dana"].pk,
                       reason="Two missing episodes in March; seen getting into cars with older men.")

    # 1. Charlie, a health practitioner, is not part of Kayleigh's work. He searches with her
    #    name and date of birth and is told she is known, and whom to call: not her record.
    charlie = new_context().new_page()
    sign_in(charlie, live_server.url, personas["charlie"])
    charlie.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    expect(_heading(charlie)).to_have_text("Find a person")
    charlie.get_by_label("Name, and date of birth or age if known").fill("Kayleigh Smith 04/03/2010")
    charlie.get_by_role("button", name="Search").click()
    flag = charlie.locator(".wrekin-known-to")
    expect(flag).to_have_count(1)
    expect(flag.get_by_role("heading", name="Known to other agencies")).to_be_visible()
    expect(flag).to_contain_text("Kayleigh Smith, born 2010")
    expect(flag).to_contain_text("Test Constabulary, Wrekin Children's Services")
    expect(flag).to_contain_text("Dana, Wrekin Children's Services")  # the lead professional
    expect(flag).to_contain_text("The lead professional has been told that you looked this child up")
    # No way into the record except break-glass.
    expect(charlie.locator(f'a[href="/people/{kayleigh.pk}/"]')).to_have_count(0)
    expect(flag.get_by_role("link", name=re.compile("open the record with break-glass"))).to_be_visible()
    check_accessibility(charlie)
    flag.scroll_into_view_if_needed()
    viewport_screenshot(charlie, "known-to-flag")
    # Opening the record by its address is refused like a record that does not exist.
    response = charlie.goto(f"{live_server.url}/people/{kayleigh.pk}/")
    assert response.status == 404
    expect(charlie.locator("main")).not_to_contain_text("Kayleigh")
    check_accessibility(charlie)

    # 2. Dana, the lead professional, signs in and finds the notification.
    dana = new_context().new_page()
    sign_in(dana, live_server.url, personas["dana"])
    dana.get_by_role("navigation", name="Menu").get_by_role("link", name="Notifications (1)").click()
    expect(_heading(dana)).to_have_text("Notifications")
    note = dana.locator("tbody tr").first
    expect(note).to_contain_text("Charlie (Wrekin Community Health) looked up Kayleigh Smith")
    expect(note).to_contain_text("A child you lead on was looked up")
    expect(note.get_by_role("link", name="open record")).to_be_visible()  # Dana can open it
    check_accessibility(dana)
    viewport_screenshot(dana, "notifications")

    # 3. Heidi, the auditor, sees the search and the flag on the trail.
    heidi = new_context().new_page()
    sign_in(heidi, live_server.url, personas["heidi"])
    heidi.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit trail").click()
    expect(_heading(heidi)).to_have_text("Audit trail")
    rows = heidi.locator("tbody tr")
    shown = rows.filter(has_text="Shown that a child is known to another team")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text("charlie")
    expect(shown).to_contain_text(str(kayleigh.pk))
    expect(rows.filter(has_text="Searched for people").filter(has_text="charlie")).to_have_count(1)
    check_accessibility(heidi)

    # "Who viewed this child", by record number.
    shown.get_by_role("link", name=re.compile(rf"^{kayleigh.pk}")).click()
    expect(_heading(heidi)).to_have_text("Who viewed this child")
    expect(heidi.locator(".govuk-caption-l")).to_have_text(f"Person reference {kayleigh.pk}")
    history = heidi.locator("tbody tr")
    expect(history.filter(has_text="Shown that a child is known to another team")).to_contain_text("charlie")
    expect(history.filter(has_text="Shown that a child is known to another team")).to_contain_text(
        "Wrekin Community Health")
    expect(heidi.locator("main")).not_to_contain_text("Kayleigh")
    check_accessibility(heidi)

    # "What this user did": Charlie's search and the flag he was shown.
    history.filter(has_text="Shown that a child is known").get_by_role("link", name=re.compile("^charlie")).click()
    expect(_heading(heidi)).to_have_text("What this user did")
    done = heidi.locator("tbody tr")
    expect(done.filter(has_text="Searched for people")).to_have_count(1)
    expect(done.filter(has_text="Shown that a child is known to another team")).to_have_count(1)
    expect(heidi.locator("main")).not_to_contain_text("04/03/2010")  # the search text stays in the trail
    check_accessibility(heidi)
