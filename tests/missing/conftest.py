"""Fixtures for the missing app: UK-local datetimes, a frozen clock, a children's social care
practitioner, and a helper that records episodes through the actions (never the models)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import _password_hash, sign_in
from wrekin.accounts.models import Membership, Role, User
from wrekin.missing import actions

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Europe/London wall-clock time, as a practitioner would type it."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def freeze(monkeypatch):
    """Freeze timezone.now() (used by the actions, views, audit and auto_now fields) at a London time."""

    def _freeze(moment: datetime) -> datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return _freeze


@pytest.fixture
def sam(agencies):
    """A children's social care practitioner: the usual person to offer return home interviews."""
    user = User.objects.create(username="sam", password=_password_hash(), first_name="Sam")
    Membership.objects.create(user=user, agency=agencies["csc"], role=Role.PRACTITIONER)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


@pytest.fixture
def sam_client(client, sam):
    client.logout()
    return sign_in(client, sam)


@pytest.fixture
def record_episode():
    """Record an episode through the action with sensible synthetic defaults."""

    def _record(actor, child, reported_at, returned_at=None, **extra):
        defaults = {
            "last_seen_where": "Wellington bus station",
            "circumstances": "Did not return to the children's home after school.",
            "police_risk_grade": "medium",
            "now": extra.pop("now", None) or at(2026, 6, 1, 12),
        }
        if returned_at is not None:
            defaults["found_where"] = "Returned home"
        return actions.record_missing_episode(actor=actor, child=child, reported_at=reported_at,
                                              returned_at=returned_at, **{**defaults, **extra})

    return _record
