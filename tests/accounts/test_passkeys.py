"""Passkeys and security keys (WebAuthn) as an optional second factor.

The browser side is played by a software authenticator: a P-256 key from `cryptography`,
attestation "none" and assertions built by hand as the WebAuthn specification lays them out,
so every server-side check of the `webauthn` library runs for real.
"""

from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import urlencode

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn.helpers import bytes_to_base64url

from tests.accounts.conftest import code_for
from tests.conftest import PASSWORD
from wrekin.accounts import passkeys
from wrekin.accounts.models import Passkey
from wrekin.audit.models import AuditEvent

ORIGIN = "http://testserver"  # the Django test client's host
RP_ID = "testserver"
LOGIN = reverse("accounts:login")
MFA = reverse("accounts:mfa")
HOME = reverse("core:home")
ADD = reverse("accounts:add_passkey")
LIST = reverse("accounts:passkeys")

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40


class SoftwareAuthenticator:
    """A passkey in memory: makes attestations ("none") and signs assertions like a real one."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def _cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options_json: str, *, origin: str = ORIGIN, rp_id: str | None = None) -> str:
        options = json.loads(options_json)
        rp_id = rp_id or options["rp"]["id"]
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + bytes([FLAG_UP | FLAG_UV | FLAG_AT])
                     + self.sign_count.to_bytes(4, "big") + bytes(16)
                     + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_public_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({
            "id": bytes_to_base64url(self.credential_id), "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key", "clientExtensionResults": {}, "authenticatorAttachment": "platform",
            "response": {"clientDataJSON": bytes_to_base64url(client_data),
                         "attestationObject": bytes_to_base64url(attestation), "transports": ["internal"]},
        })

    def get(self, options_json: str, *, origin: str = ORIGIN, rp_id: str | None = None,
            sign_count: int | None = None) -> str:
        options = json.loads(options_json)
        rp_id = rp_id or options["rpId"]
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + bytes([FLAG_UP | FLAG_UV])
                     + self.sign_count.to_bytes(4, "big"))
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": bytes_to_base64url(self.credential_id), "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": bytes_to_base64url(client_data),
                         "authenticatorData": bytes_to_base64url(auth_data),
                         "signature": bytes_to_base64url(signature)},
        })


def events(event_type, **filters):
    return AuditEvent.objects.filter(event_type=event_type, **filters)


def register(client, authenticator, name="Work laptop", **answer_options):
    """Open the add page (a fresh session needs no step-up) and send the authenticator's answer."""
    response = client.get(ADD)
    assert response.status_code == 200
    return client.post(ADD, {"name": name, "credential": authenticator.create(response.context["options"],
                                                                                **answer_options)})


@pytest.fixture
def authenticator():
    return SoftwareAuthenticator()


@pytest.fixture
def alice_passkey(client_for, personas, authenticator):
    """Alice with a registered passkey, and a fresh (signed-out) client."""
    client = client_for("alice")
    assert register(client, authenticator).status_code == 302
    client.post(reverse("accounts:logout"))
    return Passkey.objects.get(user=personas["alice"])


def password_step(client, username="alice"):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302


# --- registration -----------------------------------------------------------------------------

def test_registration_is_verified_and_stored(client_for, personas, authenticator):
    client = client_for("alice")
    response = client.get(LIST)
    assert "You have not added a passkey" in response.text
    response = client.get(ADD)
    options = json.loads(response.context["options"])
    assert options["rp"] == {"id": RP_ID, "name": "Wrekin"}
    assert options["attestation"] == "none" and options["excludeCredentials"] == []
    assert options["user"]["name"] == "alice"
    # The user handle is opaque: not the username, not the database id.
    assert options["user"]["id"] not in {"alice", str(personas["alice"].pk)}
    # No inline script: the page loads the external module, and the options travel as data.
    assert 'src="/static/wrekin/build/webauthn.js"' in response.text and "data-webauthn-options=" in response.text

    answer = authenticator.create(response.context["options"])
    response = client.post(ADD, {"name": "  Work   laptop ", "credential": answer})
    assert response.status_code == 302 and response["Location"] == LIST
    passkey = Passkey.objects.get(user=personas["alice"])
    assert passkey.name == "Work laptop" and passkey.rp_id == RP_ID and passkey.confirmed
    assert passkey.credential_id == bytes_to_base64url(authenticator.credential_id)
    assert passkey.transports == ["internal"] and passkey.sign_count == 0
    assert bytes(passkey.public_key) == authenticator._cose_public_key()
    event = events("user.passkey_added").get()
    assert event.actor == personas["alice"] and event.object_id == str(passkey.pk)
    assert passkey.credential_id not in json.dumps(event.details)
    response = client.get(LIST)
    assert "Work laptop" in response.text and "Not yet used" in response.text

    # The next registration excludes the key already added, so it is not added twice.
    options = json.loads(client.get(ADD).context["options"])
    assert [c["id"] for c in options["excludeCredentials"]] == [passkey.credential_id]


@pytest.mark.parametrize("answer_options, reason", [
    ({"origin": "http://evil.example"}, "wrong_origin"),
    ({"rp_id": "evil.example"}, "wrong_rp_id"),
])
def test_registration_from_another_site_is_refused(client_for, personas, authenticator, answer_options, reason):
    client = client_for("alice")
    response = register(client, authenticator, **answer_options)
    assert response.status_code == 200
    assert "Your passkey could not be checked" in response.text and "There is a problem" in response.text
    assert response.context["form"]["name"].value() == "Work laptop"  # what was typed is kept
    assert not Passkey.objects.exists()
    assert events("user.passkey_failed").get().details == {"purpose": "register", "reason": reason}


def test_a_registration_answer_cannot_be_used_twice(client_for, personas, authenticator):
    client = client_for("alice")
    options = client.get(ADD).context["options"]
    answer = authenticator.create(options)
    assert client.post(ADD, {"name": "Laptop", "credential": answer}).status_code == 302
    response = client.post(ADD, {"name": "Laptop again", "credential": answer})
    assert response.status_code == 200 and "already been used or has expired" in response.text
    assert Passkey.objects.count() == 1
    assert events("user.passkey_failed").get().details["reason"] == "no_challenge"


def test_the_same_passkey_cannot_be_registered_twice(client_for, personas, authenticator):
    client = client_for("alice")
    assert register(client, authenticator).status_code == 302
    response = register(client, authenticator, name="Same again")
    assert response.status_code == 200 and "That passkey is already registered" in response.text
    assert Passkey.objects.count() == 1
    assert events("user.passkey_failed").get().details == {"purpose": "register", "reason": "already_registered"}


def test_registration_without_an_answer_or_a_name_explains(client_for, authenticator):
    client = client_for("alice")
    client.get(ADD)
    response = client.post(ADD, {"name": "", "credential": ""})
    assert "Enter a name for the passkey or security key" in response.text
    response = client.post(ADD, {"name": "Laptop", "credential": ""})
    assert "Your browser did not create a passkey" in response.text
    assert not Passkey.objects.exists()


def test_a_registration_challenge_expires_after_five_minutes(client_for, personas, authenticator, clock):
    client = client_for("alice")
    options = client.get(ADD).context["options"]
    clock.advance(seconds=passkeys.CEREMONY_SECONDS + 1)
    # Confirm again (the sign-in no longer counts), then answer the old challenge.


    device = TOTPDevice.objects.get(user=personas["alice"])
    assert client.post(reverse("accounts:step_up"), {"code": code_for(device), "next": ADD}).status_code == 302
    response = client.post(ADD, {"name": "Laptop", "credential": authenticator.create(options)})
    assert response.status_code == 200 and "has expired" in response.text
    assert not Passkey.objects.exists()
    assert events("user.passkey_failed").get().details == {"purpose": "register", "reason": "expired_challenge"}


# --- signing in with a passkey ------------------------------------------------------------------

def test_sign_in_with_a_passkey_instead_of_a_code(client, personas, alice_passkey, authenticator):
    password_step(client)
    response = client.get(MFA)
    assert response.status_code == 200 and "Enter your code" in response.text
    assert "Use a passkey" in response.text and 'name="code"' in response.text  # both ways offered
    options = json.loads(response.context["passkey_options"])
    assert [c["id"] for c in options["allowCredentials"]] == [alice_passkey.credential_id]

    response = client.post(MFA, {"method": "passkey", "next": "/people/",
                                 "credential": authenticator.get(response.context["passkey_options"])})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get(HOME).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == alice_passkey.persistent_id
    alice_passkey.refresh_from_db()
    assert alice_passkey.sign_count == 1 and alice_passkey.last_used_at is not None
    event = events("user.passkey_verified").get()
    assert event.actor == personas["alice"] and event.details == {"purpose": "sign_in"}
    assert not events("user.mfa_verified").exists()


def test_without_a_passkey_only_the_code_is_offered(client, personas):
    password_step(client)
    response = client.get(MFA)
    assert response.context["passkey_options"] is None
    assert "Use a passkey" not in response.text and "webauthn.js" not in response.text


def test_a_passkey_assertion_cannot_be_replayed(client, personas, alice_passkey, authenticator):
    password_step(client)
    answer = authenticator.get(client.get(MFA).context["passkey_options"])
    assert client.post(MFA, {"method": "passkey", "credential": answer}).status_code == 302
    client.post(reverse("accounts:logout"))

    password_step(client)
    # Replayed before any new challenge: there is none to answer.
    response = client.post(MFA, {"method": "passkey", "credential": answer})
    assert response.status_code == 200 and "already been used or has expired" in response.text
    # Replayed against a new challenge: it answers the old one.
    client.get(MFA)
    response = client.post(MFA, {"method": "passkey", "credential": answer})
    assert response.status_code == 200 and "There is a problem" in response.text
    assert client.get(HOME)["Location"].startswith(MFA)
    assert [e.details["reason"] for e in events("user.passkey_failed").order_by("seq")] == [
        "no_challenge", "wrong_challenge"]


def test_a_sign_count_that_goes_back_is_refused(client, personas, alice_passkey, authenticator):
    Passkey.objects.filter(pk=alice_passkey.pk).update(sign_count=10)
    password_step(client)
    options = client.get(MFA).context["passkey_options"]
    response = client.post(MFA, {"method": "passkey", "credential": authenticator.get(options, sign_count=5)})
    assert response.status_code == 200 and "can mean it has been copied" in response.text
    assert client.get(HOME)["Location"].startswith(MFA)
    alice_passkey.refresh_from_db()
    assert alice_passkey.sign_count == 10
    assert events("user.passkey_failed").get().details == {"purpose": "sign_in", "reason": "sign_count",
                                                           "passkey": alice_passkey.pk}


@pytest.mark.parametrize("answer_options, reason", [
    ({"origin": "http://evil.example"}, "wrong_origin"),
    ({"origin": "https://testserver"}, "wrong_origin"),
    ({"rp_id": "evil.example"}, "wrong_rp_id"),
])
def test_an_assertion_for_another_site_is_refused(client, personas, alice_passkey, authenticator,
                                                  answer_options, reason):
    password_step(client)
    options = client.get(MFA).context["passkey_options"]
    response = client.post(MFA, {"method": "passkey", "credential": authenticator.get(options, **answer_options)})
    assert response.status_code == 200
    assert client.get(HOME)["Location"].startswith(MFA)
    assert events("user.passkey_failed").get().details["reason"] == reason


def test_a_forged_signature_is_refused(client, personas, alice_passkey, authenticator):
    password_step(client)
    options = client.get(MFA).context["passkey_options"]
    impostor = SoftwareAuthenticator()
    impostor.credential_id = authenticator.credential_id  # same id, different key
    response = client.post(MFA, {"method": "passkey", "credential": impostor.get(options)})
    assert response.status_code == 200
    assert events("user.passkey_failed").get().details["reason"] == "bad_signature"


def test_someone_elses_passkey_does_not_sign_you_in(client, client_for, personas, alice_passkey, authenticator):
    # Bob registers his own passkey so his sign-in page offers one; then answers with Alice's.
    bob_key = SoftwareAuthenticator()
    bob = client_for("bob")
    assert register(bob, bob_key).status_code == 302
    bob.post(reverse("accounts:logout"))
    password_step(client, "bob")
    options = client.get(MFA).context["passkey_options"]
    response = client.post(MFA, {"method": "passkey", "credential": authenticator.get(options)})
    assert response.status_code == 200 and "not registered to your account" in response.text
    assert events("user.passkey_failed").get().details == {"purpose": "sign_in", "reason": "unknown_credential"}


@pytest.mark.parametrize("garbage", ["", "not json", "[]", '{"id": 5}', json.dumps({"id": "abc", "rawId": "abc"})])
def test_malformed_answers_are_refused_cleanly(client, personas, alice_passkey, garbage):
    password_step(client)
    client.get(MFA)
    response = client.post(MFA, {"method": "passkey", "credential": garbage})
    assert response.status_code == 200 and "There is a problem" in response.text
    assert client.get(HOME)["Location"].startswith(MFA)


# --- removing ----------------------------------------------------------------------------------

def test_removing_a_passkey_needs_step_up_and_ends_its_sessions(client, client_for, personas, alice_passkey,
                                                               authenticator, clock):
    # Sign in with the passkey.
    password_step(client)
    options = client.get(MFA).context["passkey_options"]
    assert client.post(MFA, {"method": "passkey", "credential": authenticator.get(options)}).status_code == 302
    remove = reverse("accounts:remove_passkey", args=[alice_passkey.pk])

    clock.advance(minutes=6)
    response = client.get(remove)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:step_up')}?{urlencode({'next': remove})}"
    response = client.post(remove)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:step_up"))
    assert Passkey.objects.filter(pk=alice_passkey.pk).exists()

    # Confirm with the passkey itself, then remove it.
    response = client.get(reverse("accounts:step_up"), {"next": remove})
    answer = authenticator.get(response.context["passkey_options"])
    response = client.post(reverse("accounts:step_up"), {"method": "passkey", "credential": answer, "next": remove})
    assert response.status_code == 302 and response["Location"] == remove
    assert "Remove “Work laptop”?" in client.get(remove).text
    response = client.post(remove)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Passkey.objects.exists()
    event = events("user.passkey_removed").get()
    assert event.actor == personas["alice"] and event.object_id == str(alice_passkey.pk)
    # The session was verified by that passkey: it must give a second factor again.
    assert client.get(HOME)["Location"].startswith(MFA)


def test_nobody_can_remove_someone_elses_passkey(client_for, alice_passkey):
    client = client_for("bob")
    remove = reverse("accounts:remove_passkey", args=[alice_passkey.pk])
    assert client.get(remove).status_code == 404
    assert client.post(remove).status_code == 404
    assert Passkey.objects.filter(pk=alice_passkey.pk).exists()
    assert "Work laptop" not in client.get(LIST).text


# --- the relying party -----------------------------------------------------------------------------

def test_passkeys_are_not_offered_on_an_ip_address(client_for, alice_passkey, settings):
    client = client_for("alice")
    response = client.get(LIST, HTTP_HOST="127.0.0.1")
    assert response.context["available"] is False and "cannot be added at this address" in response.text
    response = client.get(ADD, HTTP_HOST="127.0.0.1")
    assert response.status_code == 302 and response["Location"] == LIST


@pytest.mark.parametrize("host, expected", [
    ("wrekin.example.org", ("example.org", ("https://wrekin.example.org",))),
    ("example.org", ("example.org", ("https://example.org",))),
    ("evil-example.org", None),
])
def test_a_configured_relying_party_covers_its_subdomains_only(settings, host, expected):
    settings.ALLOWED_HOSTS = [".example.org", "evil-example.org"]
    settings.WREKIN_WEBAUTHN_RP_ID = "example.org"
    request = RequestFactory().get("/", HTTP_HOST=host, secure=True)
    rp = passkeys.relying_party(request)
    assert (rp and (rp.id, rp.origins)) == expected


def test_configured_origins_replace_the_request_origin(settings):
    settings.WREKIN_WEBAUTHN_ORIGINS = ["https://wrekin.example.org"]
    rp = passkeys.relying_party(RequestFactory().get("/", HTTP_HOST="localhost:8000"))
    assert rp.id == "localhost" and rp.origins == ("https://wrekin.example.org",)


def test_a_passkey_made_for_another_host_is_not_offered(client, personas, alice_passkey):
    Passkey.objects.filter(pk=alice_passkey.pk).update(rp_id="localhost")
    password_step(client)
    assert client.get(MFA).context["passkey_options"] is None


def test_an_expired_sign_in_challenge_is_refused(client, personas, alice_passkey, authenticator, clock):
    password_step(client)
    options = client.get(MFA).context["passkey_options"]
    clock.advance(seconds=passkeys.CEREMONY_SECONDS + 1)
    response = client.post(MFA, {"method": "passkey", "credential": authenticator.get(options)})
    assert response.status_code == 200 and "has expired" in response.text
    # The error summary links to the passkey button, the thing to use again.
    assert "There is a problem" in response.text and 'href="#passkey-button"' in response.text
    assert events("user.passkey_failed").get().details["reason"] == "expired_challenge"
