"""Signing in through the real pages: password, then a code from an authenticator app."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_for, use_set_up_link, wrong_code_for
from tests.conftest import PASSWORD
from wrekin.audit.models import AuditEvent

LOGIN = reverse("accounts:login")
MFA = reverse("accounts:mfa")
MFA_APP = f"{MFA}?method=app"  # the set-up journey, having chosen an authenticator app
HOME = reverse("core:home")
PEOPLE = reverse("people:search")


def password_step(client, username, password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def code_step(client, code, next_url=""):
    data = {"code": code}
    if next_url:
        data["next"] = next_url
    return client.post(MFA, data)


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


def trail_text() -> str:
    """Every value of every audit event, as text: what a reader of the trail could see."""
    return "\n".join(repr(row) for row in AuditEvent.objects.values_list())


def mfa_url_for(path):
    return f"{MFA}?{urlencode({'next': path})}"


def test_password_then_code_returns_to_the_page_asked_for(client, personas):
    alice = personas["alice"]
    device = TOTPDevice.objects.get(user=alice)

    response = client.get(PEOPLE)
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?next={PEOPLE}"
    assert client.get(response["Location"]).status_code == 200

    response = password_step(client, "alice", next_url=PEOPLE)
    assert response.status_code == 302 and response["Location"] == PEOPLE
    # The password alone opens nothing: the page asks for the second factor, remembering the page.
    response = client.get(PEOPLE)
    assert response.status_code == 302 and response["Location"] == mfa_url_for(PEOPLE)

    response = client.get(response["Location"])
    assert response.status_code == 200
    assert not response.context["enrolling"] and "secret" not in response.context
    assert "Enter your code" in response.text and "qr_svg" not in response.context
    assert f'value="{PEOPLE}"' in response.text

    response = code_step(client, code_for(device), next_url=PEOPLE)
    assert response.status_code == 302 and response["Location"] == PEOPLE
    assert client.get(HOME).status_code == 200

    assert events("user.signed_in").filter(actor=alice).count() == 1
    assert events("user.mfa_verified").filter(actor=alice).count() == 1
    assert not events("user.mfa_enrolled").exists() and not events("user.mfa_failed").exists()
    assert PASSWORD not in trail_text()


def test_until_the_code_is_given_every_page_leads_to_the_second_factor(client, personas, people):
    assert password_step(client, "erin").status_code == 302
    person = people["kayleigh"]
    for path in (HOME, PEOPLE, reverse("people:detail", args=[person.pk]), reverse("audit:events"), LOGIN,
                 "/no-such-page/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == mfa_url_for(path), path
    # Changes are refused too, and do not happen.
    response = client.post(reverse("people:create"),
                           {"kind": "child", "given_name": "Tia", "family_name": "Morgan"})
    assert response.status_code == 302 and response["Location"] == MFA
    assert not events("person.created").exists()
    assert not events("person.viewed").exists()
    # A password-only session gets no data through the API either.
    assert client.get("/api/v1/people").status_code == 403
    # Signing out is allowed.
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert events("user.signed_out").count() == 1


def test_first_sign_in_enrols_an_authenticator(client, personas):
    bob = personas["bob"]
    TOTPDevice.objects.filter(user=bob).delete()
    use_set_up_link(client, bob)
    password_step(client, "bob")

    # Where passkeys can work (the test client's host is a name), the first question is app or passkey.
    response = client.get(MFA)
    assert response.status_code == 200 and "Choose how to confirm it’s you" in response.text
    assert not TOTPDevice.objects.filter(user=bob).exists()
    response = client.get(MFA_APP)
    assert response.status_code == 200 and response.context["enrolling"]
    assert "Set up your authenticator app" in response.text
    device = TOTPDevice.objects.get(user=bob)
    assert not device.confirmed
    secret = base64.b32encode(device.bin_key).decode("ascii")
    assert response.context["secret"] == secret and secret in response.text
    assert "<svg" in response.context["qr_svg"] and "<svg" in response.text
    # Coming back to the page shows the same key: an app set up from the first visit still works.
    assert client.get(MFA_APP).context["secret"] == secret
    assert TOTPDevice.objects.filter(user=bob).count() == 1

    response = code_step(client, code_for(device))
    assert response.status_code == 302 and response["Location"] == HOME
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    assert events("user.mfa_enrolled").filter(actor=bob).count() == 1
    assert events("user.mfa_verified").filter(actor=bob).count() == 1

    # The next sign-in asks for a code and shows no key.
    client.post(reverse("accounts:logout"))
    password_step(client, "bob")
    response = client.get(MFA)
    assert not response.context["enrolling"] and secret not in response.text


def test_a_wrong_code_during_enrolment_leaves_the_device_unconfirmed(client, personas, clock):
    bob = personas["bob"]
    TOTPDevice.objects.filter(user=bob).delete()
    use_set_up_link(client, bob)
    password_step(client, "bob")
    client.get(MFA_APP)
    device = TOTPDevice.objects.get(user=bob)

    response = code_step(client, wrong_code_for(device))
    assert response.status_code == 200 and response.context["enrolling"]
    assert "That code is wrong" in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert not events("user.mfa_enrolled").exists()

    clock.advance(seconds=2)  # past the one-second wait after a wrong code
    assert code_step(client, code_for(device)).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_code_is_refused_with_the_error_shown_and_the_input_kept(client, personas):
    alice = personas["alice"]
    device = TOTPDevice.objects.get(user=alice)
    password_step(client, "alice")
    wrong = wrong_code_for(device)

    response = code_step(client, wrong)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "That code is wrong or has already been used" in response.text
    assert f'value="{wrong}"' in response.text
    assert "govuk-input--error" in response.text
    # Still not through.
    assert client.get(HOME)["Location"] == mfa_url_for(HOME)
    failed = events("user.mfa_failed").get()
    assert failed.actor == alice and failed.details == {"reason": "wrong_code"}
    assert not events("user.mfa_verified").exists()


@pytest.mark.parametrize("typed, message", [
    ("", "Enter the 6-digit code from your authenticator app"),
    ("12345", "The code has 6 digits"),
    ("1234567", "The code has 6 digits"),
    ("12a456", "The code has 6 digits"),
    ("１２３４５６", "The code has 6 digits"),
])
def test_malformed_codes_are_explained(client, personas, typed, message):
    password_step(client, "alice")
    response = code_step(client, typed)
    assert response.status_code == 200 and message in response.text
    # A malformed code never reaches the device, so it costs no throttling.
    assert TOTPDevice.objects.get(user=personas["alice"]).throttling_failure_count == 0


def test_a_code_typed_as_the_app_shows_it_with_a_space_is_accepted(client, personas):
    device = TOTPDevice.objects.get(user=personas["alice"])
    password_step(client, "alice")
    code = code_for(device)
    response = code_step(client, f" {code[:3]} {code[3:]} ")
    assert response.status_code == 302


def test_a_code_already_used_cannot_be_used_again(client, personas, clock):
    alice = personas["alice"]
    device = TOTPDevice.objects.get(user=alice)
    password_step(client, "alice")
    code = code_for(device)
    assert code_step(client, code).status_code == 302
    device.refresh_from_db()
    assert device.last_t >= 0  # django-otp recorded the time step of the code used

    client.post(reverse("accounts:logout"))
    password_step(client, "alice")
    response = code_step(client, code)
    assert response.status_code == 200
    assert "That code is wrong or has already been used" in response.text
    assert client.get(HOME)["Location"] == mfa_url_for(HOME)
    # The device itself refuses it too, however it is asked.
    device.refresh_from_db()
    clock.advance(seconds=2)
    assert not device.verify_token(code)

    # The app's next code works.
    clock.advance(seconds=4)
    assert code_step(client, code_for(device, steps_ahead=1)).status_code == 302
    assert events("user.mfa_verified").filter(actor=alice).count() == 2


def test_repeated_wrong_codes_make_each_attempt_wait_longer(client, personas, clock):
    alice = personas["alice"]
    device = TOTPDevice.objects.get(user=alice)
    password_step(client, "alice")
    code_step(client, wrong_code_for(device))
    # Straight after a wrong code even the right code is refused: guessing cannot be fast.
    response = code_step(client, code_for(device))
    assert response.status_code == 200 and "Too many wrong codes. Wait" in response.text
    assert events("user.mfa_failed").filter(details__reason="throttled").count() == 1
    assert client.get(HOME)["Location"] == mfa_url_for(HOME)

    clock.advance(seconds=2)
    assert code_step(client, code_for(device)).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_page_after_the_code_must_be_on_this_site(client, personas):
    device = TOTPDevice.objects.get(user=personas["alice"])
    password_step(client, "alice")
    response = code_step(client, code_for(device), next_url="https://evil.example/phish")
    assert response.status_code == 302 and response["Location"] == HOME


def test_a_verified_session_visiting_the_code_page_moves_on(client, personas):
    device = TOTPDevice.objects.get(user=personas["alice"])
    password_step(client, "alice")
    code_step(client, code_for(device))
    response = client.get(MFA, {"next": PEOPLE})
    assert response.status_code == 302 and response["Location"] == PEOPLE


def test_the_session_gets_a_new_key_when_the_second_factor_is_passed(client, personas):
    device = TOTPDevice.objects.get(user=personas["alice"])
    password_step(client, "alice")
    before = client.session.session_key
    code_step(client, code_for(device))
    assert client.session.session_key != before


def test_a_wrong_password_is_refused_and_no_one_is_named_in_the_trail(client, personas):
    typed_username = "kayleigh-smith-typo"
    typed_password = "Sup3r-secret-but-wrong"
    response = password_step(client, typed_username, typed_password)
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.text
    # What was typed as the username stays in the box; the password never comes back.
    assert f'value="{typed_username}"' in response.text
    assert typed_password not in response.text

    response = password_step(client, "alice", typed_password)
    assert response.status_code == 200 and "Enter a correct username and password" in response.text

    failed = events("user.sign_in_failed")
    assert failed.count() == 2
    assert all(event.actor_id is None and event.actor_username == "" for event in failed)
    text = trail_text()
    assert typed_username not in text and typed_password not in text
    assert "alice" not in text
    assert not events("user.signed_in").exists()
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_a_disabled_account_cannot_sign_in_even_with_the_right_password(client, personas):
    personas["alice"].is_active = False
    personas["alice"].save()
    response = password_step(client, "alice")
    assert response.status_code == 200 and "Enter a correct username and password" in response.text
    assert not events("user.signed_in").exists()


def test_with_mfa_switched_off_for_a_demonstration_the_password_is_enough(client, personas, settings):
    settings.MFA_REQUIRED = False
    password_step(client, "alice")
    assert client.get(HOME).status_code == 200
