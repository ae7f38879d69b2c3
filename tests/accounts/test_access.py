"""Every accounts URL, as every persona: sign-in pages, step-up and passkey management.

Passkeys belong to one person: anyone else's passkey answers 404, like one that does not exist.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PERSONAS
from wrekin.accounts.models import EnrolmentLink, Passkey, User

COVERED_URL_NAMES = {
    "accounts:login", "accounts:logout", "accounts:mfa", "accounts:step_up", "accounts:passkeys",
    "accounts:add_passkey", "accounts:remove_passkey", "accounts:add_authenticator_app",
    "accounts:set_up_start", "accounts:set_up", "accounts:set_up_password", "accounts:users",
    "accounts:issue_set_up_link", "accounts:create_user", "accounts:disable_user", "accounts:enable_user",
    "accounts:reset_authenticator", "accounts:set_up_passkey",
}
# The administrators' pages that change one account: same answers for each.
ACCOUNT_CHANGES = ("accounts:disable_user", "accounts:enable_user", "accounts:reset_authenticator")
# Pages a set-up link leads to: open to anonymous visitors (they hold the link, not an account yet).
SET_UP_NAMES = {"accounts:set_up_start", "accounts:set_up", "accounts:set_up_password"}

EVERYONE = sorted(PERSONAS)


@pytest.fixture
def alice_key(personas):
    return Passkey.objects.create(user=personas["alice"], name="Alice key", credential_id="AAAA",
                                  public_key=b"\x00", rp_id="testserver")


def _cases(key):
    personas = {user.username: user for user in User.objects.all()}
    return [
        ("accounts:login", {}, "GET", lambda u: 302),  # already signed in: sent on
        ("accounts:mfa", {}, "GET", lambda u: 302),  # already verified: sent on
        ("accounts:logout", {}, "GET", lambda u: 405),
        ("accounts:step_up", {}, "GET", lambda u: 200),
        ("accounts:passkeys", {}, "GET", lambda u: 200),
        ("accounts:add_passkey", {}, "GET", lambda u: 200),
        # Everyone here has an app already: sent back to their keys (the journey is in test_passkey_enrolment).
        ("accounts:add_authenticator_app", {}, "GET", lambda u: 302),
        ("accounts:add_authenticator_app", {}, "POST", lambda u: 302),
        ("accounts:remove_passkey", {"pk": key.pk}, "GET", lambda u: 200 if u == "alice" else 404),
        ("accounts:remove_passkey", {"pk": 987654}, "GET", lambda u: 404),
        # IDOR by POST: nobody but Alice removes Alice key (the POST by Alice is in test_passkeys).
        ("accounts:remove_passkey", {"pk": key.pk}, "POST", lambda u: 404 if u != "alice" else None),
        # Set-up links: a signed-in person is asked to sign out first; nothing is used up.
        ("accounts:set_up_start", {}, "GET", lambda u: 200),
        ("accounts:set_up", {"token": "not-a-real-token"}, "GET", lambda u: 200),
        ("accounts:set_up", {"token": "not-a-real-token"}, "POST", lambda u: 200),
        ("accounts:set_up_password", {}, "GET", lambda u: 302),
        # The passkey step of the set-up journey: a signed-in, verified session is sent on.
        ("accounts:set_up_passkey", {}, "GET", lambda u: 302),
        # Accounts: administrators only, and only their own partnership's accounts, never their own.
        ("accounts:users", {}, "GET", lambda u: 200 if u == "ivan" else 403),
        ("accounts:issue_set_up_link", {"pk": personas["bob"].pk}, "GET", lambda u: 200 if u == "ivan" else 403),
        ("accounts:issue_set_up_link", {"pk": personas["oscar"].pk}, "GET", lambda u: 404 if u == "ivan" else 403),
        ("accounts:issue_set_up_link", {"pk": personas["nina"].pk}, "GET", lambda u: 404 if u == "ivan" else 403),
        ("accounts:issue_set_up_link", {"pk": personas["ivan"].pk}, "GET", lambda u: 404 if u == "ivan" else 403),
        ("accounts:issue_set_up_link", {"pk": 987654}, "GET", lambda u: 404 if u == "ivan" else 403),
        # IDOR by POST: nobody issues a link for an account they do not manage.
        ("accounts:issue_set_up_link", {"pk": personas["oscar"].pk}, "POST", lambda u: 404 if u == "ivan" else 403),
        ("accounts:create_user", {}, "GET", lambda u: 200 if u == "ivan" else 403),
        ("accounts:create_user", {}, "POST", lambda u: 200 if u == "ivan" else 403),  # empty: errors shown
    ] + [
        case
        for name in ACCOUNT_CHANGES
        for case in (
            (name, {"pk": personas["bob"].pk}, "GET", lambda u: 200 if u == "ivan" else 403),
            (name, {"pk": personas["oscar"].pk}, "GET", lambda u: 404 if u == "ivan" else 403),
            (name, {"pk": personas["nina"].pk}, "GET", lambda u: 404 if u == "ivan" else 403),
            (name, {"pk": personas["ivan"].pk}, "GET", lambda u: 404 if u == "ivan" else 403),
            (name, {"pk": 987654}, "GET", lambda u: 404 if u == "ivan" else 403),
            # IDOR by POST: nobody changes an account they do not manage, nor their own.
            (name, {"pk": personas["oscar"].pk}, "POST", lambda u: 404 if u == "ivan" else 403),
            (name, {"pk": personas["ivan"].pk}, "POST", lambda u: 404 if u == "ivan" else 403),
            (name, {"pk": personas["bob"].pk}, "POST", lambda u: 200 if u == "ivan" else 403),  # no reason
        )
    ]


@pytest.mark.parametrize("username", EVERYONE)
def test_every_accounts_url_as_every_persona(username, client_for, alice_key):
    client = client_for(username)
    failures = []
    for name, kwargs, method, expected in _cases(alice_key):
        want = expected(username)
        if want is None:
            continue
        response = client.generic(method, reverse(name, kwargs=kwargs))
        if response.status_code != want:
            failures.append(f"{method} {name} {kwargs}: got {response.status_code}, expected {want}")
    assert not failures, f"{username}:\n" + "\n".join(failures)
    assert Passkey.objects.filter(pk=alice_key.pk).exists()
    assert not EnrolmentLink.objects.exists()
    # Nothing was disabled, enabled, reset or created by any of those requests.
    assert User.objects.filter(is_active=True).count() == User.objects.count() == len(PERSONAS)
    assert TOTPDevice.objects.filter(confirmed=True).count() == len(PERSONAS)


def test_the_list_shows_only_your_own_keys(client_for, alice_key):
    assert "Alice key" in client_for("alice").get(reverse("accounts:passkeys")).text
    for username in ("bob", "ivan", "heidi"):
        assert "Alice key" not in client_for(username).get(reverse("accounts:passkeys")).text


def test_anonymous_is_sent_to_sign_in(client, alice_key):
    for name, kwargs, method, _ in _cases(alice_key):
        if name in {"accounts:login", "accounts:logout", "accounts:mfa"} | SET_UP_NAMES:
            continue
        response = client.generic(method, reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name


def test_anonymous_reaches_the_set_up_pages_and_learns_nothing_without_a_link(client, db):
    assert client.get(reverse("accounts:set_up_start")).status_code == 200
    assert client.get(reverse("accounts:set_up", kwargs={"token": "not-a-real-token"})).status_code == 410
    assert client.post(reverse("accounts:set_up", kwargs={"token": "not-a-real-token"})).status_code == 410
    assert client.get(reverse("accounts:set_up_password")).status_code == 410


def test_a_password_only_session_reaches_only_the_second_factor(client, personas, alice_key):
    client.force_login(personas["alice"])
    for name, kwargs, method, _ in _cases(alice_key):
        if name in {"accounts:login", "accounts:logout", "accounts:mfa"} | SET_UP_NAMES:
            continue
        response = client.generic(method, reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa")), name
    assert Passkey.objects.filter(pk=alice_key.pk).exists()
    # Where a set-up link leads, a half-signed-in session is told to sign out first; nothing else.
    response = client.get(reverse("accounts:set_up", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 200 and "Sign out first" in response.text
    assert client.get(reverse("accounts:set_up_password"))["Location"] == reverse("accounts:mfa")
