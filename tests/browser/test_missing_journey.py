"""Missing episodes end to end: police record an episode and the return; children's social care
sees the return home interview due and records it late, with the reason; the coordinator sees
the missing-pattern alert raised by the third episode in 30 days and records a decision.

Every page visited is checked with axe-core (WCAG 2.2 AA); the main pages are captured for the guide.
Times are typed relative to now, as a practitioner would type them, in UK local time.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot, sign_in
from wrekin.missing import actions
from wrekin.missing.models import MissingPatternAlert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _typed_date(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day}/{local.month}/{local.year}"


def _typed_time(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def _two_earlier_episodes(personas, kayleigh) -> None:
    """Two episodes this month, each with a return home interview held in time."""
    alice, dana = personas["alice"], personas["dana"]
    for days_ago in (20, 12):
        episode = actions.record_missing_episode(
            actor=alice, child=kayleigh, reported_at=_local(days_ago, 20), returned_at=_local(days_ago - 1, 8),
            found_where="Returned home", last_seen_where="Wellington bus station",
            circumstances="Did not come home after school.", police_risk_grade="medium")
        actions.record_return_interview(
            actor=dana, episode=episode, outcome="completed", offered_at=_local(days_ago - 1, 10),
            offered_by_agency=dana.agency, completed_at=_local(days_ago - 1, 15), conducted_by="Duty social worker",
            location="Home", summary="Talked about school and friends.")


def test_missing_episode_return_interview_and_pattern_alert(new_context, live_server, personas, people):
    kayleigh = people["kayleigh"]
    _two_earlier_episodes(personas, kayleigh)
    reported, returned = _local(5, 20, 15), _local(4, 8, 30)

    # --- Police record the third episode, first with mistakes ---------------------------------------
    page = new_context().new_page()
    sign_in(page, live_server.url, personas["alice"], check=False)
    page.goto(f"{live_server.url}/missing/people/{kayleigh.pk}/")
    expect(_heading(page)).to_have_text("Missing episodes")
    expect(page.locator(".govuk-table")).to_contain_text("Met")
    check_accessibility(page)
    page.get_by_role("button", name="Record a missing episode").click()
    expect(_heading(page)).to_have_text("Record a missing episode")
    check_accessibility(page)

    page.get_by_label("Date reported missing").fill(_typed_date(reported))
    page.get_by_label("Time reported missing").fill("8.15 in the evening")
    page.get_by_label("Who reported them missing?").fill("Residential home staff")
    page.get_by_label("Circumstances").fill("Did not return to the children's home after school. "
                                            "Staff saw her get into a grey hatchback on Market Street.")
    page.get_by_role("button", name="Record missing episode").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Record a missing episode"))
    expect(summary.get_by_role("link")).to_have_text([
        "Enter the time they were reported missing like 21:30 or 9.30pm",
        "Enter where they were last seen",
        "Select whether they were missing from a care placement",
        "Select the police risk grade, or that it is not yet graded",
    ])
    expect(page.get_by_label("Who reported them missing?")).to_have_value("Residential home staff")
    expect(page.get_by_label("Circumstances")).to_contain_text("grey hatchback")
    check_accessibility(page)
    screenshot(page, "missing-record-episode-errors")

    page.get_by_label("Time reported missing").fill(_typed_time(reported))
    page.get_by_label("Where were they last seen?").fill("Market Street, Wellington")
    page.get_by_role("group", name="Were they missing from a care placement?").get_by_label("Yes").check()
    page.get_by_label("Police reference, if known").fill("WM-0042")
    page.get_by_role("group", name="Police risk grade").get_by_label("Medium").check()
    page.get_by_role("button", name="Record missing episode").click()
    expect(_heading(page)).to_contain_text("Missing episode reported")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Kayleigh Smith has gone missing 3 times within 30 days: "
                                   "the exploitation coordinators have been alerted")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Still missing")
    check_accessibility(page)

    # Her return, found by police, with who she was with and how she travelled.
    page.get_by_role("button", name="Record their return").click()
    expect(_heading(page)).to_have_text("Record their return")
    check_accessibility(page)
    page.get_by_label("Date they returned or were found").fill(_typed_date(returned))
    page.get_by_label("Time they returned or were found").fill(_typed_time(returned))
    page.get_by_label("Where were they found, or where did they return to?").fill(
        "Found by police at a house in Hadley")
    page.get_by_label("Who were they with?").fill("Two older males, one known as 'Zed'")
    page.get_by_role("group", name="How did they travel?").get_by_label("Car").check()
    page.get_by_label("Vehicle registration, if known").fill("AB12 C")
    page.get_by_role("button", name="Record return").click()
    expect(banner).to_contain_text("A return home interview must be offered by")
    clock = page.locator("#interview-clock")
    expect(clock).to_contain_text("Overdue")
    expect(clock).to_contain_text("No interview offered: overdue by")
    expect(page.get_by_text("Car", exact=True)).to_be_visible()
    check_accessibility(page)
    screenshot(page, "missing-episode-overdue")

    # --- Children's social care: the interview is overdue; they record it late, with the reason ----
    page = new_context().new_page()
    sign_in(page, live_server.url, personas["dana"], check=False)
    page.goto(f"{live_server.url}/missing/interviews/")
    expect(_heading(page)).to_have_text("Return home interviews due")
    rows = page.locator(".govuk-table__body .govuk-table__row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kayleigh Smith")
    expect(rows.first).to_contain_text("Overdue")
    check_accessibility(page)
    screenshot(page, "missing-interviews-due")

    rows.first.get_by_role("link").click()
    page.get_by_role("button", name="Record a return home interview").click()
    expect(_heading(page)).to_have_text("Record a return home interview")
    check_accessibility(page)
    offered, held = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=1)
    page.get_by_role("group", name="What happened?").get_by_label("Completed").check()
    page.get_by_label("Date offered").fill(_typed_date(offered))
    page.get_by_label("Time offered").fill(_typed_time(offered))
    expect(page.get_by_label("Agency that offered it")).to_have_value(str(personas["dana"].agency.pk))
    page.get_by_label("Date held, declined or last tried").fill(_typed_date(held))
    page.get_by_label("Time held, declined or last tried").fill(_typed_time(held))
    page.get_by_label("Who held the interview?").fill("Dana, team manager, Wrekin Children's Services")
    page.get_by_label("Where was it held?").fill("Her children's home")
    page.get_by_label("Summary of the interview").fill(
        "Said she went to a flat in Hadley with friends; was given cigarettes and a lift back.")
    page.get_by_role("button", name="Record interview").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [re.compile(r"^Enter why the interview was not offered within 72 hours of the return \(it was due by ")])
    expect(page.get_by_label("Summary of the interview")).to_contain_text("cigarettes and a lift back")
    check_accessibility(page)
    screenshot(page, "missing-interview-late-reason")

    summary.get_by_role("link").click()
    expect(page.get_by_label("Why was it not offered in time?")).to_be_focused()
    page.get_by_label("Why was it not offered in time?").fill(
        "The police notification reached the team after the weekend.")
    page.get_by_role("button", name="Record interview").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Return home interview recorded")
    expect(page.locator("#interview-clock")).to_contain_text("Missed")
    expect(page.locator(".govuk-summary-card")).to_contain_text("after the weekend")
    check_accessibility(page)
    screenshot(page, "missing-episode-interview")
    page.goto(f"{live_server.url}/missing/interviews/")
    expect(page.get_by_text("No return home interviews are due for children you can see.")).to_be_visible()
    check_accessibility(page)

    # --- The coordinator sees the alert and records a decision --------------------------------------
    page = new_context().new_page()
    sign_in(page, live_server.url, personas["erin"], check=False)
    page.goto(f"{live_server.url}/missing/alerts/")
    expect(_heading(page)).to_have_text("Missing-pattern alerts")
    check_accessibility(page)
    screenshot(page, "missing-alerts")
    page.get_by_role("link", name="Kayleigh Smith").click()
    expect(_heading(page)).to_have_text("Kayleigh Smith")
    expect(page.locator(".govuk-warning-text")).to_contain_text("was reported missing 3 times between")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Consider a strategy discussion")
    expect(page.get_by_role("link", name="Open Kayleigh Smith's record")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("group", name="What was decided?").get_by_label("No strategy discussion").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why no strategy discussion is needed")
    check_accessibility(page)
    page.get_by_role("group", name="What was decided?").get_by_label("Strategy discussion requested").check()
    page.get_by_label("Reason and notes").fill("Asked the children's social care duty manager to convene one.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    expect(page.get_by_text("Strategy discussion requested", exact=True)).to_be_visible()
    check_accessibility(page)
    screenshot(page, "missing-alert-decided")
    assert MissingPatternAlert.objects.get().status == "decided"
