"""Sessions end after 15 idle minutes, 12 hours after sign-in, and when an account is disabled."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in
from wrekin.accounts.actions import disable_user
from wrekin.accounts.middleware import SIGNED_IN_AT_SESSION_KEY
from wrekin.accounts.models import Membership, Role, User
from wrekin.audit.models import AuditEvent

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")


def is_signed_in(client) -> bool:
    response = client.get(HOME)
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    return False


def test_session_settings():
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY
    middleware = settings.MIDDLEWARE
    assert middleware.index("wrekin.accounts.middleware.SessionLimitMiddleware") == (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )


def test_sign_in_records_when_it_happened(client, personas, clock):
    sign_in(client, personas["alice"])
    assert isinstance(client.session[SIGNED_IN_AT_SESSION_KEY], int)


def test_an_idle_session_ends_after_15_minutes(client, personas, clock):
    sign_in(client, personas["alice"])
    # Each request keeps the session alive for another 15 minutes...
    for _ in range(4):
        clock.advance(minutes=14)
        assert is_signed_in(client)
    # ...and 15 minutes of nothing ends it.
    clock.advance(minutes=15, seconds=1)
    assert not is_signed_in(client)


def test_a_session_ends_12_hours_after_sign_in_however_busy(client, personas, clock, settings):
    settings.SESSION_COOKIE_AGE = 24 * 60 * 60  # take idle expiry out of the way
    sign_in(client, personas["alice"])
    clock.advance(hours=11, minutes=59)
    assert is_signed_in(client)
    clock.advance(minutes=1, seconds=1)
    response = client.get(reverse("people:search"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={reverse('people:search')}"
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.filter(event_type="user.signed_out").get()
    assert event.actor == personas["alice"] and event.details == {"reason": "session_time_limit"}
    assert not is_signed_in(client)


def test_a_session_without_a_sign_in_time_is_ended(client, personas):
    sign_in(client, personas["alice"])
    session = client.session
    del session[SIGNED_IN_AT_SESSION_KEY]
    session.save()
    assert not is_signed_in(client)


def test_a_disabled_account_loses_its_session_on_the_next_request(client, personas):
    """Django's ModelBackend refuses inactive users; the middleware then destroys the session."""
    alice = personas["alice"]
    sign_in(client, alice)
    assert is_signed_in(client)
    key = client.session.session_key
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert not is_signed_in(client)
    assert not Session.objects.filter(session_key=key).exists()
    # And it cannot come back: the password no longer works.
    response = client.post(LOGIN, {"username": "alice", "password": "a-long-test-passphrase-42"})
    assert response.status_code == 200


def test_disable_user_ends_every_session_at_once(personas):
    alice, ivan = personas["alice"], personas["ivan"]
    alices = [sign_in(Client(), alice) for _ in range(2)]
    bobs = sign_in(Client(), personas["bob"])
    assert all(is_signed_in(c) for c in alices)

    disable_user(actor=ivan, user=alice)

    alice.refresh_from_db()
    assert not alice.is_active
    decoded = [s.get_decoded() for s in Session.objects.all()]
    assert not [d for d in decoded if d.get(SESSION_KEY) == str(alice.pk)]
    assert not any(is_signed_in(c) for c in alices)
    assert is_signed_in(bobs)
    event = AuditEvent.objects.get(event_type="user.disabled")
    assert event.actor == ivan and event.object_id == str(alice.pk)
    assert event.details == {"was_active": True, "sessions_ended": 2, "set_up_links_ended": 0}


@pytest.mark.parametrize("actor_name", ["alice", "dana", "heidi", "oscar"])
def test_only_an_administrator_of_the_partnership_may_disable_an_account(personas, actor_name):
    bob = personas["bob"]
    with pytest.raises(PermissionDenied):
        disable_user(actor=personas[actor_name], user=bob)
    bob.refresh_from_db()
    assert bob.is_active
    assert not AuditEvent.objects.filter(event_type="user.disabled").exists()


def test_an_administrator_of_another_partnership_may_not_disable_an_account(personas, agencies):
    olga = User.objects.create_user(username="olga", password="a-long-test-passphrase-42")
    Membership.objects.create(user=olga, agency=agencies["elsewhere"], role=Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        disable_user(actor=olga, user=personas["bob"])
    # Nor an account with no agency at all: that is for an operator at the command line.
    with pytest.raises(PermissionDenied):
        disable_user(actor=personas["ivan"], user=personas["nina"])
    disable_user(actor=None, user=personas["nina"])
    assert not User.objects.get(username="nina").is_active


def test_an_administrator_cannot_disable_themselves(personas):
    with pytest.raises(PermissionDenied):
        disable_user(actor=personas["ivan"], user=personas["ivan"])
