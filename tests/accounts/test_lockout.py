"""Too many wrong passwords pause sign-in for that account from that address, for a while only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import PASSWORD
from wrekin.audit.models import AuditEvent

LOGIN = reverse("accounts:login")
WRONG = "not-the-right-passphrase"


def attempt(client, password, username="alice", address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def lock_out(client, **kwargs):
    responses = [attempt(client, WRONG, **kwargs) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    return responses[-1]


def test_the_limit_is_reached_and_sign_in_pauses(client, personas):
    response = lock_out(client)
    assert response.status_code == 429
    assert "Sign-in paused" in response.text
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    # Even the right password is refused while paused.
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert not AuditEvent.objects.filter(event_type="user.signed_in").exists()
    failures = AuditEvent.objects.filter(event_type="user.sign_in_failed")
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 1
    assert failures.filter(details__locked_out=True).count() == 2


def test_the_pause_ends_after_the_cool_off_time(client, personas, clock):
    cool_off = get_cool_off()
    assert cool_off == timedelta(minutes=15)
    lock_out(client)
    clock.advance(minutes=10)
    # Trying again during the pause is refused but does not make the pause longer.
    assert attempt(client, PASSWORD).status_code == 429
    assert attempt(client, WRONG).status_code == 429
    clock.advance(minutes=4, seconds=58)
    assert attempt(client, PASSWORD).status_code == 429

    clock.advance(seconds=3)
    response = attempt(client, PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event_type="user.signed_in", actor=personas["alice"]).exists()
    # A success clears the count: the next mistake starts from one again.
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_fewer_failures_than_the_limit_are_forgotten_after_success(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, WRONG)
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, WRONG).status_code == 200


def test_a_pause_elsewhere_does_not_stop_the_real_user(client, personas):
    # Someone guessing alice's password from another address cannot lock her out of her own desk.
    lock_out(client, address="203.0.113.66")
    assert attempt(client, PASSWORD, address="192.0.2.10").status_code == 302


def test_an_operator_can_release_a_pause(client, personas):
    lock_out(client)
    call_command("axes_reset_username", "alice", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert attempt(client, PASSWORD).status_code == 302


def test_lockout_is_never_permanent():
    assert settings.AXES_COOLOFF_TIME and get_cool_off() > timedelta(0)
    assert settings.AXES_LOCK_OUT_AT_FAILURE and settings.AXES_FAILURE_LIMIT >= 3


def test_the_lockout_record_keeps_no_password(client, personas):
    lock_out(client)
    for row in AccessAttempt.objects.values_list("get_data", "post_data"):
        assert WRONG not in " ".join(row)


def test_failed_sign_ins_log_no_username_or_password(client, personas, caplog):
    caplog.set_level("DEBUG")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, WRONG, username="kayleigh-smith-typo")
    assert "AXES" in caplog.text  # axes did log the failures...
    assert "kayleigh-smith-typo" not in caplog.text and WRONG not in caplog.text  # ...naming no one


# --- Behind a reverse proxy ------------------------------------------------------------------------------

PROXY = "10.0.0.5"  # the reverse proxy's own address, as Wrekin sees the connection


def attempt_via(client, password, *, forwarded_for=None, remote=PROXY, username="alice"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_without_a_proxy_the_forwarded_header_is_ignored(client, personas, settings):
    # Default: no proxy. A guesser who makes up a new X-Forwarded-For for every try is still one address.
    assert settings.WREKIN_TRUSTED_PROXY_COUNT == 0
    statuses = [attempt_via(client, WRONG, forwarded_for=f"198.51.100.{n}", remote="203.0.113.9").status_code
                for n in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert attempt_via(client, PASSWORD, forwarded_for="192.0.2.200", remote="203.0.113.9").status_code == 429


def test_behind_one_proxy_the_client_it_forwarded_is_used(client, personas, settings):
    settings.WREKIN_TRUSTED_PROXY_COUNT = 1
    # nginx appends the address it saw; anything to its left was sent by the client and is not trusted.
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = attempt_via(client, WRONG, forwarded_for=f"6.6.6.{n}, 198.51.100.7")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    # The lockout is that client's: another person behind the same proxy signs in as usual.
    assert attempt_via(client, PASSWORD, forwarded_for="192.0.2.10").status_code == 302
    client.logout()
    assert attempt_via(client, PASSWORD, forwarded_for="198.51.100.7").status_code == 429


def test_behind_two_proxies_the_outer_proxys_entry_is_the_client(rf, settings):
    from wrekin.accounts.client_address import client_ip_address

    settings.WREKIN_TRUSTED_PROXY_COUNT = 2
    request = rf.post(LOGIN, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.9")
    assert client_ip_address(request) == "198.51.100.7"


@pytest.mark.parametrize("header", [None, "", "not-an-address", " , "])
def test_a_missing_or_broken_header_falls_back_to_the_connection(rf, settings, header):
    from wrekin.accounts.client_address import client_ip_address

    settings.WREKIN_TRUSTED_PROXY_COUNT = 1
    extra = {"REMOTE_ADDR": PROXY} | ({"HTTP_X_FORWARDED_FOR": header} if header is not None else {})
    assert client_ip_address(rf.post(LOGIN, **extra)) == PROXY
