"""The demonstration partnership end to end: `wrekin seed` then `wrekin seed_activity`, and the demo users
find their work waiting. The social worker opens a case from *My cases*; the team manager sees this
morning's referrals to triage and the screenings waiting for approval.

Every page visited is checked with axe-core (WCAG 2.2 AA); the home pages are captured for the guide.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.support import check_accessibility, screenshot, sign_in
from tests.conftest import PASSWORD
from wrekin.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_user(username: str) -> User:
    """A seeded demo user, with the test password and an authenticator app, as after first sign-in."""
    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def test_demo_users_find_their_work_waiting(new_context, live_server, tmp_path):
    call_command("seed", children=120, seed=5, ground_truth=str(tmp_path / "truth.json"), stdout=StringIO())
    call_command("seed_activity", children=15, seed=1, stdout=StringIO())
    amir, rachel = _demo_user("amir"), _demo_user("rachel")

    page = new_context().new_page()
    sign_in(page, live_server.url, amir, check=False)
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    my_cases = page.locator("table", has=page.locator("caption", has_text="My cases"))
    expect(my_cases).to_be_visible()
    expect(page.locator("caption", has_text="Plan actions due and overdue")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "demo-home-social-worker")

    first_case = my_cases.locator("tbody a").first
    child = first_case.inner_text()
    first_case.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(child)
    check_accessibility(page)

    manager = new_context().new_page()
    sign_in(manager, live_server.url, rachel, check=False)
    expect(manager.locator("caption", has_text="Referrals awaiting triage")).to_be_visible()
    expect(manager.locator("caption", has_text="Screenings awaiting approval")).to_be_visible()
    check_accessibility(manager)
    screenshot(manager, "demo-home-team-manager")
