"""The network end to end: the coordinator opens the network, reads the table of the planted people, things and
links, sees the picture drawn, exports GraphML (confirming it is her first: step-up), then reads the ranked
persons of concern and the hotspots;
a practitioner with JavaScript off gets the same tables, limited to what her agency may see.

Every page visited is checked with axe-core (WCAG 2.2 AA); the main pages are captured (viewport-sized)
for the user guide as docs/images/network*.png.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.support import SCREENSHOTS, _smaller_png, check_accessibility, code_for_device, sign_in
from tests.intelligence.linkworld import save  # noqa: F401 - fixture (world uses it)
from tests.intelligence.networkworld import world_fixture  # noqa: F401 - fixture
from wrekin.accounts.middleware import SIGNED_IN_AT_SESSION_KEY
from wrekin.accounts.step_up import STEPPED_UP_AT_SESSION_KEY
from wrekin.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _capture(page: Page, name: str) -> None:
    """A viewport-sized PNG of what is on screen now (the guide shows one screen, not the whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(full_page=False, animations="disabled", caret="hide")
    (SCREENSHOTS / f"{name}.png").write_bytes(_smaller_png(png))


def _age_the_session(page: Page, *, minutes: int) -> None:
    """Move the session's sign-in back, as if the person signed in `minutes` ago."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    for key in (SIGNED_IN_AT_SESSION_KEY, STEPPED_UP_AT_SESSION_KEY):
        if key in session:
            session[key] = session[key] - minutes * 60
    session.save()


def test_coordinator_explores_and_exports_the_network(new_context, live_server, personas, world):
    page = new_context().new_page()
    sign_in(page, live_server.url, personas["erin"])
    page.goto(f"{live_server.url}/intelligence/network/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network")
    nodes = page.locator("#network-nodes")
    for name in ("Kayleigh Smith", "Daniel Smyth (known as Danny)", "Jayden Clarke", "Mohammed Khan", "AB12 CDE",
                 "+447700900123", "Kwik Kebab, TF1 2AB"):
        expect(nodes.get_by_role("cell", name=name, exact=True)).to_be_visible()
    expect(page.locator("#network-links tbody tr")).to_have_count(11)
    # With JavaScript on, the picture is drawn from the page's JSON data block.
    canvas = page.locator("#network-canvas")
    expect(canvas).to_have_attribute("data-rendered", "true")
    expect(canvas.locator("canvas").first).to_be_attached()
    expect(page.locator("#network-legend li")).to_have_count(5)
    check_accessibility(page)
    page.locator("#shown").evaluate("heading => heading.scrollIntoView({block: 'start'})")
    _capture(page, "network")

    # An export leaves the system: signed in ten minutes ago, Erin first confirms it is her (step-up), and
    # the file follows. Nothing is recorded as exported until then.
    _age_the_session(page, minutes=10)
    page.get_by_role("link", name="Download cluster 1 as GraphML").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it’s you")
    check_accessibility(page)
    assert not AuditEvent.objects.filter(event_type="network.exported").exists()
    device = TOTPDevice.objects.get(user=personas["erin"], confirmed=True)
    page.get_by_label("Code from your authenticator app").fill(code_for_device(device))
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    graphml = download.value
    assert graphml.suggested_filename.startswith("wrekin-network-") and graphml.suggested_filename.endswith(".graphml")
    text = graphml.path().read_text(encoding="utf-8")
    assert f'<node id="child:{world["daniel"]}">' in text and "AB12 CDE" in text
    assert AuditEvent.objects.filter(event_type="network.exported", actor=personas["erin"]).count() == 1
    page.goto(f"{live_server.url}/intelligence/network/")

    # The neighbourhood of one child, from the table.
    page.get_by_role("link", name="Network around Jayden Clarke").click()
    expect(page.get_by_role("heading", level=2, name="Within two steps of Jayden Clarke")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Ranked persons of concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Persons of concern ranked by linked children")
    expect(page.get_by_role("cell", name="Children linked: 3 within 2 steps +9", exact=False)).to_be_visible()
    check_accessibility(page)
    page.locator("details.govuk-details").evaluate("filters => filters.scrollIntoView({block: 'start'})")
    _capture(page, "network-persons-ranked")

    page.get_by_role("link", name="Hotspots").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hotspots")
    expect(page.get_by_role("link", name="Kwik Kebab, TF1 2AB", exact=True)).to_be_visible()
    check_accessibility(page)
    page.locator("details.govuk-details").evaluate("filters => filters.scrollIntoView({block: 'start'})")
    _capture(page, "network-hotspots")


def test_practitioner_without_javascript_reads_her_part_of_the_network(new_context, page_without_js, live_server,
                                                                       personas, world):
    page = page_without_js
    sign_in(page, live_server.url, personas["alice"])
    page.goto(f"{live_server.url}/intelligence/network/")
    expect(page.get_by_text("This network shows only records about children and persons of concern")).to_be_visible()
    nodes = page.locator("#network-nodes")
    expect(nodes.get_by_role("cell", name="Kayleigh Smith", exact=True)).to_be_visible()
    expect(page.get_by_text("Daniel")).to_have_count(0)
    expect(page.locator("#network-canvas")).to_be_hidden()
    expect(page.get_by_role("link", name="Download cluster 1 as GraphML")).to_have_count(0)
    check_accessibility(page)
    # The filters work without JavaScript: a GET form.
    page.get_by_text("Filter the network").click()
    page.get_by_label("Phones").uncheck()
    page.get_by_role("button", name="Apply filters").click()
    expect(nodes.get_by_role("cell", name="+447700900123", exact=True)).to_have_count(0)
    expect(nodes.get_by_role("cell", name="AB12 CDE", exact=True)).to_be_visible()
    check_accessibility(page)
