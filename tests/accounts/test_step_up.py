"""Step-up re-authentication before exports and access changes (wrekin/accounts/step_up.py).

Time is moved with the `clock` fixture (django.utils.timezone.now); authenticator codes follow
the real clock, so a code used once is refused however far the test clock moves.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_for, wrong_code_for
from tests.conftest import PASSWORD
from wrekin.access.models import BreakGlassGrant
from wrekin.accounts.step_up import STEPPED_UP_AT_SESSION_KEY, require_step_up, safe_next_url
from wrekin.audit.models import AuditEvent

STEP_UP = reverse("accounts:step_up")
HOME = reverse("core:home")


def step_up_url(next_path: str) -> str:
    return f"{STEP_UP}?{urlencode({'next': next_path})}"


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


@pytest.fixture
def export_url(people):
    # Dana (children's social care manager) can see Kayleigh, so may export her chronology.
    return reverse("casework:chronology_csv", args=[people["kayleigh"].pk]) + "?order=oldest"


def device_of(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def test_an_export_needs_a_fresh_confirmation(client_for, personas, export_url, clock):
    client = client_for("dana")
    clock.advance(minutes=5, seconds=1)  # signed in more than five minutes ago

    response = client.get(export_url)
    assert response.status_code == 302 and response["Location"] == step_up_url(export_url)
    assert not events("chronology.exported").exists()

    response = client.get(response["Location"])
    assert response.status_code == 200 and "Confirm it’s you" in response.text
    assert f'value="{export_url}"' in response.text
    assert response.context["passkey_options"] is None  # no passkey: the code is the way

    response = client.post(STEP_UP, {"code": code_for(device_of(personas["dana"])), "next": export_url})
    assert response.status_code == 302 and response["Location"] == export_url
    response = client.get(export_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert events("chronology.exported").count() == 1
    event = events("user.step_up_verified").get()
    assert event.actor == personas["dana"] and event.details == {"method": "totp", "purpose": "step_up"}


def test_signing_in_counts_as_a_fresh_confirmation(client, personas, export_url):
    client.post(reverse("accounts:login"), {"username": "dana", "password": PASSWORD})
    client.post(reverse("accounts:mfa"), {"code": code_for(device_of(personas["dana"]))})
    assert client.get(export_url).status_code == 200


def test_a_confirmation_lasts_five_minutes(client_for, personas, export_url, clock):
    client = client_for("dana")
    clock.advance(minutes=10)
    assert client.get(export_url).status_code == 302
    client.post(STEP_UP, {"code": code_for(device_of(personas["dana"])), "next": export_url})
    clock.advance(minutes=4, seconds=50)  # (real time passes too while the test runs)
    assert client.get(export_url).status_code == 200
    clock.advance(seconds=11)
    response = client.get(export_url)
    assert response.status_code == 302 and response["Location"] == step_up_url(export_url)
    assert events("chronology.exported").count() == 1


def test_the_window_follows_the_setting(client_for, export_url, clock, settings):
    settings.WREKIN_STEP_UP_SECONDS = 60
    client = client_for("dana")
    assert client.get(export_url).status_code == 200
    clock.advance(seconds=61)
    assert client.get(export_url).status_code == 302


def test_a_code_already_used_is_refused(client_for, personas, export_url, clock):
    client = client_for("dana")
    device = device_of(personas["dana"])
    code = code_for(device)
    clock.advance(minutes=6)
    assert client.post(STEP_UP, {"code": code, "next": export_url}).status_code == 302

    clock.advance(minutes=6)  # the confirmation has run out; the same code is tried again
    response = client.post(STEP_UP, {"code": code, "next": export_url})
    assert response.status_code == 200
    assert "That code is wrong or has already been used" in response.text
    assert f'value="{code}"' in response.text  # what was typed is kept
    assert client.get(export_url).status_code == 302
    assert events("user.step_up_failed").get().details == {"method": "totp", "purpose": "step_up",
                                                           "reason": "wrong_code"}


def test_a_code_spent_on_break_glass_cannot_be_used_again(client_for, personas, people, clock):
    client = client_for("charlie")
    code = code_for(device_of(personas["charlie"]))
    response = client.post(reverse("access:break_glass", args=[people["kayleigh"].pk]),
                           {"reason": "Found at 2am at the bus station; lead not reachable.", "code": code})
    assert response.status_code == 302 and BreakGlassGrant.objects.count() == 1
    assert events("user.step_up_verified").get().details == {"method": "totp", "purpose": "break_glass"}
    clock.advance(minutes=6)
    response = client.post(STEP_UP, {"code": code})
    assert "That code is wrong or has already been used" in response.text


def test_a_good_inline_code_counts_as_a_fresh_confirmation(client_for, personas, people, export_url, clock):
    client = client_for("dana")
    clock.advance(minutes=6)
    assert client.get(export_url).status_code == 302
    response = client.post(reverse("access:restrict", args=[people["jayden"].pk]), {
        "reason": "Child of a member of staff.", "usernames": "", "code": code_for(device_of(personas["dana"]))})
    # Dana cannot see Jayden (health's record), so the restriction itself is refused...
    assert response.status_code == 404
    response = client.post(reverse("access:restrict", args=[people["kayleigh"].pk]), {
        "reason": "Child of a member of staff.", "usernames": "", "code": code_for(device_of(personas["dana"]))})
    assert response.status_code == 302
    # ... and having just confirmed it is her, the export goes straight through.
    assert client.get(export_url).status_code == 200


def test_a_wrong_code_is_refused_explained_and_recorded(client_for, personas, export_url, clock):
    client = client_for("dana")
    clock.advance(minutes=6)
    wrong = wrong_code_for(device_of(personas["dana"]))
    response = client.post(STEP_UP, {"code": wrong, "next": export_url})
    assert response.status_code == 200
    assert "There is a problem" in response.text and "govuk-input--error" in response.text
    assert response.context["next"] == export_url
    assert client.get(export_url).status_code == 302
    assert STEPPED_UP_AT_SESSION_KEY not in client.session
    # Straight away again: django-otp's throttle makes the next attempt wait.
    response = client.post(STEP_UP, {"code": code_for(device_of(personas["dana"])), "next": export_url})
    assert "Too many wrong codes. Wait 1 second, then enter a new code." in response.text
    clock.advance(seconds=2)
    assert client.post(STEP_UP, {"code": code_for(device_of(personas["dana"])), "next": export_url}).status_code == 302
    assert [e.details["reason"] for e in events("user.step_up_failed").order_by("seq")] == ["wrong_code", "throttled"]


@pytest.mark.parametrize("typed, message", [
    ("", "Enter the 6-digit code from your authenticator app"),
    ("12345", "The code has 6 digits"),
    ("abcdef", "The code has 6 digits"),
])
def test_malformed_codes_are_explained_without_costing_an_attempt(client_for, personas, typed, message):
    response = client_for("dana").post(STEP_UP, {"code": typed})
    assert message in response.text
    assert device_of(personas["dana"]).throttling_failure_count == 0
    assert not events("user.step_up_failed").exists()


@pytest.mark.parametrize("target", [
    "https://evil.example/steal", "//evil.example/steal", "/\\evil.example", "\\\\evil.example",
    "http://testserver.evil.example/", "javascript:alert(1)", "ftp://testserver/", "/\t/evil.example",
])
def test_the_return_address_is_never_another_site(client_for, personas, target, clock):
    client = client_for("dana")
    clock.advance(minutes=6)
    page = client.get(STEP_UP, {"next": target})
    assert page.context["next"] == HOME
    response = client.post(STEP_UP, {"code": code_for(device_of(personas["dana"])), "next": target})
    assert response.status_code == 302 and response["Location"] == HOME


def test_a_path_on_this_site_is_kept_with_its_query():
    request = RequestFactory().get(STEP_UP, {"next": "/cases/people/4/chronology.csv?order=oldest&agency=2"})
    assert safe_next_url(request) == "/cases/people/4/chronology.csv?order=oldest&agency=2"


def test_a_post_that_needs_step_up_comes_back_to_the_form_not_replayed(personas):
    """A POST cannot be replayed after the detour: the person returns to the form's address."""
    calls = []

    @require_step_up
    def change(request):
        calls.append(request.method)
        return HttpResponse("done")

    request = RequestFactory().post("/accounts/security-keys/add/?from=list", {"name": "Laptop"})
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = personas["dana"]
    response = change(request)
    assert response.status_code == 302
    assert response["Location"] == step_up_url("/accounts/security-keys/add/")
    assert calls == []


def test_an_unconfirmed_post_adds_no_passkey(client_for, clock):
    from wrekin.accounts.models import Passkey

    client = client_for("alice")
    clock.advance(minutes=6)
    add = reverse("accounts:add_passkey")
    response = client.post(add, {"name": "Laptop", "credential": "{}"})
    assert response.status_code == 302 and response["Location"] == step_up_url(add)
    assert not Passkey.objects.exists() and not events("user.passkey_failed").exists()


def test_without_step_up_there_is_no_way_round(client_for, people, export_url, clock):
    """Someone who may not see the child is told so, not asked for a code."""
    client = client_for("charlie")  # health: cannot see Kayleigh
    clock.advance(minutes=6)
    assert client.get(export_url).status_code == 404
    client = client_for("heidi")  # auditors see no case content
    clock.advance(minutes=6)
    assert client.get(export_url).status_code == 403


def test_an_already_confirmed_visit_to_the_page_still_asks(client_for):
    """Visiting the page on purpose shows the form; nothing is skipped silently."""
    response = client_for("dana").get(STEP_UP, {"next": "/people/"})
    assert response.status_code == 200 and response.context["next"] == "/people/"
