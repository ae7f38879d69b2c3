"""The passkey option of the set-up journey: a passkey enrolled through the one-time link counts as the
account's enrolment, exactly as an authenticator app does.

The browser is played by the same software authenticator as tests/accounts/test_passkeys.py, so every
check of the `webauthn` library runs for real.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import use_set_up_link
from tests.accounts.test_passkeys import RP_ID, SoftwareAuthenticator
from tests.conftest import PASSWORD, sign_in
from wrekin.accounts import actions
from wrekin.accounts.models import EnrolmentLink, Passkey, Role
from wrekin.audit.models import AuditEvent

LOGIN = reverse("accounts:login")
MFA = reverse("accounts:mfa")
HOME = reverse("core:home")
SET_UP_PASSKEY = reverse("accounts:set_up_passkey")
STEP_UP = reverse("accounts:step_up")
NOT_SET_UP = "Your account is not set up yet. Ask your administrator for a new set-up link."


def events(event_type, **filters):
    return AuditEvent.objects.filter(event_type=event_type, **filters)


@pytest.fixture
def authenticator():
    return SoftwareAuthenticator()


@pytest.fixture
def newcomer(personas, agencies):
    return actions.create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER,
                               password=PASSWORD, first_name="Nadia", enrolment_link=False)


def password_step(client, username="nadia"):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def enrol_passkey(client, authenticator, name="Work laptop"):
    response = client.get(SET_UP_PASSKEY)
    assert response.status_code == 200, response.status_code
    return client.post(SET_UP_PASSKEY, {"name": name, "next": "/people/",
                                        "credential": authenticator.create(response.context["options"])})


def test_the_set_up_journey_offers_an_app_or_a_passkey(client, newcomer):
    use_set_up_link(client, newcomer)
    password_step(client)
    response = client.get(MFA)
    assert response.status_code == 200 and "Choose how to confirm it’s you" in response.text
    assert "Passkey or security key" in response.text and "Authenticator app" in response.text
    # Nothing chosen, or nonsense: asked again, with the reason.
    for query in ({"chosen": "1", "next": "/"}, {"method": ""}, {"method": "carrier-pigeon"}):
        response = client.get(MFA, query)
        assert response.status_code == 200 and "Choose an authenticator app or a passkey" in response.text
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    # Choosing the passkey leads to its page; the app leads to the QR code.
    response = client.get(MFA, {"method": "passkey", "next": "/people/"})
    assert response.status_code == 302 and response["Location"] == f"{SET_UP_PASSKEY}?next=%2Fpeople%2F"
    response = client.get(MFA, {"method": "app"})
    assert response.context["enrolling"] and "Use a passkey or security key instead" in response.text


def test_a_passkey_enrolled_through_the_link_is_the_accounts_enrolment(client, newcomer, authenticator, personas):
    use_set_up_link(client, newcomer)
    password_step(client)
    client.get(MFA, {"method": "app"})  # looked at the app first: an unfinished app key exists
    assert TOTPDevice.objects.filter(user=newcomer, confirmed=False).exists()

    response = client.get(SET_UP_PASSKEY)
    assert response.status_code == 200 and "Create a passkey" in response.text
    options = json.loads(response.context["options"])
    assert options["rp"]["id"] == RP_ID and options["user"]["name"] == "nadia"
    response = client.post(SET_UP_PASSKEY, {"name": "Work laptop", "next": "/people/",
                                            "credential": authenticator.create(response.context["options"])})
    assert response.status_code == 302 and response["Location"] == "/people/"

    # Signed in, verified by the new passkey; the link is used up; the unfinished app key is gone.
    assert client.get(HOME).status_code == 200
    passkey = Passkey.objects.get(user=newcomer)
    assert passkey.name == "Work laptop" and passkey.confirmed and passkey.rp_id == RP_ID
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert "wrekin_enrolment_link" not in client.session
    link = EnrolmentLink.objects.get(user=newcomer)
    assert link.enrolled_at is not None and link.status_at(link.enrolled_at) == "enrolled"
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert actions.has_enrolled(newcomer)
    event = events("user.mfa_enrolled").get()
    assert event.actor == newcomer and event.details == {"set_up_link": link.pk, "method": "passkey"}
    assert events("user.passkey_added", actor=newcomer).count() == 1
    # Enrolled: no further set-up link may be issued; the link cannot be used again.
    with pytest.raises(actions.EnrolmentRefused, match="already set up"):
        actions.issue_enrolment_link(actor=None, user=newcomer)
    assert client.get(SET_UP_PASSKEY)["Location"] == HOME
    # The administrators' list counts the passkey as set up: it offers a reset, not a set-up link.
    listing = sign_in(Client(), personas["ivan"]).get(reverse("accounts:users")).text
    assert reverse("accounts:reset_authenticator", args=[newcomer.pk]) in listing
    assert reverse("accounts:issue_set_up_link", args=[newcomer.pk]) not in listing


def test_later_sign_ins_use_the_passkey(client, newcomer, authenticator):
    use_set_up_link(client, newcomer)
    password_step(client)
    assert enrol_passkey(client, authenticator).status_code == 302
    client.post(reverse("accounts:logout"))

    password_step(client)
    response = client.get(MFA)
    assert response.status_code == 200 and "Use your passkey" in response.text
    assert not response.context["enrolling"] and 'name="code"' not in response.text
    # A code typed anyway (there is no app) is simply not accepted.
    response = client.post(MFA, {"code": "123456"})
    assert response.status_code == 200 and client.get(HOME)["Location"].startswith(MFA)
    options = client.get(MFA).context["passkey_options"]
    response = client.post(MFA, {"method": "passkey", "credential": authenticator.get(options)})
    assert response.status_code == 302 and client.get(HOME).status_code == 200

    # Step-up offers the passkey only; a code typed anyway is explained.
    response = client.get(STEP_UP)
    assert response.status_code == 200 and 'name="code"' not in response.text and "Use a passkey" in response.text
    response = client.post(STEP_UP, {"code": "123456"})
    assert "use your passkey instead" in response.text


def test_the_only_passkey_cannot_be_removed(client, newcomer, authenticator):
    use_set_up_link(client, newcomer)
    password_step(client)
    assert enrol_passkey(client, authenticator).status_code == 302
    passkey = Passkey.objects.get(user=newcomer)
    response = client.post(reverse("accounts:remove_passkey", args=[passkey.pk]))
    assert response.status_code == 200 and "This is your only way to confirm it’s you" in response.text
    assert Passkey.objects.filter(pk=passkey.pk).exists() and not events("user.passkey_removed").exists()


def test_without_a_link_the_passkey_page_sets_nothing_up(client, newcomer, authenticator):
    password_step(client)
    response = client.get(SET_UP_PASSKEY)
    assert response.status_code == 403 and NOT_SET_UP in response.text
    assert client.get(HOME)["Location"].startswith(LOGIN)  # signed out
    assert events("user.enrolment_refused").get().details == {"reason": "no_link"}
    assert not Passkey.objects.exists()


def test_a_link_superseded_mid_way_enrols_nothing(client, newcomer, authenticator):
    use_set_up_link(client, newcomer)
    password_step(client)
    options = client.get(SET_UP_PASSKEY).context["options"]
    actions.issue_enrolment_link(actor=None, user=newcomer)  # the administrator sent a newer link
    response = client.post(SET_UP_PASSKEY, {"name": "Laptop", "credential": authenticator.create(options)})
    assert response.status_code == 403 and NOT_SET_UP in response.text
    assert not Passkey.objects.exists() and not events("user.mfa_enrolled").exists()


def test_a_bad_answer_is_explained_and_the_name_kept(client, newcomer, authenticator):
    use_set_up_link(client, newcomer)
    password_step(client)
    client.get(SET_UP_PASSKEY)
    response = client.post(SET_UP_PASSKEY, {"name": "Laptop", "credential": ""})
    assert response.status_code == 200 and "Your browser did not create a passkey" in response.text
    # The page shown again carries a new challenge; an answer made for another site is refused.
    response = client.post(SET_UP_PASSKEY, {"name": "Blue key", "credential": authenticator.create(
        response.context["options"], origin="http://evil.example")})
    assert response.status_code == 200 and "Your passkey could not be checked" in response.text
    assert response.context["form"]["name"].value() == "Blue key"
    assert events("user.passkey_failed").get().details == {"purpose": "enrol", "reason": "wrong_origin"}
    assert not Passkey.objects.exists() and EnrolmentLink.objects.get().enrolled_at is None
    # The link still works: a good answer enrols.
    assert enrol_passkey(client, authenticator).status_code == 302


def test_where_passkeys_cannot_work_the_app_is_the_way(client, newcomer):
    use_set_up_link(client, newcomer)
    password_step(client)
    response = client.get(MFA, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200 and response.context["enrolling"]
    assert "Choose how" not in response.text and "Use a passkey or security key instead" not in response.text
    response = client.get(SET_UP_PASSKEY, HTTP_HOST="127.0.0.1")
    assert response.status_code == 302 and response["Location"].startswith(f"{MFA}?method=app")


def test_an_enrolled_account_never_sees_the_set_up_passkey_page(client, personas):
    client.post(LOGIN, {"username": "alice", "password": PASSWORD})  # password only, app enrolled
    assert client.get(SET_UP_PASSKEY)["Location"] == MFA
    assert not Passkey.objects.exists()
    other = sign_in(Client(), personas["bob"])
    assert other.get(SET_UP_PASSKEY)["Location"] == HOME


def test_a_passkey_only_account_adds_an_authenticator_app(client, newcomer, authenticator, clock):
    from tests.accounts.conftest import code_for

    add_app = reverse("accounts:add_authenticator_app")
    use_set_up_link(client, newcomer)
    password_step(client)
    assert enrol_passkey(client, authenticator).status_code == 302
    keys_page = client.get(reverse("accounts:passkeys")).text
    assert "Not set up" in keys_page and add_app in keys_page
    # A change to how the account proves itself: confirmed recently (enrolling just now counts), or step-up.
    clock.advance(minutes=6)
    assert client.get(add_app)["Location"].startswith(STEP_UP)
    clock.advance(minutes=-6)
    response = client.get(add_app)
    assert response.status_code == 200 and "Add an authenticator app" in response.text and "<svg" in response.text
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    # A wrong code is explained; nothing is added; the same key is shown again.
    response = client.post(add_app, {"code": code_for(device, steps_ahead=-20)})
    assert response.status_code == 200 and "wrong or has already been used" in response.text
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    assert events("user.mfa_failed", actor=newcomer, details__purpose="add_app").count() == 1
    clock.advance(seconds=2)  # django-otp makes the next try wait after a failure
    response = client.post(add_app, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:passkeys")
    device.refresh_from_db()
    assert device.confirmed and events("user.authenticator_added", actor=newcomer).count() == 1
    # Now the app is a second factor beside the passkey: the page says so, and no second app is offered.
    assert "Not set up" not in client.get(reverse("accounts:passkeys")).text
    assert client.get(add_app)["Location"] == reverse("accounts:passkeys")


def test_the_add_app_action_is_only_for_the_owner_and_only_once(newcomer, personas):
    alice_app = TOTPDevice.objects.get(user=personas["alice"], confirmed=True)
    with pytest.raises(PermissionDenied):
        actions.add_authenticator_app(actor=newcomer, device=alice_app)
    spare = TOTPDevice.objects.create(user=personas["alice"], confirmed=False, name="Another")
    with pytest.raises(actions.EnrolmentRefused, match="already has an authenticator app"):
        actions.add_authenticator_app(actor=personas["alice"], device=spare)
