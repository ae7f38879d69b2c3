"""API tokens: issued by the command, stored only as a hash, refused when expired, revoked or out of scope."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.api.conftest import ApiClient
from wrekin.accounts.models import Membership
from wrekin.api.actions import create_api_token, revoke_api_token
from wrekin.api.models import SCOPES, ApiToken, hash_token
from wrekin.audit.models import AuditEvent


def _create(*args: str) -> list[str]:
    out = StringIO()
    call_command("token", "create", *args, stdout=out)
    return out.getvalue().rstrip("\n").splitlines()


def _person_url(people, name="kayleigh"):
    return f"/api/v1/people/{people[name].pk}"


def test_create_prints_the_token_on_the_last_line_and_it_works(personas, people):
    lines = _create("alice", "--name", "Police RMS feed")
    raw = lines[-1]
    assert raw.startswith("wrekin_") and len(raw) > 50
    assert any("alice" in line for line in lines[:-1])
    response = ApiClient(raw).get(_person_url(people))
    assert response.status_code == 200, response.content
    assert response.json()["id"] == people["kayleigh"].pk


def test_default_scopes_are_all_and_default_life_is_ninety_days(personas):
    _create("alice")
    token = ApiToken.objects.get(user=personas["alice"])
    assert token.scopes == sorted(SCOPES)
    assert (token.expires_at - token.created_at).days == 90
    assert token.name == "API token for alice"


def test_scopes_and_days_can_be_chosen(personas):
    _create("alice", "--scope", "people:read", "--scope", "chronology:read", "--days", "7")
    token = ApiToken.objects.get(user=personas["alice"])
    assert token.scopes == ["chronology:read", "people:read"]
    assert (token.expires_at - token.created_at).days == 7


def test_the_database_never_holds_the_raw_token(personas):
    raw = _create("alice")[-1]
    token = ApiToken.objects.get(user=personas["alice"])
    secret = raw.split("_", 2)[2]
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash and secret not in str(token.__dict__)
    # Nowhere in the row, nor in the audit trail.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        rows = cursor.fetchall()
    assert rows and all(secret not in str(value) for row in rows for value in row)
    assert all(secret not in str(e.details) for e in AuditEvent.objects.all())


def test_creation_is_audited_without_the_token(personas):
    raw = _create("alice", "--scope", "people:read")[-1]
    event = AuditEvent.objects.get(event_type="api.token_created")
    token = ApiToken.objects.get()
    assert event.actor is None  # an operator at the command line
    assert event.object_id == str(token.pk)
    assert event.agency == personas["alice"].agency
    assert event.details == {"token_id": token.pk, "user_id": personas["alice"].pk, "scopes": ["people:read"],
                             "days": 90, "via": "command_line"}
    assert raw not in str(event.details)


@pytest.mark.parametrize("args, message", [
    (["nobody"], "No user called"),
    (["nina"], "no active membership"),
    (["alice", "--days", "0"], "between 1 and 365"),
    (["alice", "--days", "400"], "between 1 and 365"),
])
def test_create_refuses_with_a_reason(personas, args, message):
    with pytest.raises(CommandError, match=message):
        _create(*args)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(event_type="api.token_created").exists()


def test_create_refuses_an_unknown_scope(personas):
    with pytest.raises(CommandError):
        _create("alice", "--scope", "everything:write")
    with pytest.raises(ValueError, match="Unknown scope"):
        create_api_token(actor=None, user=personas["alice"], name="x", scopes=["everything:write"])


def test_create_refuses_a_disabled_account(personas):
    personas["alice"].is_active = False
    personas["alice"].save()
    with pytest.raises(CommandError, match="disabled"):
        _create("alice")


def test_list_shows_prefix_status_and_never_the_token(personas, clock):
    raw_old = _create("alice", "--name", "Old feed", "--days", "1")[-1]
    raw_new = _create("alice", "--name", "New feed")[-1]
    clock.advance(days=2)
    out = StringIO()
    call_command("token", "list", "alice", stdout=out)
    text = out.getvalue()
    assert "Old feed" in text and "expired" in text
    assert "New feed" in text and "active" in text
    assert raw_old.split("_")[1] in text  # the public prefix tells tokens apart
    assert raw_old not in text and raw_new not in text
    out = StringIO()
    call_command("token", "list", "bob", stdout=out)
    assert "no API tokens" in out.getvalue()


def test_revoke_stops_the_token_at_once_and_is_audited(personas, people):
    raw = _create("alice")[-1]
    client = ApiClient(raw)
    assert client.get(_person_url(people)).status_code == 200
    token = ApiToken.objects.get()
    out = StringIO()
    call_command("token", "revoke", str(token.pk), stdout=out)
    assert f"Revoked API token {token.pk}" in out.getvalue()
    response = client.get(_person_url(people))
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert "revoked" in response.json()["detail"]
    event = AuditEvent.objects.get(event_type="api.token_revoked")
    assert event.details["token_id"] == token.pk and event.object_id == str(token.pk)
    # Revoking again changes nothing and writes nothing.
    call_command("token", "revoke", str(token.pk), stdout=StringIO())
    assert AuditEvent.objects.filter(event_type="api.token_revoked").count() == 1


def test_revoke_an_unknown_token(personas):
    with pytest.raises(CommandError, match="No API token with id 999"):
        call_command("token", "revoke", "999", stdout=StringIO())


def test_only_an_administrator_may_issue_or_revoke_when_signed_in(personas):
    with pytest.raises(PermissionDenied):
        create_api_token(actor=personas["erin"], user=personas["alice"], name="x")
    issued = create_api_token(actor=personas["ivan"], user=personas["alice"], name="Issued by ivan")
    assert issued.token.created_by == personas["ivan"]
    assert AuditEvent.objects.get(event_type="api.token_created").actor == personas["ivan"]
    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=personas["alice"], token_id=issued.token.pk)
    revoke_api_token(actor=personas["ivan"], token_id=issued.token.pk)


def test_expiry_with_time_moved_on(personas, people, clock):
    raw = _create("alice", "--days", "1")[-1]
    client = ApiClient(raw)
    clock.advance(hours=23, minutes=59)
    assert client.get(_person_url(people)).status_code == 200
    clock.advance(minutes=1)
    response = client.get(_person_url(people))
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token has expired: ask for a new one.",
                               "code": "token_expired"}
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_last_used_is_recorded(personas, people, clock):
    raw = _create("alice")[-1]
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    ApiClient(raw).get(_person_url(people))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    clock.advance(minutes=5)
    ApiClient(raw).get(_person_url(people))
    token.refresh_from_db()
    assert token.last_used_at > first


@pytest.mark.parametrize("authorization, code", [
    (None, "token_missing"),
    ("", "token_missing"),
    ("Bearer", "token_malformed"),
    ("Bearer ", "token_malformed"),
    ("Basic YWxpY2U6cGFzc3dvcmQ=", "token_malformed"),
    ("Bearer not-a-token", "token_malformed"),
    ("Bearer wrekin_zzzzzzzzzzzz_" + "a" * 43, "token_malformed"),
    ("Bearer wrekin_0123456789ab_" + "a" * 43, "token_unknown"),
])
def test_missing_malformed_and_unknown_tokens_are_401_with_a_reason(personas, people, authorization, code):
    client = ApiClient(authorization=authorization) if authorization is not None else ApiClient()
    response = client.get(_person_url(people))
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith('Bearer realm="wrekin"')


def test_a_right_prefix_with_a_wrong_secret_is_unknown(personas, people):
    raw = _create("alice")[-1]
    tampered = raw[:-4] + ("aaaa" if not raw.endswith("aaaa") else "bbbb")
    response = ApiClient(tampered).get(_person_url(people))
    assert response.status_code == 401 and response.json()["code"] == "token_unknown"


def test_a_token_without_the_scope_is_403_naming_it(token_for, people):
    client = ApiClient(token_for("alice", scopes=["chronology:read"]))
    response = client.get(_person_url(people))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert response.json()["required_scope"] == "people:read"
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert not AuditEvent.objects.filter(event_type="person.viewed").exists()
    assert client.get(f"/api/v1/children/{people['kayleigh'].pk}/chronology").status_code == 200


def test_a_disabled_account_cannot_use_its_token(token_for, personas, people):
    raw = token_for("alice")
    personas["alice"].is_active = False
    personas["alice"].save()
    response = ApiClient(raw).get(_person_url(people))
    assert response.status_code == 401 and response.json()["code"] == "token_account_disabled"


def test_an_account_that_lost_its_membership_cannot_use_its_token(token_for, personas, people):
    raw = token_for("alice")
    Membership.objects.filter(user=personas["alice"]).update(is_active=False)
    response = ApiClient(raw).get(_person_url(people))
    assert response.status_code == 401 and response.json()["code"] == "token_no_membership"


def test_a_session_is_not_enough(client_for, people):
    """The API ignores a signed-in browser session: a token is always needed (and no CSRF applies)."""
    client = client_for("alice")
    response = client.get(_person_url(people))
    assert response.status_code == 401
    assert response.json()["code"] == "token_missing"


def test_the_request_acts_as_the_token_user_in_the_audit_trail(token_for, personas, people):
    ApiClient(token_for("dana")).get(_person_url(people))
    event = AuditEvent.objects.get(event_type="person.viewed")
    assert event.actor == personas["dana"]
    assert event.agency == personas["dana"].agency
    assert event.details == {"via": "api"}
    assert event.request_id
