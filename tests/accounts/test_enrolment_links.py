"""One-time set-up links: a new account enrols its second factor only through one.

Knowing a new account's password is not enough to plant your own authenticator on it: the enrolment
page opens only for a session that used the account's link — once, before it expired, while it was
the newest link and the account enabled. Administrators re-issue links after confirming it is them.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_for, use_set_up_link
from tests.conftest import PASSWORD, sign_in
from wrekin.accounts import actions
from wrekin.accounts.models import Agency, EnrolmentLink, Membership, Partnership, Role, User
from wrekin.accounts.tokens import hash_token
from wrekin.api.models import hash_token as api_hash_token
from wrekin.audit.models import AuditEvent

LOGIN = reverse("accounts:login")
MFA = reverse("accounts:mfa")
HOME = reverse("core:home")
SET_UP_PASSWORD = reverse("accounts:set_up_password")
NOT_SET_UP = "Your account is not set up yet. Ask your administrator for a new set-up link."
NEW_PASSWORD = "kettle-orchard-lantern-42"


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


def trail_text() -> str:
    return "\n".join(repr(row) for row in AuditEvent.objects.values_list())


@pytest.fixture
def newcomer(personas, agencies):
    """A new account with a password and no authenticator yet (created without a link: tests issue them)."""
    return actions.create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER,
                               password=PASSWORD, first_name="Nadia", enrolment_link=False)


def sign_in_with_password(client, username="nadia", password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def enrol(client, user):
    """On the enrolment page (having chosen an app): the app is set up from the key shown and its first
    code is entered."""
    response = client.get(MFA, {"method": "app"})
    assert response.status_code == 200 and response.context["enrolling"], response.status_code
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(MFA, {"code": code_for(device)})


# --- Issuing -------------------------------------------------------------------------------------------

def test_a_new_account_is_issued_a_link_stored_only_as_a_hash(agencies, personas, settings):
    user = actions.create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER,
                               password=PASSWORD, actor=personas["ivan"])
    issued = user.issued_enrolment_link
    link = EnrolmentLink.objects.get(user=user)
    assert issued.link == link and link.created_by == personas["ivan"]
    assert issued.path == f"/accounts/set-up/{issued.token}/"
    assert len(issued.token) >= 43  # 256 bits
    assert issued.token not in link.token_hash and link.token_hash == hash_token(issued.token)
    assert api_hash_token is hash_token  # one function hashes every stored bearer token
    assert link.expires_at - link.created_at == timedelta(hours=settings.WREKIN_SETUP_LINK_HOURS) == timedelta(hours=72)
    event = events("user.enrolment_link_issued").get()
    assert event.actor == personas["ivan"] and event.object_id == str(user.pk)
    assert event.details["link"] == link.pk and event.details["superseded"] == 0
    assert issued.token not in trail_text()


def test_the_lifetime_is_configurable(agencies, personas, settings):
    settings.WREKIN_SETUP_LINK_HOURS = 24
    user = actions.create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER)
    link = user.issued_enrolment_link.link
    assert link.expires_at - link.created_at == timedelta(hours=24)


def test_the_command_line_prints_the_link_once(agencies, personas):
    out = io.StringIO()
    call_command("create_user", "nadia", "--agency", "TEST-POLICE", "--role", "practitioner",
                 "--base-url", "https://wrekin.example.org/", stdout=out)
    text = out.getvalue()
    match = re.search(r"https://wrekin\.example\.org/accounts/set-up/([\w-]+)/", text)
    assert match and "works once" in text
    assert EnrolmentLink.objects.get(user__username="nadia").token_hash == hash_token(match.group(1))
    assert "choose one through the set-up link" in text  # no password given: the link leads to choosing one

    # An operator re-issues: the old link stops working.
    out = io.StringIO()
    call_command("set_up_link", "nadia", stdout=out)
    new = re.search(r"http://127\.0\.0\.1:8000/accounts/set-up/([\w-]+)/", out.getvalue())
    assert new and new.group(1) != match.group(1)
    assert Client().get(f"/accounts/set-up/{match.group(1)}/").status_code == 410
    assert Client().get(f"/accounts/set-up/{new.group(1)}/").status_code == 200


def test_the_command_refuses_an_account_that_is_set_up(personas):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="already set up their sign-in"):
        call_command("set_up_link", "alice", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user called"):
        call_command("set_up_link", "zed", stdout=io.StringIO())
    assert not EnrolmentLink.objects.exists()


# --- Using a link ----------------------------------------------------------------------------------------

def test_a_valid_link_enables_enrolment(client, newcomer):
    issued = actions.issue_enrolment_link(actor=None, user=newcomer)

    # Opening the address only shows a page: a mail scanner fetching it does not use it up.
    response = client.get(issued.path)
    assert response.status_code == 200 and "nadia" in response.text
    assert "Sign in with your username and the password" in response.text
    assert client.get(issued.path).status_code == 200
    assert EnrolmentLink.objects.get().used_at is None

    response = client.post(issued.path)
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert sign_in_with_password(client).status_code == 302
    response = enrol(client, newcomer)
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200

    link = EnrolmentLink.objects.get()
    assert link.used_at and link.enrolled_at and link.status_at(link.enrolled_at) == "enrolled"
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    assert events("user.enrolment_link_used").get().actor == newcomer
    assert events("user.mfa_enrolled").get().details == {"set_up_link": link.pk, "method": "totp"}
    assert "wrekin_enrolment_link" not in client.session
    assert issued.token not in trail_text()


def test_an_account_without_a_password_chooses_one_through_the_link(client, agencies, personas):
    user = actions.create_user(username="nadia", agency=agencies["police"], role=Role.PRACTITIONER)
    assert not user.has_usable_password()
    path = user.issued_enrolment_link.path
    assert "Choose a password" in client.get(path).text
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == SET_UP_PASSWORD

    response = client.get(SET_UP_PASSWORD)
    assert response.status_code == 200 and "nadia" in response.text
    response = client.post(SET_UP_PASSWORD, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200 and "type the same one twice" in response.text
    assert NEW_PASSWORD not in response.text  # passwords are never sent back
    response = client.post(SET_UP_PASSWORD, {"new_password1": "password1234", "new_password2": "password1234"})
    assert response.status_code == 200 and "This password is too common" in response.text

    response = client.post(SET_UP_PASSWORD, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == MFA
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert events("user.password_set").get().actor == user
    assert enrol(client, user).status_code == 302
    assert client.get(HOME).status_code == 200
    assert NEW_PASSWORD not in trail_text()

    # The password page is for that one step: afterwards it leads on, never to another password.
    assert client.get(SET_UP_PASSWORD)["Location"] == MFA


def test_without_a_link_the_right_password_leads_only_to_a_clear_refusal(client, newcomer):
    response = sign_in_with_password(client)
    assert response.status_code == 302
    response = client.get(MFA)
    assert response.status_code == 403 and NOT_SET_UP in response.text
    # Nothing to enrol was made or shown, and the password-only session is over.
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert "secret" not in (response.context or {}) and "<svg" not in response.text
    assert client.get(HOME)["Location"].startswith(LOGIN)
    event = events("user.enrolment_refused").get()
    assert event.actor == newcomer and event.details == {"reason": "no_link"}
    # A POST of a guessed code is refused the same way.
    sign_in_with_password(client)
    assert client.post(MFA, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_a_wrong_password_still_reveals_nothing(client, newcomer):
    response = sign_in_with_password(client, password="not-the-password-at-all")
    assert response.status_code == 200 and "Enter a correct username and password" in response.text
    assert NOT_SET_UP not in response.text


def test_an_expired_link_is_refused(client, newcomer, clock):
    issued = actions.issue_enrolment_link(actor=None, user=newcomer)
    clock.advance(hours=72, seconds=1)
    response = client.get(issued.path)
    assert response.status_code == 410 and "This set-up link cannot be used" in response.text
    assert client.post(issued.path).status_code == 410
    assert events("user.enrolment_link_refused").get().details == {"reason": "expired", "link": issued.link.pk}
    sign_in_with_password(client)
    assert client.get(MFA).status_code == 403


def test_a_link_works_once(client, newcomer):
    issued = actions.issue_enrolment_link(actor=None, user=newcomer)
    assert client.post(issued.path).status_code == 302
    other = Client()
    assert other.get(issued.path).status_code == 410
    assert other.post(issued.path).status_code == 410
    assert events("user.enrolment_link_refused").get().details["reason"] == "used"
    # The other browser, with the password, still cannot enrol.
    sign_in_with_password(other)
    assert other.get(MFA).status_code == 403
    # ...while the session that used it can.
    sign_in_with_password(client)
    assert enrol(client, newcomer).status_code == 302


def test_a_link_is_refused_once_superseded(client, newcomer):
    first = actions.issue_enrolment_link(actor=None, user=newcomer)
    assert client.post(first.path).status_code == 302  # used, but enrolment not finished
    sign_in_with_password(client)
    assert client.get(MFA, {"method": "app"}).status_code == 200

    second = actions.issue_enrolment_link(actor=None, user=newcomer)
    assert events("user.enrolment_link_issued").last().details["superseded"] == 1
    # The session holding the first link has lost its right, even mid-way.
    response = client.post(MFA, {"code": code_for(TOTPDevice.objects.get(user=newcomer))})
    assert response.status_code == 403 and NOT_SET_UP in response.text
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    assert events("user.enrolment_refused").get().details == {"reason": "link_ended"}
    assert Client().get(first.path).status_code == 410
    unused = actions.issue_enrolment_link(actor=None, user=newcomer)
    assert Client().get(second.path).status_code == 410  # superseded before it was used
    assert Client().get(unused.path).status_code == 200


def test_a_disabled_accounts_link_is_refused(client, newcomer, personas):
    issued = actions.issue_enrolment_link(actor=None, user=newcomer)
    actions.disable_user(actor=personas["ivan"], user=newcomer)
    assert events("user.disabled").get().details["set_up_links_ended"] == 1
    assert client.get(issued.path).status_code == 410
    assert client.post(issued.path).status_code == 410
    assert events("user.enrolment_link_refused").get().details["reason"] == "disabled"
    # Re-enabling the account does not bring the old link back, and no new one is issued while disabled.
    with pytest.raises(actions.EnrolmentRefused, match="disabled"):
        actions.issue_enrolment_link(actor=None, user=newcomer)
    User.objects.filter(pk=newcomer.pk).update(is_active=True)
    assert client.get(issued.path).status_code == 410


def test_the_right_belongs_to_the_account_whose_link_was_used(client, newcomer, agencies):
    other = actions.create_user(username="omar", agency=agencies["police"], role=Role.PRACTITIONER,
                                password=PASSWORD, enrolment_link=False)
    use_set_up_link(client, newcomer)
    sign_in_with_password(client, "omar")
    assert client.get(MFA).status_code == 403
    assert not TOTPDevice.objects.filter(user=other).exists()


def test_the_right_lapses_an_hour_after_the_link_was_used(client, newcomer, clock):
    use_set_up_link(client, newcomer)
    clock.advance(minutes=61)
    sign_in_with_password(client)
    assert client.get(MFA).status_code == 403


def test_a_signed_in_session_is_asked_to_sign_out_first(client, newcomer, personas):
    issued = actions.issue_enrolment_link(actor=None, user=newcomer)
    sign_in(client, personas["alice"])
    for method in ("get", "post"):
        response = getattr(client, method)(issued.path)
        assert response.status_code == 200 and "Sign out first" in response.text
    assert EnrolmentLink.objects.get().used_at is None


def test_a_made_up_link_is_refused_like_any_other(client, db):
    response = client.get("/accounts/set-up/not-a-real-token-at-all/")
    assert response.status_code == 410
    assert client.post("/accounts/set-up/not-a-real-token-at-all/").status_code == 410
    event = events("user.enrolment_link_refused").get()
    assert event.actor is None and event.details == {"reason": "unknown"}
    # The password page without a link is refused too.
    assert client.get(SET_UP_PASSWORD).status_code == 410


def test_enrolled_accounts_are_unaffected(client, personas):
    alice = personas["alice"]
    sign_in_with_password(client, "alice")
    assert client.post(MFA, {"code": code_for(TOTPDevice.objects.get(user=alice))}).status_code == 302
    with pytest.raises(actions.EnrolmentRefused, match="already set up"):
        actions.issue_enrolment_link(actor=None, user=alice)


# --- Administrators re-issue links ----------------------------------------------------------------------

def test_an_administrator_reissues_a_link_after_step_up_and_it_is_audited(client, newcomer, personas, clock):
    ivan = personas["ivan"]
    old = actions.issue_enrolment_link(actor=None, user=newcomer)
    url = reverse("accounts:issue_set_up_link", args=[newcomer.pk])
    sign_in(client, ivan)
    clock.advance(minutes=6)  # the sign-in no longer counts as a fresh confirmation

    listing = client.get(reverse("accounts:users"))
    assert listing.status_code == 200 and "nadia" in listing.text and "Not set up" in listing.text
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:step_up"))
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:step_up"))
    assert EnrolmentLink.objects.filter(user=newcomer).count() == 1  # nothing issued without the step-up

    response = client.post(reverse("accounts:step_up"), {"code": code_for(TOTPDevice.objects.get(user=ivan)),
                                                         "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200 and "Set-up link issued" in response.text
    match = re.search(r"http://testserver(/accounts/set-up/[\w-]+/)", response.text)
    assert match
    assert response["Cache-Control"] and "no-store" in response["Cache-Control"]

    event = events("user.enrolment_link_issued").last()
    assert event.actor == ivan and event.object_id == str(newcomer.pk) and event.details["superseded"] == 1
    assert events("user.step_up_verified").filter(actor=ivan).exists()
    assert Client().get(old.path).status_code == 410
    newcomer_browser = Client()
    assert newcomer_browser.post(match.group(1)).status_code == 302
    sign_in_with_password(newcomer_browser)
    assert enrol(newcomer_browser, newcomer).status_code == 302


def test_administrators_manage_only_their_own_partnership(client, newcomer, personas, agencies):
    url = reverse("accounts:issue_set_up_link", args=[newcomer.pk])
    for username in ("alice", "dana", "heidi", "oscar", "nina"):
        client.logout()
        sign_in(client, personas[username])
        assert client.get(reverse("accounts:users")).status_code == 403, username
        assert client.post(url).status_code == 403, username

    elsewhere = Partnership.objects.get(code="elsewhere")
    other_admin = User.objects.create(username="ellis", password="x")
    Membership.objects.create(user=other_admin, agency=Agency.objects.get(partnership=elsewhere),
                              role=Role.ADMINISTRATOR)
    TOTPDevice.objects.create(user=other_admin, name="test", confirmed=True)
    client.logout()
    sign_in(client, other_admin)
    assert "nadia" not in client.get(reverse("accounts:users")).text
    assert client.post(url).status_code == 404
    # An administrator cannot issue a link for their own account either.
    client.logout()
    sign_in(client, personas["ivan"])
    assert client.post(reverse("accounts:issue_set_up_link", args=[personas["ivan"].pk])).status_code == 404
    assert not EnrolmentLink.objects.exists()


def test_an_account_that_is_set_up_needs_no_link(client, personas):
    sign_in(client, personas["ivan"])
    url = reverse("accounts:issue_set_up_link", args=[personas["alice"].pk])
    assert "already set up their sign-in" in client.get(url).text
    response = client.post(url)
    assert response.status_code == 200 and "There is a problem" in response.text
    assert not EnrolmentLink.objects.exists()


def test_the_action_refuses_anyone_but_operators_and_the_partnerships_administrators(newcomer, personas):
    from django.core.exceptions import PermissionDenied

    for username in ("alice", "dana", "heidi", "erin", "oscar", "nina"):
        with pytest.raises(PermissionDenied):
            actions.issue_enrolment_link(actor=personas[username], user=newcomer)
    assert actions.issue_enrolment_link(actor=personas["ivan"], user=newcomer).link.created_by == personas["ivan"]
