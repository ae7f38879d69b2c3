"""Helpers for the sign-in tests: a clock that can be moved forward, and authenticator codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Clock:
    """Real time plus an offset that tests move forward, never a real sleep.

    Patches django.utils.timezone.now (sessions, django-otp's throttle, the audit trail) and
    the copies django-axes imported by name. TOTP codes still follow the real time.time().
    """

    def __init__(self, monkeypatch):
        self.offset = timedelta(0)
        real_now = timezone.now

        def now():
            return real_now() + self.offset

        for target in ("django.utils.timezone.now", "axes.attempts.now", "axes.handlers.proxy.now"):
            monkeypatch.setattr(target, now)

    def advance(self, **kwargs) -> None:
        self.offset += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or `steps_ahead` time steps later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A code that no nearby time step accepts."""
    near = {code_for(device, steps) for steps in range(-2, 3)}
    return next(f"{n:06d}" for n in range(123456, 1_000_000, 7919) if f"{n:06d}" not in near)


def use_set_up_link(client, user) -> str:
    """Issue `user` a one-time set-up link (as an operator would) and use it in `client`'s session.

    Returns the link's address. Afterwards the session may choose a first password (if the account has
    none) and enrol an authenticator at its next sign-in, as a new user who followed their link.
    """
    from wrekin.accounts.actions import issue_enrolment_link

    path = issue_enrolment_link(actor=None, user=user).path
    response = client.post(path)
    assert response.status_code == 302, response.status_code
    return path
