"""Administrators manage their partnership's accounts on screen: create, disable, enable, reset a lost
authenticator. Every change needs step-up, goes through an action, and is audited with its reason.

The account pages are walked as every persona in tests/accounts/test_access.py; here are the journeys.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_for
from tests.conftest import PASSWORD, sign_in
from wrekin.accounts import actions
from wrekin.accounts.models import Agency, EnrolmentLink, Membership, Partnership, Passkey, Role, User
from wrekin.audit.models import AuditEvent

USERS = reverse("accounts:users")
CREATE = reverse("accounts:create_user")
STEP_UP = reverse("accounts:step_up")
MFA = reverse("accounts:mfa")
LOGIN = reverse("accounts:login")
HOME = reverse("core:home")
NEW_PASSWORD = "kettle-orchard-lantern-42"
LINK = re.compile(r"http://testserver(/accounts/set-up/[\w-]+/)")
NEW_ACCOUNT = {"username": "nadia", "first_name": "Nadia", "last_name": "Price",
               "email": "nadia.price@police.example", "role": Role.PRACTITIONER}


def events(event_type, **filters):
    return AuditEvent.objects.filter(event_type=event_type, **filters)


def trail_text() -> str:
    return "\n".join(repr(row) for row in AuditEvent.objects.values_list())


def url(name: str, user: User) -> str:
    return reverse(name, args=[user.pk])


def step_up(client, user: User, next_url: str) -> None:
    response = client.post(STEP_UP, {"code": code_for(TOTPDevice.objects.get(user=user, confirmed=True)),
                                     "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url


def is_signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


@pytest.fixture
def admin(client, personas, clock):
    """Ivan, signed in more than five minutes ago: every change to an account asks him to confirm first."""
    sign_in(client, personas["ivan"])
    clock.advance(minutes=6)
    return client


def set_up_through(link_path: str, username: str, *, choose_password: bool) -> Client:
    """The account's owner follows their new link and enrols an authenticator app; returns their browser."""
    browser = Client()
    response = browser.post(link_path)
    assert response.status_code == 302
    if choose_password:
        response = browser.post(reverse("accounts:set_up_password"),
                                {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    else:
        response = browser.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    response = browser.get(MFA, {"method": "app"})
    assert response.status_code == 200 and response.context["enrolling"]
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    response = browser.post(MFA, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == HOME
    assert is_signed_in(browser)
    return browser


# --- Creating an account ------------------------------------------------------------------------------

def test_an_administrator_creates_an_account_after_step_up(admin, personas, agencies):
    ivan = personas["ivan"]
    assert admin.get(CREATE)["Location"].startswith(STEP_UP)
    response = admin.post(CREATE, {**NEW_ACCOUNT, "agency": agencies["police"].pk})
    assert response.status_code == 302 and response["Location"].startswith(STEP_UP)
    assert not User.objects.filter(username="nadia").exists()  # nothing done without the step-up

    step_up(admin, ivan, CREATE)
    response = admin.get(CREATE)
    assert response.status_code == 200
    # What he had typed before the detour is back in the form, for him to send (nothing was done unseen).
    kept = response.context["form"].initial
    assert kept["username"] == "nadia" and kept["email"] == "nadia.price@police.example"
    assert kept["agency"] == str(agencies["police"].pk) and "csrfmiddlewaretoken" not in kept
    assert 'value="nadia.price@police.example"' in response.text
    assert admin.get(CREATE).context["form"].initial == {}  # once only
    # Only this partnership's active agencies, and only the roles an administrator may give.
    agency_choices = {label for _, label in response.context["form"].fields["agency"].choices}
    assert "Test Constabulary" in agency_choices and "Elsewhere Children's Services" not in agency_choices
    roles = dict(response.context["form"].fields["role"].choices)
    assert set(roles) == {Role.PRACTITIONER, Role.MANAGER, Role.COORDINATOR, Role.ANALYST, Role.MACE_CHAIR}

    response = admin.post(CREATE, {**NEW_ACCOUNT, "agency": agencies["police"].pk})
    assert response.status_code == 200 and "Account created" in response.text
    link_path = LINK.search(response.text).group(1)
    nadia = User.objects.get(username="nadia")
    assert (nadia.first_name, nadia.last_name, nadia.email) == ("Nadia", "Price", "nadia.price@police.example")
    assert nadia.membership.agency == agencies["police"] and nadia.membership.role == Role.PRACTITIONER
    assert not nadia.has_usable_password()
    created = events("user.created").get()
    assert created.actor == ivan and created.object_id == str(nadia.pk) and created.details == {"role": "practitioner"}
    issued = events("user.enrolment_link_issued").get()
    assert issued.actor == ivan and EnrolmentLink.objects.get(user=nadia).created_by == ivan
    assert link_path.split("/")[-2] not in trail_text()

    # Nadia follows the link: she chooses a password and sets up her app.
    set_up_through(link_path, "nadia", choose_password=True)
    assert EnrolmentLink.objects.get(user=nadia).enrolled_at is not None


def test_mistakes_are_explained_and_what_was_typed_is_kept(admin, personas, agencies):
    step_up(admin, personas["ivan"], CREATE)
    response = admin.post(CREATE, {"username": "ALICE", "first_name": "Nadia", "last_name": "",
                                   "email": "not-an-address", "agency": "", "role": ""})
    assert response.status_code == 200 and "There is a problem" in response.text
    assert "<title>Error: Create an account" in response.text
    for message in ("That username is taken: choose another", "Enter their last name",
                    "Enter an e-mail address like name@agency.gov.uk", "Choose their agency", "Choose their role"):
        assert message in response.text, message
    assert 'value="ALICE"' in response.text and 'value="Nadia"' in response.text
    assert 'value="not-an-address"' in response.text

    response = admin.post(CREATE, {**NEW_ACCOUNT, "username": "nadia price", "agency": agencies["police"].pk})
    assert "The username may hold only letters, digits and @ . + - _" in response.text
    assert 'value="nadia price"' in response.text and 'value="nadia.price@police.example"' in response.text
    assert User.objects.count() == len(personas)
    assert not events("user.created").exists()


@pytest.mark.parametrize("change", [
    {"role": Role.ADMINISTRATOR},
    {"role": Role.AUDITOR},
    {"agency": "elsewhere"},
])
def test_an_administrator_cannot_give_what_is_not_theirs_to_give(admin, personas, agencies, change):
    step_up(admin, personas["ivan"], CREATE)
    data = {**NEW_ACCOUNT, "agency": agencies["police"].pk, **change}
    if change.get("agency"):
        data["agency"] = agencies[change["agency"]].pk
    response = admin.post(CREATE, data)
    assert response.status_code == 200 and "There is a problem" in response.text
    assert not User.objects.filter(username="nadia").exists()


def test_the_create_action_checks_who_asks(personas, agencies):
    ivan = personas["ivan"]
    for actor, agency, role in [
        (personas["alice"], agencies["police"], Role.PRACTITIONER),  # not an administrator
        (personas["heidi"], agencies["police"], Role.PRACTITIONER),
        (ivan, agencies["elsewhere"], Role.PRACTITIONER),  # another partnership's agency
        (ivan, agencies["police"], Role.ADMINISTRATOR),  # operators make administrators and auditors
        (ivan, agencies["police"], Role.AUDITOR),
    ]:
        with pytest.raises(PermissionDenied):
            actions.create_user(actor=actor, username="nadia", agency=agency, role=role)
    Agency.objects.filter(pk=agencies["school"].pk).update(is_active=False)
    agencies["school"].refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.create_user(actor=ivan, username="nadia", agency=agencies["school"], role=Role.PRACTITIONER)
    assert not User.objects.filter(username="nadia").exists() and not events("user.created").exists()
    # An operator at the command line may create any role.
    assert actions.create_user(actor=None, username="nadia", agency=agencies["governance"],
                               role=Role.AUDITOR).role == Role.AUDITOR


# --- Disabling and enabling -------------------------------------------------------------------------

def test_disabling_needs_step_up_and_a_reason_and_ends_every_session(admin, personas):
    ivan, alice = personas["ivan"], personas["alice"]
    alices = [sign_in(Client(), alice) for _ in range(2)]
    disable = url("accounts:disable_user", alice)
    assert admin.get(disable)["Location"].startswith(STEP_UP)
    assert admin.post(disable, {"reason": "Left the service"})["Location"].startswith(STEP_UP)
    alice.refresh_from_db()
    assert alice.is_active

    step_up(admin, ivan, disable)
    response = admin.get(disable)
    assert response.status_code == 200 and "Disable alice?" in response.text
    response = admin.post(disable, {"reason": "   "})
    assert response.status_code == 200 and "Give the reason" in response.text
    alice.refresh_from_db()
    assert alice.is_active and all(is_signed_in(c) for c in alices)

    response = admin.post(disable, {"reason": "Left the service on  31 March"})
    assert response.status_code == 302 and response["Location"] == USERS
    alice.refresh_from_db()
    assert not alice.is_active
    assert not any(is_signed_in(c) for c in alices)
    event = events("user.disabled").get()
    assert event.actor == ivan and event.object_id == str(alice.pk) and event.reason == "Left the service on 31 March"
    assert event.details == {"was_active": True, "sessions_ended": 2, "set_up_links_ended": 0}
    listing = admin.get(USERS).text
    assert "Disabled" in listing and "Enable<span class=\"govuk-visually-hidden\"> alice</span>" in listing
    # She cannot sign in again.
    assert Client().post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 200


def test_enabling_makes_the_account_set_up_its_sign_in_again(admin, personas, clock):
    ivan, alice = personas["ivan"], personas["alice"]
    Passkey.objects.create(user=alice, name="Laptop", credential_id="AAAA", public_key=b"\x00", rp_id="testserver")
    actions.disable_user(actor=ivan, user=alice, reason="Suspended")
    enable = url("accounts:enable_user", alice)
    assert admin.get(enable)["Location"].startswith(STEP_UP)
    assert admin.post(enable, {"reason": "Back"})["Location"].startswith(STEP_UP)
    alice.refresh_from_db()
    assert not alice.is_active
    step_up(admin, ivan, enable)
    response = admin.get(enable)
    assert response.status_code == 200 and "1 authenticator app, 1 passkey" in response.text
    response = admin.post(enable, {"reason": "Back from suspension"})
    assert response.status_code == 200 and "Account enabled" in response.text
    link_path = LINK.search(response.text).group(1)
    alice.refresh_from_db()
    assert alice.is_active
    # Her old factors were not trusted to come back with the account.
    assert not TOTPDevice.objects.filter(user=alice).exists() and not Passkey.objects.filter(user=alice).exists()
    event = events("user.enabled").get()
    assert event.actor == ivan and event.reason == "Back from suspension"
    assert event.details == {"authenticator_apps_removed": 1, "unfinished_apps_removed": 0, "passkeys_removed": 1,
                             "sessions_ended": 0, "link": EnrolmentLink.objects.get(user=alice).pk}
    # Her password still works, but only with the link does it lead anywhere.
    stranger = Client()
    stranger.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert stranger.get(MFA).status_code == 403
    set_up_through(link_path, "alice", choose_password=False)

    # Enabling an enabled account says so and changes nothing.
    clock.advance(minutes=1)
    response = admin.post(enable, {"reason": "Again"})
    assert response.status_code == 200 and "already enabled" in response.text
    assert events("user.enabled").count() == 1


# --- Resetting a lost authenticator ------------------------------------------------------------------

def test_an_administrator_resets_a_lost_authenticator(admin, personas):
    ivan, alice = personas["ivan"], personas["alice"]
    Passkey.objects.create(user=alice, name="Laptop", credential_id="AAAA", public_key=b"\x00", rp_id="testserver")
    TOTPDevice.objects.create(user=alice, name="half set up", confirmed=False)
    alices = [sign_in(Client(), alice) for _ in range(2)]
    bob = sign_in(Client(), personas["bob"])
    reset = url("accounts:reset_authenticator", alice)

    assert admin.get(reset)["Location"].startswith(STEP_UP)
    assert admin.post(reset, {"reason": "Lost her phone"})["Location"].startswith(STEP_UP)
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    step_up(admin, ivan, reset)
    response = admin.get(reset)
    assert response.status_code == 200 and "Reset the sign-in of alice?" in response.text
    response = admin.post(reset, {"reason": ""})
    assert response.status_code == 200 and "Give the reason" in response.text
    assert Passkey.objects.filter(user=alice).exists() and all(is_signed_in(c) for c in alices)

    response = admin.post(reset, {"reason": "Lost her phone; confirmed by her manager"})
    assert response.status_code == 200 and "Sign-in reset" in response.text
    link_path = LINK.search(response.text).group(1)
    assert "no-store" in response["Cache-Control"]
    assert not TOTPDevice.objects.filter(user=alice).exists() and not Passkey.objects.filter(user=alice).exists()
    assert not any(is_signed_in(c) for c in alices) and is_signed_in(bob)
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(alice.pk)]
    link = EnrolmentLink.objects.get(user=alice)
    event = events("user.second_factors_reset").get()
    assert event.actor == ivan and event.object_id == str(alice.pk)
    assert event.reason == "Lost her phone; confirmed by her manager"
    assert event.details == {"authenticator_apps_removed": 1, "unfinished_apps_removed": 1, "passkeys_removed": 1,
                             "sessions_ended": 2, "link": link.pk}
    assert event.agency == alice.agency
    assert link_path.split("/")[-2] not in trail_text()

    # The password alone leads nowhere now; with the new link she sets up a new app.
    stranger = Client()
    stranger.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert stranger.get(MFA).status_code == 403
    set_up_through(link_path, "alice", choose_password=False)


def test_a_reset_supersedes_open_set_up_links(personas):
    alice = personas["alice"]
    TOTPDevice.objects.filter(user=alice).delete()
    first = actions.issue_enrolment_link(actor=None, user=alice)
    issued = actions.reset_authenticator(actor=personas["ivan"], user=alice, reason="Lost phone")
    first.link.refresh_from_db()
    assert first.link.status_at(first.link.created_at) == "superseded"
    assert events("user.enrolment_link_issued").last().details["superseded"] == 1
    assert Client().get(first.path).status_code == 410 and Client().get(issued.path).status_code == 200


def test_a_disabled_account_is_enabled_not_reset(admin, personas):
    ivan, alice = personas["ivan"], personas["alice"]
    actions.disable_user(actor=ivan, user=alice, reason="Left")
    reset = url("accounts:reset_authenticator", alice)
    step_up(admin, ivan, reset)
    assert "Enable it instead" in admin.get(reset).text
    response = admin.post(reset, {"reason": "Lost phone"})
    assert response.status_code == 200 and "enable it instead" in response.text
    assert TOTPDevice.objects.filter(user=alice).exists() and not events("user.second_factors_reset").exists()


def test_nobody_resets_or_disables_their_own_account_or_another_partnerships(admin, personas, agencies):
    ivan = personas["ivan"]
    step_up(admin, ivan, USERS)
    for name in ("accounts:reset_authenticator", "accounts:disable_user", "accounts:enable_user"):
        assert admin.post(url(name, ivan), {"reason": "Lost my phone"}).status_code == 404, name
        assert admin.post(url(name, personas["oscar"]), {"reason": "Lost phone"}).status_code == 404, name
    for change in (actions.reset_authenticator, actions.disable_user):
        with pytest.raises(PermissionDenied):
            change(actor=ivan, user=ivan, reason="Lost my phone")
        for other in ("alice", "heidi", "dana"):
            with pytest.raises(PermissionDenied):
                change(actor=personas[other], user=personas["bob"], reason="Lost phone")

    elsewhere = User.objects.create(username="ellis")
    Membership.objects.create(user=elsewhere, agency=Agency.objects.get(partnership__code="elsewhere"),
                              role=Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        actions.reset_authenticator(actor=elsewhere, user=personas["bob"], reason="Lost phone")
    assert Partnership.objects.count() == 2
    assert ivan.is_active and TOTPDevice.objects.filter(confirmed=True).count() == len(personas)
    assert not events("user.second_factors_reset").exists() and not events("user.disabled").exists()


def test_a_reset_needs_a_reason(personas):
    with pytest.raises(ValueError, match="Give the reason"):
        actions.reset_authenticator(actor=personas["ivan"], user=personas["alice"], reason="  ")
    assert TOTPDevice.objects.filter(user=personas["alice"]).exists()


def test_the_account_list_offers_each_change_where_it_applies(admin, personas, agencies):
    ivan = personas["ivan"]
    nadia = actions.create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER,
                                enrolment_link=False)
    actions.disable_user(actor=ivan, user=personas["bob"], reason="Left")
    text = admin.get(USERS).text
    viewed = events("user.accounts_viewed").get()  # the list is a read of staff details: audited
    assert viewed.actor == ivan and viewed.details["accounts"] >= 2
    assert url("accounts:reset_authenticator", personas["alice"]) in text  # set up: reset
    assert url("accounts:issue_set_up_link", nadia) in text  # not set up: a link
    assert url("accounts:reset_authenticator", nadia) not in text
    assert url("accounts:enable_user", personas["bob"]) in text
    assert url("accounts:disable_user", personas["bob"]) not in text
    for name in ("accounts:reset_authenticator", "accounts:disable_user", "accounts:enable_user"):
        assert url(name, ivan) not in text  # never his own
    assert reverse("accounts:create_user") in text


# --- Auditors see it -------------------------------------------------------------------------------------

def test_auditors_see_the_changes_with_their_reasons(client_for, personas, agencies):
    ivan, alice = personas["ivan"], personas["alice"]
    actions.reset_authenticator(actor=ivan, user=alice, reason="Lost her phone")
    actions.disable_user(actor=ivan, user=personas["bob"], reason="Left the service")
    actions.enable_user(actor=ivan, user=personas["bob"], reason="Came back")
    heidi = client_for("heidi")
    response = heidi.get(reverse("audit:events"), {"event_type": "user.second_factors_reset"})
    assert response.status_code == 200
    assert "Reset an account&#x27;s authenticator app and passkeys" in response.text
    assert "Reason: Lost her phone" in response.text and "ivan" in response.text
    response = heidi.get(reverse("audit:user_activity", args=["ivan"]))
    for text in ("Reset an account&#x27;s authenticator app and passkeys", "Disabled an account",
                 "Enabled an account again", "Reason: Left the service", "Reason: Came back"):
        assert text in response.text, text
    # Another partnership's auditor does not see them.
    other = User.objects.create(username="olive")
    Membership.objects.create(user=other, agency=agencies["elsewhere"], role=Role.AUDITOR)
    TOTPDevice.objects.create(user=other, name="test", confirmed=True)
    heidi.logout()
    sign_in(heidi, other)
    assert "Lost her phone" not in heidi.get(reverse("audit:events")).text


# --- The command line (the last administrator) -----------------------------------------------------------

def test_the_reset_command_calls_the_same_action(client, personas):
    ivan = personas["ivan"]
    sign_in(client, ivan)
    out = io.StringIO()
    call_command("reset_authenticator", "ivan", "--reason", "Only administrator; lost phone",
                 "--base-url", "https://wrekin.example.org", stdout=out)
    text = out.getvalue()
    assert "Reset ivan's sign-in" in text
    token = re.search(r"https://wrekin\.example\.org/accounts/set-up/([\w-]+)/", text).group(1)
    assert not TOTPDevice.objects.filter(user=ivan).exists() and not is_signed_in(client)
    event = events("user.second_factors_reset").get()
    assert event.actor is None and event.reason == "Only administrator; lost phone"
    assert event.details["sessions_ended"] == 1 and token not in trail_text()
    assert Client().get(f"/accounts/set-up/{token}/").status_code == 200


def test_the_reset_command_refuses_what_it_cannot_do(personas):
    with pytest.raises(CommandError, match="reason"):
        call_command("reset_authenticator", "alice", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user called 'zed'"):
        call_command("reset_authenticator", "zed", "--reason", "x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Give the reason"):
        call_command("reset_authenticator", "alice", "--reason", " ", stdout=io.StringIO())
    actions.disable_user(actor=None, user=personas["alice"])
    with pytest.raises(CommandError, match="enable it instead"):
        call_command("reset_authenticator", "alice", "--reason", "Lost phone", stdout=io.StringIO())
    assert not events("user.second_factors_reset").exists()


def test_the_disable_command_records_its_reason(personas):
    call_command("disable_user", "alice", "--reason", "Left on 31 March", stdout=io.StringIO())
    assert events("user.disabled").get().reason == "Left on 31 March"
